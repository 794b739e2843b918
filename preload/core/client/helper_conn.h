/*
 * The process's connections to the helper. A call takes one for itself
 * (an idle one kept from an earlier call, else a new one), makes its
 * exchange, and gives it back; so a process pays the connection set-up
 * once, not per call, and no two calls ever share a connection mid-message.
 *
 * At most BIA_CONN_KEPT idle connections are kept; a call that finds none
 * idle (threads calling at once) opens its own. Every function here is
 * lock-free and async-signal-safe, as connect, which may need the helper,
 * is: a signal handler never waits for the thread it interrupted.
 *
 * A kept connection is used only by the process that opened it: a child
 * with its own copy of this memory (fork, raw clone; newproc.h) closes the
 * ones it inherited and opens its own; a vfork child or a CLONE_VM child,
 * which shares this memory, uses one-shot connections. A kept descriptor the program closed or reused behind the
 * library's back (close_range, closefrom, dup2 onto it) is recognised by
 * its inode and forgotten, never closed: the number is the program's now.
 * All connections are close-on-exec.
 *
 * The helper knows a connection by the credentials of its connect
 * (SO_PEERCRED): a kept one goes on being served as the uid the process had
 * then, after a setuid, until the helper closes it idle; a new one is the
 * new uid's, which a user's own helper refuses (core/client/refusal.h).
 */
#ifndef BIA_HELPER_CONN_H
#define BIA_HELPER_CONN_H

#include <stdbool.h>
#include <sys/types.h>

#define BIA_CONN_KEPT 4

struct bia_conn {
    int fd;
    dev_t dev;
    ino_t ino;
    bool reused;   /* kept from an earlier call: the helper may have closed it since */
};

/*
 * Gives c a connection to the helper: a kept one if the process has one
 * idle (c->reused), else a new one connected before deadline (monotonic
 * ms). Returns 0, or -1 with why set (BIA_WHY_SIZE bytes).
 */
int bia_conn_take(struct bia_conn *c, long long deadline, char *why);

/* Opens a new connection even if a kept one is idle. */
int bia_conn_open(struct bia_conn *c, long long deadline, char *why);

/* c finished an exchange cleanly: keep it for the next call (or close it
 * when BIA_CONN_KEPT are already idle). */
void bia_conn_put(struct bia_conn *c);

/* c failed (timeout, malformed reply, peer gone): close it. */
void bia_conn_drop(struct bia_conn *c);

/* Closes one idle kept connection, if this process has one: its number
 * is needed elsewhere (fdroom.h). */
bool bia_conn_close_kept(void);

/* In a new process (newproc.h): closes the parent's kept connections. */
void bia_conn_forked(void);

/* CLOCK_MONOTONIC in ms, the clock of every deadline here. */
long long bia_conn_now_ms(void);

#endif
