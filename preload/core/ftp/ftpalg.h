/*
 * A minimal FTP ALG (issue 22 item 3; RFC 6384, the kernel's
 * nf_conntrack_ftp): a translated TCP connection to or from one of the
 * BIA_FTP_PORTS is marked as an FTP control connection (a part of its
 * record, sockrec.h), and the address-carrying lines on it are rewritten
 * (ftpline.h) as the program sends and receives them. Every other
 * descriptor's bytes pass untouched, and the hooks ask no more than
 * bia_ftp_any() of them.
 */
#ifndef BIA_FTPALG_H
#define BIA_FTPALG_H

#include "fd/sockrec.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Whether any socket is an FTP control connection: no system call. */
static inline bool bia_ftp_any(void)
{
    return bia_sockrec_any(BIA_REC_FTP);
}

/* Whether port (network order) is one of BIA_FTP_PORTS. */
bool bia_ftp_port(in_port_t port);

/* fd, a translated TCP socket, is an FTP control connection, as how says
 * (connected or accepted, by an IPv4 or an IPv6 program). */
void bia_ftp_mark(int fd, struct bia_ftpctl how);

/* c, a translated TCP connection the program accepted, is marked if its
 * local port is one of BIA_FTP_PORTS (one getsockname when any is set). */
void bia_ftp_accepted(int c);

/* The program sends buf on fd, by write (by_write) or send (flags): sent
 * rewritten if fd is a marked connection and a line needs it. Returns as
 * the call would for the program's buffer. */
ssize_t bia_ftp_send(int fd, const void *buf, size_t n, int flags, bool by_write);

/* The program flushes fp: if its descriptor is a marked connection and
 * the bytes fp holds need a rewrite, they are sent rewritten and dropped
 * from fp (tnftp writes its commands through stdio, whose own writes no
 * preload sees). Returns fflush's answer. */
int bia_ftp_fflush(FILE *fp);

/* The program received (or peeked at) rc bytes into buf on fd: rewritten
 * in place, to the same length, if fd is a marked connection. Returns rc.
 * Leaves errno alone. */
ssize_t bia_ftp_received(int fd, void *buf, ssize_t rc);

#endif
