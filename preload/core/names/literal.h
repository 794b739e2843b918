/* IPv6 literals handed to IPv4-only parsers (draft appendix A). */
#ifndef BIA_LITERAL_H
#define BIA_LITERAL_H

#include <netinet/in.h>
#include <stdbool.h>

/*
 * If text is an IPv6 literal, stores the pool (or paired) IPv4 address
 * that stands for it in *v4 and returns true: from the mapping cache, else
 * from MAP6 at the helper. Returns false for anything else (a synthesized
 * address too: it is an IPv4 one) and when the helper cannot answer, so
 * that the caller gives libc's own answer.
 * Call it only for text containing ':', inside the guard.
 */
bool bia_literal_map(const char *text, struct in_addr *v4);

#endif
