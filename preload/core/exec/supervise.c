/* See supervise.h. */
#define _GNU_SOURCE
#include "exec/supervise.h"

#include "exec/elfreach.h"
#include "runtime/real.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define SUPERVISOR "bia-supervise"

static char supervisor[PATH_MAX];

/* Found once at load, where a lock may be taken (dladdr takes the
 * loader's): an exec may run in a child forked while another thread held it. */
__attribute__((constructor)) static void find_supervisor(void)
{
    Dl_info info;
    const char *slash;

    if (!dladdr((void *)find_supervisor, &info) || !info.dli_fname || !(slash = strrchr(info.dli_fname, '/')))
        return;
    if (snprintf(supervisor, sizeof supervisor, "%.*s/" SUPERVISOR, (int)(slash - info.dli_fname),
                 info.dli_fname) >= (int)sizeof supervisor)
        supervisor[0] = '\0';
}

/* A set-id or file-capability program keeps its privileges only outside
 * the supervisor (PR_SET_NO_NEW_PRIVS): it runs as asked, untranslated,
 * as bia run leaves it. */
static bool privileged(const char *file)
{
    struct stat st;

    return stat(file, &st) || (st.st_mode & (S_ISUID | S_ISGID)) ||
           getxattr(file, "security.capability", NULL, 0) > 0;
}

/* The file the exec would run, with a slash (the supervisor's execvp
 * must not search PATH for it), in file (PATH_MAX bytes). */
static bool locate(const char *cmd, bool search, char *file)
{
    if (search || strchr(cmd, '/'))
        return bia_elfreach_search(cmd, getenv("PATH"), file, PATH_MAX);
    return snprintf(file, PATH_MAX, "./%s", cmd) < PATH_MAX;   /* execve's: the current directory */
}

/* What the supervisor must serve: the file that would run, in file. */
static enum bia_elfreach unreachable(const char *cmd, bool search, char *file)
{
    enum bia_elfreach reach;

    if (!locate(cmd, search, file))
        return BIA_ELF_PRELOAD;
    reach = bia_elfreach(file);
    if (reach == BIA_ELF_PRELOAD || !supervisor[0] || access(file, X_OK) ||
        access(supervisor, X_OK) || privileged(file))
        return BIA_ELF_PRELOAD;
    return reach;
}

static size_t count(char *const v[])
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

typedef int (*exec_fn)(const char *file, char *const argv[], char *const envp[], void *ctx);

/* Calls run with bia-supervise and its arguments when cmd is a program
 * the supervisor must serve, else with the arguments as they are. */
static int route(const char *cmd, bool search, char *const argv[], char *const envp[], exec_fn run, void *ctx)
{
    char file[PATH_MAX];
    enum bia_elfreach reach = unreachable(cmd, search, file);
    size_t argc = count(argv), envc = count(envp), n = 0;

    if (reach == BIA_ELF_PRELOAD)
        return run(cmd, argv, envp, ctx);
    {
        char *sargv[argc + 4], *senvp[envc + 1];

        sargv[0] = supervisor;
        sargv[1] = "--";
        sargv[2] = file;   /* the program's argv[0] is its path under the supervisor */
        for (size_t i = 1; i <= argc; i++)
            sargv[i + 2] = argv[i];   /* argv[1..] and its NULL */
        if (!argc)
            sargv[3] = NULL;
        for (size_t i = 0; i < envc; i++)
            if (reach != BIA_ELF_MUSL || strncmp(envp[i], "LD_PRELOAD=", strlen("LD_PRELOAD=")))
                senvp[n++] = envp[i];
        senvp[n] = NULL;
        return run(supervisor, sargv, senvp, ctx);
    }
}

static int execve_fn(const char *file, char *const argv[], char *const envp[], void *ctx)
{
    (void)ctx;
    return bia_real()->execve(file, argv, envp);
}

static int execvpe_fn(const char *file, char *const argv[], char *const envp[], void *ctx)
{
    (void)ctx;
    return bia_real()->execvpe(file, argv, envp);
}

struct spawn {
    pid_t *pid;
    const posix_spawn_file_actions_t *actions;
    const posix_spawnattr_t *attr;
};

static int spawn_fn(const char *file, char *const argv[], char *const envp[], void *ctx)
{
    struct spawn *s = ctx;

    return bia_real()->posix_spawn(s->pid, file, s->actions, s->attr, argv, envp);
}

static int spawnp_fn(const char *file, char *const argv[], char *const envp[], void *ctx)
{
    struct spawn *s = ctx;

    return bia_real()->posix_spawnp(s->pid, file, s->actions, s->attr, argv, envp);
}

int bia_supervise_execve(const char *path, char *const argv[], char *const envp[])
{
    return route(path, false, argv, envp, execve_fn, NULL);
}

int bia_supervise_execvpe(const char *file, char *const argv[], char *const envp[])
{
    return route(file, true, argv, envp, execvpe_fn, NULL);
}

int bia_supervise_spawn(pid_t *pid, const char *file, bool search, const posix_spawn_file_actions_t *actions,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    struct spawn s = {pid, actions, attr};

    return route(file, search, argv, envp, search ? spawnp_fn : spawn_fn, &s);
}
