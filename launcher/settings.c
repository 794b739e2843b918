#include "settings.h"

#include "bia_contract.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STRING(x) #x
#define NUMBER_TEXT(x) STRING(x)

/* src/log.ts's LOG_LEVELS, in order: LEVEL_ERROR .. LEVEL_TRACE. */
#define LEVEL_RANK(level, name) LEVEL_##level,
#define LEVEL_NAME(level, name) name,
enum { BIA_LOG_LEVELS(LEVEL_RANK) };
static const char *const levels[] = {BIA_LOG_LEVELS(LEVEL_NAME)};

/*
 * The variables the Node launcher interprets: every config key's
 * (src/config/schema.ts) and the developer's BIA_PRELOAD_LIBRARY, except
 * the ones in fast_vars. A list of what to refuse rather than of what to
 * allow, because the BIA_ prefix is shared with variables bia run passes
 * along untouched (BIA_TRANSLATED, BIA_ALLOW_ROOT, the test lab's); a key
 * added to schema.ts is refused here without an edit
 * (test/e2e/fast-launcher.test.ts sets each key in turn).
 */
#define KEY_VAR(key, var, flag) var,
static const char *const key_vars[] = {BIA_CONFIG_KEYS(KEY_VAR) BIA_ENV_PRELOAD_LIBRARY};

/*
 * What the fast path handles itself: the socket and the log level, and
 * BIA_POOL and the three synthesis keys, which `bia env` exports from the
 * helper's HELLO and the launcher takes when they are what that HELLO says
 * (childenv_check()).
 */
static const char *const fast_vars[] = {
    BIA_ENV_SOCKET, BIA_ENV_LOG_LEVEL, BIA_ENV_POOL, BIA_ENV_SYNTH, BIA_ENV_SYNTH_PREFIX, BIA_ENV_PLANE_ID,
};

static int fail(char *why, const char *fmt, const char *arg)
{
    snprintf(why, SETTINGS_WHY_SIZE, fmt, arg);
    return -1;
}

static int level_rank(const char *name)
{
    for (int i = 0; i < (int)(sizeof levels / sizeof levels[0]); i++)
        if (!strcmp(name, levels[i]))
            return i;
    return -1;
}

int settings_debug(const char *log_level)
{
    return log_level && level_rank(log_level) >= LEVEL_DEBUG;
}

static bool fast_var(const char *name)
{
    for (size_t i = 0; i < sizeof fast_vars / sizeof fast_vars[0]; i++)
        if (!strcmp(name, fast_vars[i]))
            return true;
    return false;
}

/* Empty counts as unset, as in Node (effective.ts skips empty values). */
static int node_variable(char *why)
{
    for (size_t i = 0; i < sizeof key_vars / sizeof key_vars[0]; i++) {
        const char *v = getenv(key_vars[i]);
        if (v && *v && !fast_var(key_vars[i]))
            return fail(why, "%s is set", key_vars[i]);
    }
    return 0;
}

/* A flag's value, else the variable's; empty counts as unset, as in Node. */
static const char *layered(const char *flag, const char *var)
{
    const char *env = getenv(var);

    return flag && *flag ? flag : env && *env ? env : NULL;
}

/* Absolute, with no empty, "." or ".." component and no trailing slash:
 * a path path.join() leaves as it is, so that joining by hand gives Node's text. */
static bool plain_path(const char *p)
{
    if (p[0] != '/')
        return false;
    for (const char *c = p; *c; ) {
        size_t len = strcspn(++c, "/");
        if (!len || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += len;
    }
    return true;
}

/* An absolute path from the environment, as paths.ts's absolute() takes it. */
static const char *absolute_var(const char *name)
{
    const char *v = getenv(name);

    return v && v[0] == '/' ? v : NULL;
}

/* os.tmpdir(): TMPDIR, TMP, TEMP, else /tmp; one trailing slash dropped. */
static const char *tmpdir(char *buf, size_t cap)
{
    static const char *const names[] = {"TMPDIR", "TMP", "TEMP"};
    const char *dir = "/tmp";
    size_t len;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v) {
            dir = v;
            break;
        }
    }
    len = strlen(dir);
    if (len > 1 && dir[len - 1] == '/')
        len--;
    if (len >= cap)
        return NULL;
    memcpy(buf, dir, len);
    buf[len] = '\0';
    return buf;
}

/* src/paths.ts socketPath() without BIA_SOCKET. */
static int default_socket(struct settings *s, char *why)
{
    const char *runtime = absolute_var("XDG_RUNTIME_DIR");
    char tmp[PATH_MAX];
    const char *base = runtime ? runtime : tmpdir(tmp, sizeof tmp);
    int n;

    if (!base || !plain_path(base))
        return fail(why, "the runtime directory %.100s is not a plain absolute path", base ? base : "?");
    n = runtime ? snprintf(s->socket, sizeof s->socket, "%s/" BIA_SOCKET_RUNTIME_DIR "/" BIA_SOCKET_NAME, base)
                : snprintf(s->socket, sizeof s->socket, "%s/" BIA_SOCKET_TMP_DIR_PREFIX "%u/" BIA_SOCKET_NAME, base,
                           (unsigned)getuid());
    if (n < 0 || (size_t)n >= sizeof s->socket)
        return fail(why, "the default socket path under %.100s is too long", base);
    return 0;
}

static int socket_setting(const struct runopts *o, struct settings *s, char *why)
{
    const char *value = layered(o->socket, BIA_ENV_SOCKET);

    if (!value)
        return default_socket(s, why);
    if (value[0] != '/' || strlen(value) > BIA_MAX_SOCKET_PATH)
        return fail(why, "the socket %.100s is not an absolute path of at most " NUMBER_TEXT(BIA_MAX_SOCKET_PATH) " bytes", value);
    strcpy(s->socket, value);
    return 0;
}

/* --trace shows the preload's info lines, or more when more was asked for. */
static int log_setting(const struct runopts *o, struct settings *s, char *why)
{
    const char *value = layered(o->log_level, BIA_ENV_LOG_LEVEL);

    if (value && level_rank(value) < 0)
        return fail(why, "%.60s is not a log level", value);
    s->log_level = o->trace && !(value && level_rank(value) > LEVEL_INFO) ? levels[LEVEL_INFO] : value;
    return 0;
}

/* src/config/file.ts configPath(): a file there is Node's to read. */
static int no_config_file(char *why)
{
    const char *base = absolute_var("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char path[PATH_MAX];
    struct stat st;
    int n;

    if (!base && !(home && *home))
        return fail(why, "%s", "neither XDG_CONFIG_HOME nor HOME is set");
    if (!plain_path(base ? base : home))
        return fail(why, "the config directory under %.100s is not a plain absolute path", base ? base : home);
    n = snprintf(path, sizeof path, base ? "%s/" BIA_CONFIG_DIR "/" BIA_CONFIG_FILE
                                         : "%s/" BIA_CONFIG_DEFAULT_HOME "/" BIA_CONFIG_DIR "/" BIA_CONFIG_FILE,
                 base ? base : home);
    if (n < 0 || (size_t)n >= sizeof path)
        return fail(why, "the config path under %.100s is too long", base ? base : home);
    if (stat(path, &st) == 0)
        return fail(why, "the config file %.150s exists", path);
    if (errno != ENOENT)
        return fail(why, "the config file %.150s cannot be checked", path);
    return 0;
}

int settings_resolve(const struct runopts *o, struct settings *s, char why[SETTINGS_WHY_SIZE])
{
    *s = (struct settings){0};
    /* The log level first, so that the launcher's debug lines say why it declines. */
    if (log_setting(o, s, why) || node_variable(why) || socket_setting(o, s, why) || no_config_file(why))
        return -1;
    return 0;
}
