#include "client/refusal.h"

#include "runtime/config.h"
#include "runtime/real.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uid_t load_euid;   /* who the process was when the library loaded */
static int refused;       /* the last call was refused */
static int told;          /* the process was told why */

__attribute__((constructor)) static void refusal_at_load(void)
{
    load_euid = geteuid();
}

/* NAME out of one /etc/passwd line if its uid is UID. */
static bool line_names(char *line, uid_t uid, char *out, size_t size)
{
    char *pw = strchr(line, ':'), *id, *end;

    if (!pw || !(id = strchr(pw + 1, ':')) || (size_t)(pw - line) >= size)
        return false;
    if (strtoul(id + 1, &end, 10) != uid || *end != ':' || end == id + 1)
        return false;
    memcpy(out, line, (size_t)(pw - line));
    out[pw - line] = '\0';
    return true;
}

/* The user's name from /etc/passwd, read with plain read(): no NSS module
 * (and no malloc) inside a call that may be a signal handler's. */
static bool passwd_name(uid_t uid, char *out, size_t size)
{
    char buf[1024], *line, *nl;
    size_t have = 0;
    ssize_t n;
    bool found = false, skipping = false;
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    while (!found && (n = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
        have += (size_t)n;
        for (line = buf; !found && (nl = memchr(line, '\n', have - (size_t)(line - buf)));
             line = nl + 1) {
            *nl = '\0';
            found = !skipping && line_names(line, uid, out, size);
            skipping = false;
        }
        have -= (size_t)(line - buf);
        memmove(buf, line, have);
        if (have == sizeof buf - 1) {
            have = 0;   /* a line longer than any passwd entry worth naming: up to its end */
            skipping = true;
        }
    }
    if (!found && have && !skipping) {
        buf[have] = '\0';
        found = line_names(buf, uid, out, size);
    }
    bia_real()->close(fd);
    return found;
}

/* "33 (www-data)", or "33" for a uid without a name. */
static void describe(uid_t uid, char *out, size_t size)
{
    char name[64];
    int n = snprintf(out, size, "%u", (unsigned)uid);

    if (n > 0 && (size_t)n < size && passwd_name(uid, name, sizeof name))
        snprintf(out + n, size - (size_t)n, " (%s)", name);
}

/* The directory on the way to the socket that keeps this process out: the
 * deepest one it can stat (the one below it could not be searched). */
static bool closed_dir(char *dir, struct stat *st)
{
    char *slash;

    while ((slash = strrchr(dir, '/'))) {
        *slash = '\0';
        if (!dir[0])
            return false;
        if (stat(dir, st) == 0)
            return true;
        if (errno != EACCES)
            return false;
    }
    return false;
}

/* Which helper refused, told by that directory: a user's own (0700,
 * another uid's), root's that others cannot reach, or a shared one. */
static void explain(int err)
{
    const char *path = bia_config()->socket_path, *now = geteuid() != load_euid ? "now " : "";
    char who[96], owner[96], dir[sizeof bia_config()->socket_path];
    uid_t uid = geteuid();
    struct stat st;
    bool stated;

    snprintf(dir, sizeof dir, "%s", path);
    stated = closed_dir(dir, &st) && st.st_uid != uid;
    describe(uid, who, sizeof who);
    if (stated && st.st_uid != 0 && !(st.st_mode & 077)) {
        describe(st.st_uid, owner, sizeof owner);
        bia_warn("this process %sruns as uid %s and the helper at %s serves only uid %s: run a "
                 "helper for both (as root: bia install --system --allow-users %u,%u) or start "
                 "the program as root through a root helper (bia run --allow-root); until then "
                 "its lookups fail and IPv6 peers show as 0.0.0.0",
                 now, who, path, owner, (unsigned)st.st_uid, (unsigned)uid);
    } else if (stated && st.st_uid == 0 && err) {
        bia_warn("this process %sruns as uid %s and cannot reach root's helper at %s (%s): run "
                 "'chmod o+x %s' (a root helper serves every uid); until then its lookups fail "
                 "and IPv6 peers show as 0.0.0.0",
                 now, who, path, strerror(err), dir);
    } else {
        bia_warn("this process %sruns as uid %s, which the helper at %s does not serve (%s): its "
                 "admin adds the user (bia install --system --allow-users %u); until then its "
                 "lookups fail and IPv6 peers show as 0.0.0.0",
                 now, who, path, err ? strerror(err) : "it answered DENIED", (unsigned)uid);
    }
}

void bia_refusal_note(int err)
{
    int no = 0;

    __atomic_store_n(&refused, 1, __ATOMIC_RELAXED);
    if (__atomic_compare_exchange_n(&told, &no, 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        explain(err);
}

void bia_refusal_clear(void)
{
    __atomic_store_n(&refused, 0, __ATOMIC_RELAXED);
}

bool bia_refusal_told(void)
{
    return __atomic_load_n(&refused, __ATOMIC_RELAXED) && __atomic_load_n(&told, __ATOMIC_RELAXED);
}
