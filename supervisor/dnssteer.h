/*
 * Programs that do their own DNS (Go's resolver, musl's, static glibc's):
 * on an IPv6-only network, a connect to port 53 of a resolv.conf server
 * (or the loopback fallback), or a sendto/sendmsg to one on an
 * unconnected socket (musl), goes to the helper's DNS endpoint instead,
 * with the preload's rules (preload/core/names/dnsconf.h), so that an A
 * question for an AAAA-only name is answered with its pool address, whose
 * connect the supervisor then translates. Resolvers check that a reply
 * comes from the server they asked (musl, glibc): a reply read with
 * recvfrom/recvmsg from the endpoint shows the server's address.
 */
#ifndef BIA_SUPERVISOR_DNSSTEER_H
#define BIA_SUPERVISOR_DNSSTEER_H

#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Serves the trapped connect req when it goes to a DNS server that is
 * steered (true: answered); false leaves it to the caller. */
bool dnssteer_connect(int listener, const struct seccomp_notif *req);

/* For a connect or a datagram on sock to dst: true with *to (the
 * endpoint, in dst's family) when dst is a steered server; sock is then
 * remembered as steered. */
bool dnssteer_destination(int sock, const struct sockaddr_in6 *dst, socklen_t len, struct sockaddr_in6 *to,
                          socklen_t *tolen);

/* Whether sock was steered (its replies need their source shown). */
bool dnssteer_known(int sock);

/* A reply's source on sock: the endpoint's address becomes the server's
 * the program asked; anything else is left as it is. */
void dnssteer_reply_source(int sock, struct sockaddr_storage *from, socklen_t *len);

#endif
