/*
 * Sockets born dual-stack. Where a translation is expected (the network is
 * IPv6-only, or this process already translated a connect), an AF_INET TCP
 * or UDP socket is made as an AF_INET6 one with IPV6_V6ONLY off, recorded
 * in the fd table as swapped without a peer, so that a connect to a
 * translated destination only rewrites the address: no swap (new socket,
 * option copy, dup3) on the connect path. The swapped-socket hooks present
 * it as AF_INET; v4-mapped addresses carry its IPv4 traffic.
 *
 * What an AF_INET6 socket cannot do exactly as an AF_INET one (a bind to
 * one IPv4 address, IPv4 multicast, an option swap.c does not carry, an
 * ioctl other than the generic ones) first swaps it back to a genuine
 * AF_INET socket, while it is still unbound and unconnected ("pristine")
 * and no other descriptor or process may hold it (sockhist.h).
 */
#ifndef BIA_PRESWAP_H
#define BIA_PRESWAP_H

#include <stdbool.h>

/*
 * For socket(AF_INET, type, protocol): the descriptor of a dual-stack
 * socket standing in for it, or -1 (errno unchanged) when the program
 * should get a plain AF_INET socket (not TCP or UDP, no translation
 * expected, or the AF_INET6 socket could not be made).
 */
int bia_preswap_socket(int type, int protocol);

/* A connect or datagram on a socket of this process was translated. */
void bia_preswap_note_translation(void);

/* Whether fd holds a socket made dual-stack at birth that is still
 * unbound and unconnected (a few system calls when fd is swapped). */
bool bia_preswap_pristine(int fd);

/*
 * If fd is pristine and its own (its history is known), makes it a
 * genuine AF_INET socket again (swap.h) and
 * forgets its fd-table entry; true when fd now holds an AF_INET socket.
 * why: for the log. errno unchanged.
 */
bool bia_preswap_undo(int fd, const char *why);

/* Whether ioctl request behaves the same on AF_INET and AF_INET6 sockets
 * (file and socket-queue requests rather than IPv4 interface, route or
 * ARP ones). */
bool bia_preswap_ioctl_generic(unsigned long request);

#endif
