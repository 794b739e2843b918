/*
 * recvfrom and recvmsg that ask for the source address, on a datagram
 * socket the supervisor translated or steered: the supervisor receives
 * the datagram itself (blocking.h: never blocking the supervisor), writes
 * it into the program's buffers and its source in the form the program
 * expects: an IPv6 peer as its pool address (MAP6), a v4-mapped one as
 * itself, the helper's DNS endpoint as the server the program asked
 * (dnssteer.h); control messages and flags as the kernel gave them. Every
 * other call runs in the kernel as it is (a stream socket reports no
 * address; MSG_ERRQUEUE is the kernel's).
 */
#ifndef BIA_SUPERVISOR_RECV_H
#define BIA_SUPERVISOR_RECV_H

#include <linux/seccomp.h>

void recv_serve(int listener, const struct seccomp_notif *req);

#endif
