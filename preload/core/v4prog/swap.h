/*
 * Replaces the AF_INET socket behind a descriptor by an AF_INET6 one
 * (IPV6_V6ONLY off; an ICMP echo socket by its ICMPv6 twin, icmpecho.h), keeping the descriptor number and the state the
 * program gave the socket, so that it can reach an IPv6 peer.
 */
#ifndef BIA_SWAP_H
#define BIA_SWAP_H

#include <netinet/in.h>
#include <stdbool.h>

enum bia_swap_check {
    BIA_SWAP_OK,        /* can be swapped */
    BIA_SWAP_NOT_INET,  /* not an AF_INET TCP, UDP or ICMP echo socket (or not a socket at all) */
    BIA_SWAP_KEEP,      /* an AF_INET socket whose state a new socket cannot take over:
                           bound to a specific address, or TCP not in CLOSE state */
};

/* What bia_swap() needs to know about the old socket. */
struct bia_swap_plan {
    int type;
    int protocol;
    in_port_t port;     /* bound port (network order), 0 if unbound */
    bool known;         /* its history is known (sockhist.h) ... */
    unsigned options;   /* ... and these are the options the program set */
    /* Set by the caller (bia_swap_check() clears it): the address an unbound
     * socket's replacement is bound to before it takes the descriptor. */
    const struct sockaddr_in6 *bind_to;
};

/* The bit a swap knows option (level, name) by in bia_sockhist.options
 * (with IP_TOS, also SO_PRIORITY's, which it changes); 0 if a swap does
 * not carry it over. */
unsigned bia_swap_option_bits(int level, int name);

/* Looks at the socket on fd; changes neither it nor errno. */
enum bia_swap_check bia_swap_check(int fd, struct bia_swap_plan *plan);

/* Swaps the socket that bia_swap_check() accepted. Returns 0, or -1 with
 * errno (fd may then hold either socket; it still holds the old one if
 * the bind_to bind failed). errno is unchanged on success. */
int bia_swap(int fd, const struct bia_swap_plan *plan);

/*
 * The reverse: replaces the unbound, unconnected AF_INET6 socket on fd by
 * an AF_INET one of the same type, with the options swap.c carries over
 * (wherever they differ from a fresh socket's), the file status flags and
 * FD_CLOEXEC. For a socket made AF_INET6 at birth (preswap.h) that now
 * needs to be a genuine AF_INET one. Returns 0 (errno unchanged), or -1
 * with errno and the old socket still on fd.
 */
int bia_swap_back(int fd);

/* In a new process (newproc.h): defaults a parent's thread was reading at
 * the fork are read again (else every swap would read its own copy). */
void bia_swap_forked(void);

#endif
