#include "secureexec.h"

#include "elfinterp.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The file execvp would run for CMD: the first executable regular file. */
static int resolve(const char *cmd, char file[PATH_MAX])
{
    const char *path = getenv("PATH"), *dir, *end;
    struct stat st;

    if (strchr(cmd, '/')) {
        snprintf(file, PATH_MAX, "%s", cmd);
        return access(file, X_OK) == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
    }
    for (dir = path ? path : "/bin:/usr/bin"; *dir; dir = *end ? end + 1 : end) {
        end = strchrnul(dir, ':');
        if (end == dir)
            continue;
        if (snprintf(file, PATH_MAX, "%.*s/%s", (int)(end - dir), dir, cmd) >= PATH_MAX)
            continue;
        if (access(file, X_OK) == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode))
            return 0;
    }
    return -1;
}

/* The kernel ignores set-id bits on a script. */
static int is_script(const char *file)
{
    char head[2] = {0};
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return 0;
    if (read(fd, head, 2) != 2)
        head[0] = 0;
    close(fd);
    return head[0] == '#' && head[1] == '!';
}

/* A glibc loader, which takes --argv0 (2.33 and later). */
static int is_glibc_loader(const char *interp)
{
    const char *base = strrchr(interp, '/');

    return strncmp(base ? base + 1 : interp, "ld-linux", 8) == 0;
}

int secureexec_prepare(const char *cmd, char *line, size_t size, char file[PATH_MAX],
                       char interp[PATH_MAX])
{
    const char *why;
    struct stat st;

    if (resolve(cmd, file) || stat(file, &st) || is_script(file))
        return 0;
    if (st.st_mode & S_ISUID)
        why = "is set-uid";
    else if (st.st_mode & S_ISGID)
        why = "is set-gid";
    else if (getxattr(file, "security.capability", NULL, 0) <= 0)
        return 0;
    else if (getuid() == 0 || geteuid() == 0)
        return 0;   /* root holds every capability: no secure execution */
    else if (elf_interpreter(file, interp, PATH_MAX) == 0 && is_glibc_loader(interp))
        return 2;
    else
        why = "has file capabilities";
    snprintf(line, size,
             "bia: warning: %s %s: the loader ignores LD_PRELOAD for it, so it runs without bia "
             "(untranslated); if it does not need its privileges, run a plain copy (cp %s "
             "elsewhere) with bia run\n",
             file, why, file);
    return 1;
}
