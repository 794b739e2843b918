/* See supervise.h. */
#define _GNU_SOURCE
#include "exec/supervise.h"

#include "bia_contract.h"
#include "exec/elfreach.h"
#include "exec/siblings.h"
#include "runtime/real.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LD_PRELOAD "LD_PRELOAD="

/* How the program that would run is reached, and with which preload. */
struct plan {
    char file[PATH_MAX];    /* with a slash: the supervisor's execvp must not search PATH */
    const char *library;    /* the LD_PRELOAD entry it takes ("": none of bia's) */
    bool supervise;
};

/* A set-id or file-capability program keeps its privileges only outside
 * the supervisor (PR_SET_NO_NEW_PRIVS): it runs as asked, untranslated,
 * as bia run leaves it. */
static bool privileged(const char *file)
{
    struct stat st;

    return stat(file, &st) || (st.st_mode & (S_ISUID | S_ISGID)) ||
           getxattr(file, "security.capability", NULL, 0) > 0;
}

static bool locate(const char *cmd, bool search, char *file)
{
    if (search || strchr(cmd, '/'))
        return bia_elfreach_search(cmd, getenv("PATH"), file, PATH_MAX);
    return snprintf(file, PATH_MAX, "./%s", cmd) < PATH_MAX;   /* execve's: the current directory */
}

/* Whether envp names the helper and the pool, which bia-supervise needs
 * (an environment the program emptied, env -i, runs the program as asked). */
static bool has_settings(char *const envp[])
{
    bool socket = false, pool = false;

    for (size_t i = 0; envp && envp[i]; i++) {
        socket = socket || !strncmp(envp[i], BIA_ENV_SOCKET "=", strlen(BIA_ENV_SOCKET "="));
        pool = pool || !strncmp(envp[i], BIA_ENV_POOL "=", strlen(BIA_ENV_POOL "="));
    }
    return socket && pool;
}

/* false: the exec goes ahead as asked (a glibc program under the glibc
 * build, the usual case, costs only the ELF check). */
static bool make_plan(const char *cmd, bool search, char *const envp[], struct plan *p)
{
    enum bia_elfreach reach = locate(cmd, search, p->file) ? bia_elfreach(p->file) : BIA_ELF_PRELOAD;

#ifdef __GLIBC__
    if (reach == BIA_ELF_PRELOAD)
        return false;
#endif
    p->supervise = false;
    p->library = reach == BIA_ELF_MUSL ? bia_sibling_musl() : bia_sibling_glibc();
    if (reach == BIA_ELF_PRELOAD || (reach == BIA_ELF_MUSL && p->library[0]) ||
        access(p->file, X_OK) || privileged(p->file))
        return true;
    p->supervise = bia_sibling_supervisor()[0] != '\0' && has_settings(envp);
    return true;
}

/* "LD_PRELOAD=..." with bia's entry replaced by library (or removed, for
 * ""), in out (size bytes); false when it does not fit. */
static bool preload_for(const char *entry, const char *library, char *out, size_t size)
{
    const char *p = entry + strlen(LD_PRELOAD);
    size_t n = (size_t)snprintf(out, size, "%s%s", LD_PRELOAD, library);

    while (*p && n < size) {
        size_t len = strcspn(p, ": ");

        if (len && !bia_sibling_is_preload(p, len))
            n += (size_t)snprintf(out + n, size - n, "%s%.*s", n > strlen(LD_PRELOAD) ? ":" : "", (int)len, p);
        p += len + (p[len] != '\0');
    }
    return n < size;
}

static size_t count(char *const v[])
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

typedef int (*exec_fn)(const char *file, char *const argv[], char *const envp[], void *ctx);

/* Calls run with the arguments the plan for cmd makes: bia-supervise's
 * for a program only the supervisor reaches, and an LD_PRELOAD with the
 * preload build for the program's C library. */
static int route(const char *cmd, bool search, char *const argv[], char *const envp[], exec_fn run, void *ctx)
{
    struct plan p;
    size_t argc = count(argv), envc = count(envp), n = 0;
    char preload[4 * PATH_MAX];

    if (!make_plan(cmd, search, envp, &p))
        return run(cmd, argv, envp, ctx);
    {
        char *sargv[argc + 4], *senvp[envc + 1];

        for (size_t i = 0; i < envc; i++)
            if (strncmp(envp[i], LD_PRELOAD, strlen(LD_PRELOAD)))
                senvp[n++] = envp[i];
            else if (preload_for(envp[i], p.library, preload, sizeof preload))
                senvp[n++] = preload;
            else
                senvp[n++] = envp[i];
        senvp[n] = NULL;
        if (!p.supervise)
            return run(cmd, argv, senvp, ctx);
        sargv[0] = (char *)bia_sibling_supervisor();   /* a static string */
        sargv[1] = "--";
        sargv[2] = p.file;   /* the program's argv[0] is its path under the supervisor */
        for (size_t i = 1; i <= argc; i++)
            sargv[i + 2] = argv[i];   /* argv[1..] and its NULL */
        if (!argc)
            sargv[3] = NULL;
        return run(sargv[0], sargv, senvp, ctx);
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
