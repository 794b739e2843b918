/*
 * A descriptor for the library when the program has used every one its
 * RLIMIT_NOFILE allows. A swap (swap.c) needs a second descriptor for a
 * moment, and a request to the helper (helper_conn.c) one for the call:
 * without them a connect() at the limit would fail with EMFILE, which
 * connect never returns natively, or not reach the helper at all.
 *
 * On EMFILE the soft limit is raised (by up to 64, as the hard limit
 * allows) for the one socket() call: the new socket takes a number just
 * past the program's limit, none of the program's own, and the limit goes
 * back at once (a descriptor past the limit stays usable). Failing that (the soft
 * limit is the hard one), a kept helper connection is closed to free its
 * number. Otherwise the call fails with EMFILE, and the caller says what
 * that means for the program.
 */
#ifndef BIA_FDROOM_H
#define BIA_FDROOM_H

/* socket(domain, type, protocol) for the library's own use, made room for
 * as above. Async-signal-safe. */
int bia_fdroom_socket(int domain, int type, int protocol);

#endif
