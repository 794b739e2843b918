/*
 * The published mapping table, version 1: a file the helper keeps next to
 * its socket (SOCKET.map) and maps shared, which the preload maps read-only
 * and reads without a round trip (docs/protocol.md, "The published table").
 * The helper writes it through native/maptable.cc, the preload reads it in
 * preload/core/maptable.c; this header is the layout both compile against.
 *
 * Native byte order and sizes: the file never leaves the host. One writer
 * (the helper's main thread); readers take a seqlock per record, so a record
 * read while it changes is read again, never believed half-written.
 */
#ifndef BIA_MAPTABLE_H
#define BIA_MAPTABLE_H

#include <stdint.h>

#define BIA_MAPTABLE_MAGIC "bia-map"   /* 8 bytes with its NUL */
#define BIA_MAPTABLE_VERSION 1
#define BIA_MAPTABLE_SUFFIX ".map"
/* The most records a table has: pools larger than this publish only their
 * first BIA_MAPTABLE_MAX_RECORDS addresses (the rest go by round trip). */
#define BIA_MAPTABLE_MAX_RECORDS (1u << 22)

/* until: the record is good while the wall clock (CLOCK_REALTIME, seconds)
 * is below it; 0 for no mapping, BIA_MAPTABLE_HELD while a socket uses it. */
#define BIA_MAPTABLE_HELD UINT32_MAX

struct bia_maptable_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;    /* sizeof(struct bia_maptable_header) */
    uint32_t record_size;    /* sizeof(struct bia_maptable_record) */
    uint32_t pool_base;      /* first pool address, host byte order */
    uint32_t records;        /* records that follow: pool addresses covered */
    uint32_t helper_pid;
    /* Set (never cleared) when this file no longer speaks for a helper:
     * it stopped, or a new one replaced the file. Readers reopen. */
    uint32_t retired;
    uint32_t reserved[7];
};

/* The mapping of pool address pool_base + i, for record i. */
struct bia_maptable_record {
    uint32_t seq;            /* odd while the helper writes the record */
    uint32_t until;
    uint32_t v6[4];          /* the IPv6 address, as in struct in6_addr */
};

#ifdef __cplusplus
static_assert(sizeof(struct bia_maptable_header) == 64, "header layout");
static_assert(sizeof(struct bia_maptable_record) == 24, "record layout");
#else
_Static_assert(sizeof(struct bia_maptable_header) == 64, "header layout");
_Static_assert(sizeof(struct bia_maptable_record) == 24, "record layout");
#endif

#endif
