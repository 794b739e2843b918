/*
 * Programs that do their own DNS (Go's resolver, musl's): on an IPv6-only
 * network, a connect to port 53 of a resolv.conf server (or the loopback
 * fallback) is made to the helper's DNS endpoint instead, with the
 * preload's rules (preload/core/names/dnsconf.h), so that an A question
 * for an AAAA-only name is answered with its pool address, whose connect
 * the supervisor then translates. Go and musl connect their UDP sockets
 * and read replies with read/recv, so no reply address needs rewriting.
 */
#ifndef BIA_SUPERVISOR_DNSSTEER_H
#define BIA_SUPERVISOR_DNSSTEER_H

#include <linux/seccomp.h>
#include <stdbool.h>

/* Serves the trapped connect req when it goes to a DNS server that is
 * steered (true: answered); false leaves it to the caller. */
bool dnssteer_connect(int listener, const struct seccomp_notif *req);

#endif
