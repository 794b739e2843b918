/*
 * accept() and accept4() on a listener the supervisor translated
 * (bind.h): the supervisor accepts the connection itself (blocking.h),
 * puts it in the program (ADDFD), remembers it as translated (so
 * getpeername and getsockname answer IPv4) and writes the client's
 * address as the preload shows it: an IPv6 client as its pool address
 * (MAP6), a v4-mapped one as itself. Other listeners: the kernel's accept.
 */
#ifndef BIA_SUPERVISOR_ACCEPT_H
#define BIA_SUPERVISOR_ACCEPT_H

#include <linux/seccomp.h>
#include <stdbool.h>

void accept_serve(int listener, const struct seccomp_notif *req, bool four);

#endif
