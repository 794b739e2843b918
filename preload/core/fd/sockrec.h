/*
 * The one record the library keeps per socket: everything it knows of the
 * socket on a descriptor, in one table indexed by descriptor number. The
 * translation of an IPv4 program's socket (fdtable.h), the socket's option
 * history (sockhist.h), the mark of an IPv6 program's socket (v6prog.h),
 * the IPV6_V6ONLY bia lifted (v6only.h), the DNS server a program's own
 * query addressed (dnssteer.h), the kind of a translated ICMP echo socket
 * (icmpecho.h) and the mark of an FTP control connection (ftpalg.h) are
 * parts of it; those modules
 * are views that read and write their part. The descriptor's life (dup,
 * close, close_range, fork, exec) is one operation here, whatever parts
 * the record holds.
 *
 * Each record names its socket by device and inode: a descriptor closed
 * behind the library's back (a raw syscall, posix_spawn file actions) and
 * reused shows up as another socket, and its stale record is dropped
 * instead of being trusted.
 *
 * Every function is lock-free and async-signal-safe, because close, dup2,
 * dup3 and connect are async-signal-safe in libc and their hooks call
 * them: a signal handler that closes a descriptor while the interrupted
 * thread is inside the table must neither deadlock nor corrupt it. The
 * table is process memory, so a child with its own copy (fork, raw clone,
 * clone3) inherits it as it inherits the descriptors, and a child that
 * shares its parent's memory but not its descriptors (vfork, CLONE_VM;
 * newproc.h) only adds to it: it never changes a record of another socket,
 * and it finds the copies it made of a socket by the socket's identity.
 */
#ifndef BIA_SOCKREC_H
#define BIA_SOCKREC_H

#include <netinet/in.h>
#include <stdbool.h>

/* The translation of an IPv4 program's socket (fdtable.h). */
struct bia_fdinfo {
    struct sockaddr_in v4peer;     /* the peer the program asked for */
    struct sockaddr_in6 v6peer;    /* the peer the socket really has */
    struct in_addr v4local;        /* a pool or paired address it is bound to, or 0 */
};

/* The mark of an IPv6 program's socket (v6prog.h). */
struct bia_v6prog {
    struct sockaddr_in6 peer;   /* the synthesized peer the program connected to; family 0: none */
    struct in_addr peer4;       /* the IPv4 address it stands for */
    bool backed;                /* an AF_INET socket standing in for AF_INET6 (v4backed.h) */
    bool v6only;                /* IPV6_V6ONLY as the program set it, on a backed socket */
    int icmp;                   /* a backed ICMPv6 echo socket, now ICMPv4: SOCK_DGRAM or SOCK_RAW (icmp6echo.h) */
};

/* The DNS server a program's own query on the socket addressed, which
 * replies must appear to come from (dnssteer.h). */
struct bia_dnsserver {
    struct sockaddr_in6 addr;   /* a sockaddr_in when len says so */
    unsigned len;
    in_port_t port;             /* the helper's endpoint port it went to (network order) */
};

/* An FTP control connection the ALG rewrites (ftp/ftpalg.h). */
struct bia_ftpctl {
    bool server;                /* the program accepted it (else it connected) */
    bool v6prog;                /* an IPv6 program's, to an IPv4 server */
};

/* Which parts a record holds. */
#define BIA_REC_TRANSLATED 1u   /* .tr */
#define BIA_REC_V6PROG 2u       /* .v6 */
#define BIA_REC_LIFTED 4u       /* bia turned IPV6_V6ONLY off where the program had it on */
#define BIA_REC_HISTORY 8u      /* .hist_* (sockhist.h) */
#define BIA_REC_DNS 16u         /* .dns */
#define BIA_REC_ICMP 32u        /* .icmp_*: an ICMP echo socket made ICMPv6, or a raw one's parked twin (icmpecho.h) */
#define BIA_REC_FTP 64u         /* .ftp */
#define BIA_REC_ALL 127u

struct bia_sockrec {
    unsigned long dev, ino;     /* the socket's identity */
    unsigned parts;
    struct bia_fdinfo tr;
    struct bia_v6prog v6;
    struct bia_dnsserver dns;
    struct bia_ftpctl ftp;
    int hist_type;              /* SOCK_STREAM or SOCK_DGRAM */
    unsigned long hist_epoch;   /* the sharing epoch the socket was made in */
    unsigned hist_options;      /* filled by a read: the options set since (sockhist.h) */
    int icmp_type;              /* SOCK_DGRAM (a ping socket) or SOCK_RAW once made ICMPv6; 0 before (the mirror's: from birth) */
    int icmp_parked;            /* a raw one's ICMPv6 twin made at birth: its descriptor + 1 */
    bool icmp_v6prog;           /* the mirror, an IPv6 program's ICMPv6 echo socket: icmp_parked its ICMPv4 twin, 0 once that took its place (icmp6echo.h) */
};

/* Whether any record holds any of parts: no system call. */
bool bia_sockrec_any(unsigned parts);

/* fd's record if it holds any of parts, for the socket fd holds now: one
 * fstat when it does, none when no record holds them. In a child sharing
 * the table, a descriptor gets the record of another descriptor on its
 * socket. Records inherited across exec are the views' to find
 * (fdinherit.h, v6inherit.h). Leaves errno alone. */
bool bia_sockrec_get(int fd, unsigned parts, struct bia_sockrec *out);

/* rec names the socket on fd (from bia_sockrec_get or _identify in this
 * call): gives it the parts fd's record holds for that socket, so that a
 * writer of one part keeps the others. No system call. */
void bia_sockrec_fill(int fd, struct bia_sockrec *rec);

/* The identity of the socket on fd (one fstat), as a record with no
 * parts; false if fd is not open. */
bool bia_sockrec_identify(int fd, struct bia_sockrec *out);

/* Stores rec (identity included) as fd's record, replacing whatever fd's
 * record was; a record of another socket starts with no options set.
 * False if it cannot: no memory, another writer on the same slot, or a
 * child sharing the table whose slot holds another socket. */
bool bia_sockrec_put(int fd, const struct bia_sockrec *rec);

/* Whether this process may change its own records (newproc.h): false in
 * a child that shares its parent's memory. */
bool bia_sockrec_owned(void);

/* The program set options (bits of bia_swap_option_bits()) on fd. */
void bia_sockrec_add_options(int fd, unsigned bits);

/* newfd is now a duplicate of oldfd (dup, dup2, dup3, F_DUPFD*): it gets
 * oldfd's record, and neither keeps a history (an option set through one
 * changes the other). Leaves errno alone. */
void bia_sockrec_dup(int oldfd, int newfd);

/* fd is being closed: its record goes (in a child sharing the table, one
 * getpid says it must not). */
void bia_sockrec_closed(int fd);

/* What fd's slot holds, without asking which socket fd holds now: no
 * system call. For close, where a record whose socket went behind the
 * library's back may end as well (fdlife.c). */
bool bia_sockrec_peek(int fd, struct bia_sockrec *out);

/* As bia_sockrec_closed, for a caller that checked bia_sockrec_owned(). */
void bia_sockrec_forget(int fd);

/* close_range(first, last). */
void bia_sockrec_closed_range(unsigned first, unsigned last);

/* In a new process (newproc.h): frees the slots that threads of the
 * parent were writing at the fork; those threads do not exist here. */
void bia_sockrec_forked(void);

/* Calls fn for each current record holding any of parts, with its
 * descriptor; stops when fn returns false. One fstat per record. */
typedef bool bia_sockrec_fn(int fd, const struct bia_sockrec *rec, void *arg);
void bia_sockrec_each(unsigned parts, bia_sockrec_fn *fn, void *arg);

/* Whether a descriptor outside first..last holds the socket (dev, ino)
 * with any of parts. Compares the recorded identities first and fstats
 * only a descriptor whose record names that socket. */
bool bia_sockrec_held_elsewhere(unsigned long dev, unsigned long ino, unsigned parts,
                                unsigned first, unsigned last);

#endif
