/*
 * The lines `bia run --trace` shows (info level): one per translated call,
 * with the name the IPv4 address stands for when one is known
 * (core/runtime/tracename.h). Nothing is looked up unless the line is logged.
 */
#ifndef BIA_TRACE_H
#define BIA_TRACE_H

#include <netinet/in.h>

/* "connect 198.18.0.5:80 -> [2001:db8::6]:80 (v6only.example)": an
 * address the program gave (connect, sendto, bind) and where it went. */
void bia_trace_out(const char *call, const struct sockaddr_in *v4, const struct sockaddr_in6 *v6);

/* "accept [2001:db8::6]:4000 as 198.18.0.5:4000 (v6only.example)": an
 * address from the kernel (accept, recvfrom) and how the program saw it. */
void bia_trace_in(const char *call, const struct sockaddr_in6 *v6, const struct sockaddr_in *v4);

#endif
