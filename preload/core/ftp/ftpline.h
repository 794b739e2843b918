/*
 * The FTP ALG's rewrites of control-connection text (RFC 959 PORT and
 * PASV, RFC 2428 EPRT and EPSV; the rules of RFC 6384 and of the
 * kernel's nf_conntrack_ftp): pure functions on buffers, no system call.
 * Only whole lines are rewritten: a line that starts at the buffer's
 * start or after a '\n' in it, and ends with a '\n' in it. Commands and
 * replies split across buffers pass unchanged.
 */
#ifndef BIA_FTPLINE_H
#define BIA_FTPLINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* The longest buffer the rewrites look at; a larger one is no control
 * connection's line and passes unchanged. */
#define BIA_FTPLINE_MAX_IN 1024
/* What bia_ftpline_commands_out may need: each line may grow by at most
 * BIA_FTPLINE_GROWTH bytes, and only lines of at least 12 bytes grow. */
#define BIA_FTPLINE_GROWTH 52
#define BIA_FTPLINE_OUT_CAP (BIA_FTPLINE_MAX_IN + BIA_FTPLINE_MAX_IN / 12 * BIA_FTPLINE_GROWTH)

/* An IPv4 client's commands to an IPv6 server: each `PORT h1,h2,h3,h4,p1,p2`
 * and `EPRT |1|a.b.c.d|port|` becomes `EPRT |2|local6|port|`. Writes the
 * result to out (cap bytes) and returns its length; 0 when nothing was
 * rewritten (send in as it is). */
size_t bia_ftpline_commands_out(const char *in, size_t n, char *out, size_t cap,
                                const struct in6_addr *local6);

/* An IPv6 client's commands to an IPv4 server through a synthesized
 * address: each `EPRT |2|any|port|` becomes `EPRT |1|local4|port|` (it
 * never grows). As bia_ftpline_commands_out. */
size_t bia_ftpline_commands_out4(const char *in, size_t n, char *out, size_t cap,
                                 struct in_addr local4);

/* An IPv6 server's replies to an IPv4 client, in place: each `227 ...
 * (h1,h2,h3,h4,p1,p2)` becomes `227 (a,b,c,d,p1,p2)` naming standin,
 * padded with spaces to the line's length, when it fits. Returns n. */
size_t bia_ftpline_replies_in(char *buf, size_t n, struct in_addr standin);

/* The IPv4 address that stands for an IPv6 one; false: none. */
typedef bool bia_ftpline_map_fn(const struct in6_addr *v6, struct in_addr *v4, void *arg);

/* An IPv6 client's commands to an IPv4 server, in place: each
 * `EPRT |2|v6|port|` becomes `PORT a,b,c,d,p1,p2` naming map(v6), its
 * first number given leading zeros to the line's length, when it fits.
 * Returns n. */
size_t bia_ftpline_commands_in(char *buf, size_t n, bia_ftpline_map_fn *map, void *arg);

#endif
