#include "childenv.h"

#include "bia_contract.h"
#include "v6text.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* Whether the entries (NAME=value) a and b are of the same variable. */
static bool same_name(const char *a, const char *b)
{
    size_t len = strcspn(a, "=");

    return strncmp(a, b, len + 1) == 0;
}

/* Whether ENTRY is one of the N variables in LIST, or BIA_LAUNCHER_PID:
 * the Node launcher's mark, which the program does not get from this one,
 * as it is not a child of a launcher that stays (preload/core/exec/launcher.c). */
static bool is_replaced(const char *entry, char *const *list, size_t n)
{
    if (same_name(entry, BIA_ENV_LAUNCHER_PID "="))
        return true;
    for (size_t i = 0; i < n; i++)
        if (same_name(entry, list[i]))
            return true;
    return false;
}

/* ld.so takes spaces and colons between LD_PRELOAD entries. */
#define SEPARATORS " :"

static bool has_entry(const char *list, const char *entry, size_t len)
{
    while (*(list += strspn(list, SEPARATORS))) {
        size_t n = strcspn(list, SEPARATORS);
        if (n == len && !strncmp(list, entry, len))
            return true;
        list += n;
    }
    return false;
}

/* Appends LIST's entries that are not in SKIP (may be NULL) to out at w,
 * space-separated; returns the new end. */
static char *append_entries(char *out, char *w, const char *list, const char *skip)
{
    while (*(list += strspn(list, SEPARATORS))) {
        size_t n = strcspn(list, SEPARATORS);
        if (!skip || !has_entry(skip, list, n)) {
            if (w > out)
                *w++ = ' ';
            memcpy(w, list, n);
            w += n;
        }
        list += n;
    }
    return w;
}

/* "LD_PRELOAD=" and withLibrary(): LIBRARY's entries first, then the
 * current ones that are not among them. */
static char *ld_preload(const char *library)
{
    static const char name[] = "LD_PRELOAD=";
    const char *current = getenv("LD_PRELOAD");
    char *out = malloc(sizeof name + strlen(library) + (current ? strlen(current) : 0) + 1), *value, *w;

    if (!out)
        return NULL;
    value = stpcpy(out, name);
    w = append_entries(value, value, library, NULL);
    w = append_entries(value, w, current ? current : "", library);
    *w = '\0';
    return out;
}

static char *variable(const char *name, const char *value)
{
    char *out;

    return value && asprintf(&out, "%s=%s", name, value) >= 0 ? out : NULL;
}

/* "text/len" */
static char *network(const char *name, const char *text, unsigned len)
{
    char value[V6TEXT_SIZE + 4];

    snprintf(value, sizeof value, "%s/%u", text, len);
    return variable(name, value);
}

/* BIA_POOL, BIA_SYNTH, BIA_SYNTH_PREFIX, BIA_PLANE_ID from the helper's
 * HELLO, as preloadVariables() writes them; false when out of memory. */
#define HELLO_VARS 4
static bool hello_variables(const struct bia_hello *h, char *out[HELLO_VARS])
{
    char pool[INET_ADDRSTRLEN], prefix[V6TEXT_SIZE], plane[12];

    inet_ntop(AF_INET, &h->pool, pool, sizeof pool);
    v6text(&h->synth_prefix, prefix);
    snprintf(plane, sizeof plane, "%u", (unsigned)h->plane);
    out[0] = network(BIA_ENV_POOL, pool, h->pool_len);
    out[1] = variable(BIA_ENV_SYNTH, bia_synth_name(h->synth));
    out[2] = network(BIA_ENV_SYNTH_PREFIX, prefix, h->synth_len);
    out[3] = variable(BIA_ENV_PLANE_ID, plane);
    for (int i = 0; i < HELLO_VARS; i++)
        if (!out[i])
            return false;
    return true;
}

int childenv_check(const struct bia_hello *h, char why[CHILDENV_WHY_SIZE])
{
    char *vars[HELLO_VARS] = {0};
    int rc = 0;

    if (!hello_variables(h, vars)) {
        snprintf(why, CHILDENV_WHY_SIZE, "out of memory");
        rc = -1;
    }
    for (int i = 0; !rc && i < HELLO_VARS; i++) {
        char *value = strchr(vars[i], '=');
        const char *set;

        *value++ = '\0';
        set = getenv(vars[i]);
        /* Empty counts as unset, as in Node (effective.ts skips empty values). */
        if (set && *set && strcmp(set, value)) {
            snprintf(why, CHILDENV_WHY_SIZE, "%s=%.60s is set, not the helper's %.60s", vars[i], set, value);
            rc = -1;
        }
    }
    for (int i = 0; i < HELLO_VARS; i++)
        free(vars[i]);
    return rc;
}

#define MAX_ADDED 7

char **childenv_build(const char *library, const struct settings *s, const struct bia_hello *h)
{
    char *added[MAX_ADDED] = {0};
    size_t n = 0, n_added = 0, kept = 0;
    char **env;

    added[n_added++] = ld_preload(library);
    added[n_added++] = variable(BIA_ENV_SOCKET, s->socket);
    if (!hello_variables(h, added + n_added))
        return NULL;   /* out of memory: the Node launcher takes over */
    n_added += HELLO_VARS;
    if (s->log_level)
        added[n_added++] = variable(BIA_ENV_LOG_LEVEL, s->log_level);
    for (size_t i = 0; i < n_added; i++)
        if (!added[i])
            return NULL;
    while (environ[n])
        n++;
    env = calloc(n + n_added + 1, sizeof *env);
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!is_replaced(environ[i], added, n_added))
            env[kept++] = environ[i];
    memcpy(env + kept, added, n_added * sizeof *added);
    return env;
}
