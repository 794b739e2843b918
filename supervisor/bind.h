/*
 * bind() of an AF_INET socket to 0.0.0.0 or to this host's stand-in
 * 192.0.0.2 (a server): the socket is replaced by a dual-stack AF_INET6
 * one bound to [::] on the same port, so IPv6 clients reach it too, as
 * the preload does (preload/core/v4prog/bindv4.c). Only an unbound socket
 * is replaced, and only when its replacement can bind; otherwise, and for
 * any other address, the kernel answers the bind as it is.
 */
#ifndef BIA_SUPERVISOR_BIND_H
#define BIA_SUPERVISOR_BIND_H

#include <linux/seccomp.h>

void bind_serve(int listener, const struct seccomp_notif *req);

#endif
