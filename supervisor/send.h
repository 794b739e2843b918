/*
 * sendto and sendmsg with an address, on a datagram socket: to a pool
 * address, an AF_INET socket is first replaced by an AF_INET6 one (as at
 * connect, swap.h; a port it was bound to carries over when free) and the
 * datagram goes to the IPv6 peer; a translated socket sends to any other
 * IPv4 address in its v4-mapped form; to a steered DNS server
 * (dnssteer.h) it goes to the helper's endpoint. The supervisor sends it
 * itself (blocking.h) and answers with the kernel's count or errno.
 * Anything else runs in the kernel as it is.
 */
#ifndef BIA_SUPERVISOR_SEND_H
#define BIA_SUPERVISOR_SEND_H

#include <linux/seccomp.h>

void send_serve(int listener, const struct seccomp_notif *req);

#endif
