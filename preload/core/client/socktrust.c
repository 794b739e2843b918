/* Whether a helper socket can be trusted (bia_socktrust.h): one
 * implementation for the preload and the native launcher. It runs on the
 * preload's path to the helper, which may be a signal handler's: system
 * calls and formatting into the caller's buffer, no locks. getsockopt is
 * made as a system call, past the preload's own getsockopt hook. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* struct ucred */
#endif
#include "bia_socktrust.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ELSEWHERE "or set XDG_RUNTIME_DIR (or BIA_SOCKET) to a directory of your own"

static int refuse(char *why, size_t size, const char *socket_path, const char *fmt, ...)
{
    int n = snprintf(why, size, "refusing the helper socket %s: ", socket_path);
    va_list ap;

    if (n > 0 && (size_t)n < size) {
        va_start(ap, fmt);
        vsnprintf(why + n, size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    errno = EPERM; /* refused by rule; a path we may not look at says EACCES (below) */
    return BIA_TRUST_REFUSED;
}

/* A refusal because the caller may not even look: errno stays EACCES, so
 * that the preload can tell a process that switched user away from its
 * helper (refusal.h) from a socket someone else planted. */
static int refuse_unseen(char *why, size_t size, const char *socket_path, const char *what)
{
    int err = errno;

    refuse(why, size, socket_path, "cannot look at %s: %s; " ELSEWHERE, what, strerror(err));
    errno = err;
    return BIA_TRUST_REFUSED;
}

static unsigned mode_of(const struct stat *st)
{
    return (unsigned)(st->st_mode & 07777);
}

/* Root gave dir to its owner: every directory above it is root's and
 * writable by root alone, so nobody else can have put it there. */
static bool given_by_root(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    char *slash;

    if (!realpath(dir, path))
        return false;
    while ((slash = strrchr(path, '/')) != NULL) {
        slash[slash == path] = '\0';   /* the parent; "/" stays "/" */
        if (lstat(path, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022))
            return false;
        if (!strcmp(path, "/"))
            return true;
    }
    return false;
}

static int check_dir(const char *socket_path, const char *dir, struct bia_socktrust *t, char *why,
                     size_t size)
{
    struct stat st;
    uid_t me = geteuid();

    if (lstat(dir, &st) < 0) {
        if (errno == ENOENT)
            return BIA_TRUST_ABSENT;
        return refuse_unseen(why, size, socket_path, dir);
    }
    if (S_ISLNK(st.st_mode))
        return refuse(why, size, socket_path,
                      "%s is a symbolic link (uid %u's), not a directory; whoever made it may "
                      "listen there: remove it (rm %s) " ELSEWHERE,
                      dir, (unsigned)st.st_uid, dir);
    if (!S_ISDIR(st.st_mode))
        return refuse(why, size, socket_path, "%s is not a directory: remove it (rm %s) " ELSEWHERE,
                      dir, dir);
    t->owner = st.st_uid;
    t->vouched = false;
    t->any_peer = false;
    if (st.st_uid == me && !(st.st_mode & 077))
        return BIA_TRUST_OK;
    if (!(st.st_mode & 022) && (st.st_uid == 0 || given_by_root(dir))) {
        t->vouched = true;
        return BIA_TRUST_OK;
    }
    if (st.st_uid == me)
        return refuse(why, size, socket_path,
                      "its directory %s is yours but has mode %04o, not 0700: run 'chmod 0700 %s'", dir,
                      mode_of(&st), dir);
    return refuse(why, size, socket_path,
                  "its directory %s belongs to uid %u (mode %04o), neither to you (uid %u) with mode "
                  "0700 nor to root alone; whoever made it may listen there: remove it (rm -r %s, as "
                  "its owner or root) " ELSEWHERE,
                  dir, (unsigned)st.st_uid, mode_of(&st), (unsigned)me, dir);
}

int bia_socktrust_path(const char *socket_path, struct bia_socktrust *t, char *why, size_t size)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(socket_path, '/');
    struct stat st;
    int rc;

    if (!slash)
        strcpy(dir, ".");
    else if (slash == socket_path)
        strcpy(dir, "/");
    else if ((size_t)(slash - socket_path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - socket_path), socket_path);
    else
        return refuse(why, size, socket_path, "the path is too long");
    if ((rc = check_dir(socket_path, dir, t, why, size)) != BIA_TRUST_OK)
        return rc;
    if (lstat(socket_path, &st) < 0) {
        if (errno == ENOENT)
            return BIA_TRUST_ABSENT;
        return refuse(why, size, socket_path, "cannot look at it: %s", strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        return refuse(why, size, socket_path, "it is a symbolic link (uid %u's), not a socket: remove it (rm %s)",
                      (unsigned)st.st_uid, socket_path);
    if (!S_ISSOCK(st.st_mode))
        return refuse(why, size, socket_path, "it is not a socket: remove it (rm %s)", socket_path);
    if (st.st_uid != t->owner && !(t->vouched && st.st_uid == 0))
        return refuse(why, size, socket_path,
                      "it belongs to uid %u, not to uid %u whose directory it is in: remove it (rm %s)",
                      (unsigned)st.st_uid, (unsigned)t->owner, socket_path);
    t->any_peer = t->vouched && t->owner == 0 && st.st_uid == 0;
    return BIA_TRUST_OK;
}

int bia_socktrust_peer(int fd, const char *socket_path, const struct bia_socktrust *t, char *why,
                       size_t size)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    uid_t me = geteuid();

    if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return refuse(why, size, socket_path, "cannot learn who listens on it: %s", strerror(errno));
    if (cred.uid == me || t->any_peer || (t->vouched && (cred.uid == 0 || cred.uid == t->owner)))
        return BIA_TRUST_OK;
    return refuse(why, size, socket_path,
                  "the process listening on it (pid %d) runs as uid %u, not as you (uid %u)%s; remove "
                  "it (rm %s, as its owner or root) " ELSEWHERE,
                  (int)cred.pid, (unsigned)cred.uid, (unsigned)me,
                  t->vouched ? ", root or the directory's owner" : "", socket_path);
}
