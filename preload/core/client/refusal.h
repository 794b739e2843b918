/*
 * When the helper refuses this process. A per-user helper serves its own
 * uid: its socket's directory is that user's alone, and it answers DENIED
 * to anyone else. A program that changes its uid (a server's workers, a
 * downloader that drops to a user of its own) is then refused from the
 * switch on, except on a helper connection it opened before, which keeps
 * the identity of its connect (SO_PEERCRED). The process is told once why
 * and what to do; the failed calls' own lines then go to debug level, so
 * that a busy server's log shows one line, not one per request.
 */
#ifndef BIA_REFUSAL_H
#define BIA_REFUSAL_H

#include "runtime/log.h"

#include <stdbool.h>

/* The helper refused a call: connect failed with ERR (EACCES, EPERM), or,
 * with ERR 0, it answered DENIED. Logs the explanation the first time. */
void bia_refusal_note(int err);

/* The helper served a call: the refusal, if any, is over. */
void bia_refusal_clear(void);

/* Whether the helper refuses this process now and the process was told. */
bool bia_refusal_told(void);

/* A warning about a failed helper call: a debug line once the refusal
 * behind the failure has been explained. */
#define bia_warn_helper(...) \
    bia_log(bia_refusal_told() ? BIA_LOG_DEBUG : BIA_LOG_WARN, __VA_ARGS__)

#endif
