/*
 * Synthesized IPv6 addresses (IPv6 programs, draft section 5): how the
 * helper makes them, so the library can recognise one in a connect or
 * sendto and show IPv4 peers in that form. The format comes from
 * BIA_SYNTH/BIA_SYNTH_PREFIX/BIA_PLANE_ID (bia run sets them from the
 * helper's HELLO), else from the latest HELLO answer the process got (one
 * is asked for when there is none yet), else it is ::ffff:0:0/96. With
 * BIA_SYNTH set, recognising one never costs a round trip.
 */
#ifndef BIA_SYNTH_H
#define BIA_SYNTH_H

#include <netinet/in.h>
#include <stdbool.h>

/* True when synthesized addresses are ::ffff:a.b.c.d, which the kernel
 * carries over IPv4 itself: nothing to translate. */
bool bia_synth_is_mapped(void);

/*
 * If a is a synthesized address in a format other than the mapped one:
 * returns 1 with its IPv4 address in *v4. 0: it is not one (a real IPv6
 * address, or the format is mapped). -1 with errno EHOSTUNREACH: it is in
 * the pool prefix but the helper knows no IPv4 address for it (or cannot
 * be asked); a connect to it would go nowhere.
 */
int bia_synth_to_v4(const struct in6_addr *a, struct in_addr *v4);

/* The synthesized address standing for v4 (::ffff:v4 when mapped). -1 when
 * the helper cannot give one (pool format only). */
int bia_synth_from_v4(struct in_addr v4, struct in6_addr *out);

#endif
