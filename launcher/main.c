/*
 * The `bia` command, native: `bia run` without Node when it can, and the
 * Node CLI (dist/cli/main.js) for everything else.
 *
 * `bia run -- CMD` as a Node program costs Node's own start-up (about
 * 200 ms here) on every program it launches. When bia run has nothing to
 * interpret but what this fast path knows (runopts.h, settings.h) and a
 * helper answers HELLO on the socket, the launcher sets the program's
 * environment as the Node launcher would (childenv.h) and execs it: the
 * program then is this process, its exit status and signals its own. In
 * every other case, including no helper answering (the Node launcher
 * starts one) and a program that cannot be executed (it says why, with
 * bia's exit codes), the Node CLI runs with the original arguments and
 * environment, so the result is the one it always gave.
 */
#include "bia_contract.h"
#include "childenv.h"
#include "hello.h"
#include "package.h"
#include "runopts.h"
#include "secureexec.h"
#include "settings.h"
#include "unreachable.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* As long as the Node launcher waits for an existing helper's answer, and
 * for a busy one (ensure-helper.ts). */
#define HELLO_TIMEOUT_MS 500
#define BUSY_TIMEOUT_MS 20000

/* Room for the longest reason of hello.h, settings.h and childenv.h. */
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define WHY_SIZE MAX2(MAX2(HELLO_WHY_SIZE, SETTINGS_WHY_SIZE), CHILDENV_WHY_SIZE)

/* The launcher's debug lines, in the preload's format (preload/core/runtime/log.c). */
static void debug(const struct settings *s, const char *fmt, ...)
{
    char line[512];
    int n;
    va_list ap;

    if (!s || !settings_debug(s->log_level))
        return;
    n = snprintf(line, sizeof line, "bia[%d]: launcher: ", (int)getpid());
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    /* A control character in a path or command must not forge a line. */
    for (char *c = line; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    strcat(line, "\n");
    (void)!write(2, line, strlen(line));
}

/* Execs FILE (command[0] names it) through its loader interp, which keeps
 * LD_PRELOAD where FILE's capabilities would make it secure (secureexec.h). */
static void exec_loader(char *interp, char *file, char **command, char **env)
{
    int argc = 0;

    while (command[argc])
        argc++;
    {
        char *argv[argc + 4];
        argv[0] = interp;
        argv[1] = "--argv0";
        argv[2] = command[0];
        argv[3] = file;
        memcpy(argv + 4, command + 1, (size_t)argc * sizeof *command);   /* command[1..] and NULL */
        execve(interp, argv, env);
    }
}

/* Execs the program with bia, or returns when the Node launcher must run. */
static void run_fast(char **args, const char *root)
{
    struct runopts o;
    struct settings s = {0};
    struct bia_hello hello;
    struct bia_socktrust trust;
    const char *how = "answered";
    char warning[2 * PATH_MAX + 256], file[PATH_MAX], interp[PATH_MAX];
    char library[PATH_MAX], why[WHY_SIZE];
    enum bia_elfreach reach;
    char **env;

    if (runopts_parse(args, &o)) {
        s.log_level = o.log_level ? o.log_level : getenv(BIA_ENV_LOG_LEVEL);
        debug(&s, "the Node launcher takes over: an option other than --socket, --log-level and --trace, or no command");
        return;
    }
    if (settings_resolve(&o, &s, why)) {
        debug(&s, "the Node launcher takes over: %s", why);
        return;
    }
    reach = unreachable_program(o.command[0]);
    if (reach == BIA_ELF_STATIC) {
        debug(&s, "the Node launcher takes over: %s is statically linked (it runs under the supervisor)", o.command[0]);
        return;
    }
    if (package_library(root, reach == BIA_ELF_MUSL, library)) {
        debug(&s, reach == BIA_ELF_MUSL ? "the Node launcher takes over: %s is musl's and bia's musl preload is not built (it runs under the supervisor)"
                                        : "the Node launcher takes over: it picks the preload library for %s", o.command[0]);
        return;
    }
    switch (bia_socktrust_path(s.socket, &trust, why, sizeof why)) {
    case BIA_TRUST_ABSENT:
        debug(&s, "the Node launcher takes over (it starts a helper): no helper socket at %s", s.socket);
        return;
    case BIA_TRUST_REFUSED:
        debug(&s, "the Node launcher takes over (it says why): %s", why);
        return;
    }
    if (hello_published(s.socket, &trust, &hello, why) == 0) {
        how = "listens (settings from its published table)";
    } else {
        debug(&s, "asking the helper: %s", why);
        if (hello_ask(s.socket, &trust, HELLO_TIMEOUT_MS, BUSY_TIMEOUT_MS, &hello, why)) {
            debug(&s, "the Node launcher takes over (it starts a helper): %s", why);
            return;
        }
    }
    if (childenv_check(&hello, why)) {
        debug(&s, "the Node launcher takes over: %s", why);
        return;
    }
    env = childenv_build(library, &s, &hello);
    if (!env)
        return;
    debug(&s, "helper on %s %s; running %s directly", s.socket, how, o.command[0]);
    switch (secureexec_prepare(o.command[0], warning, sizeof warning, file, interp)) {
    case 1:
        (void)!write(2, warning, strlen(warning));
        break;
    case 2:
        exec_loader(interp, file, o.command, env);
        debug(&s, "the Node launcher takes over (it reports the error): exec %s: %s", interp, strerror(errno));
        return;
    }
    execvpe(o.command[0], o.command, env);
    debug(&s, "the Node launcher takes over (it reports the error): exec %s: %s", o.command[0], strerror(errno));
}

static void exec_node(const char *root, char **argv)
{
    char main_js[PATH_MAX];
    int argc = 0;

    while (argv[argc])
        argc++;
    package_main(root, main_js);
    {
        char *node_argv[argc + 2];
        node_argv[0] = "node";
        node_argv[1] = main_js;
        memcpy(node_argv + 2, argv + 1, (size_t)argc * sizeof *argv);   /* argv[1..] and NULL */
        execvp("node", node_argv);
    }
    fprintf(stderr, "bia: cannot run node (bia's command line is a Node program): %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
    char root[PATH_MAX];

    if (package_root(root)) {
        fprintf(stderr, "bia: cannot find the bia package (dist/cli/main.js) above this launcher\n");
        return 70;   /* EXIT_INTERNAL */
    }
    if (argc > 1 && !strcmp(argv[1], "run"))
        run_fast(argv + 2, root);
    exec_node(root, argv);
    return 127;   /* as env(1) when the command is not found */
}
