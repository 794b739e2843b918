/*
 * The published mapping table, version 1: a file the helper keeps next to
 * its socket (SOCKET.map) and maps shared, which the preload maps read-only
 * and reads without a round trip (docs/protocol.md, "The published table").
 * The helper writes it through native/maptable.cc, the preload reads it in
 * preload/core/client/maptable.c; this header is the layout both compile against.
 *
 * Native byte order and sizes: the file never leaves the host. One writer
 * (the helper's main thread); readers take a seqlock per record, so a record
 * read while it changes is read again, never believed half-written.
 *
 * No access to a mapped table faults (SIGBUS): the helper reserves every
 * page before it maps the file (posix_fallocate; no room, no table), and
 * never shrinks or truncates a table: a new one is renamed over the path,
 * an old one is marked retired and unlinked. A reader maps only a file
 * whose size holds the records its header declares (bia_maptable_map).
 */
#ifndef BIA_MAPTABLE_H
#define BIA_MAPTABLE_H

#include <stdbool.h>
#include <stddef.h>
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

/* Room for a HELLO reply frame (docs/protocol.md): 12 + 29 bytes. */
#define BIA_MAPTABLE_HELLO_MAX 48

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
    /* The HELLO reply (id 0) the helper would send now, so that bia run and
     * the preload learn the pool and the network without a round trip;
     * rewritten, under hello_seq, when the network changes. */
    uint32_t hello_seq;
    uint32_t hello_len;      /* 0: none yet */
    uint8_t hello[BIA_MAPTABLE_HELLO_MAX];
    uint32_t reserved[9];
};

/* The mapping of pool address pool_base + i, for record i. */
struct bia_maptable_record {
    uint32_t seq;            /* odd while the helper writes the record */
    uint32_t until;
    uint32_t v6[4];          /* the IPv6 address, as in struct in6_addr */
};

#ifdef __cplusplus
static_assert(sizeof(struct bia_maptable_header) == 128, "header layout");
static_assert(sizeof(struct bia_maptable_record) == 24, "record layout");
#else
_Static_assert(sizeof(struct bia_maptable_header) == 128, "header layout");
_Static_assert(sizeof(struct bia_maptable_record) == 24, "record layout");
#endif

/*
 * Maps the table next to socket_path (SOCKET.map) read-only when it is one
 * to believe: a regular file of this effective uid, of this version, whose
 * size holds its records, not retired. Returns its header (the records
 * follow) with *size set for munmap, or NULL; errno may change.
 * preload/core/client/maptable_file.c.
 */
#ifdef __cplusplus
extern "C"
#endif
const struct bia_maptable_header *bia_maptable_map(const char *socket_path, size_t *size);

/*
 * The reader's half of the seqlock on the HELLO reply: copies it to out
 * (BIA_MAPTABLE_HELLO_MAX bytes) and returns its length, or 0 when there is
 * none or it kept changing under the reader.
 */
static inline uint32_t bia_maptable_read_hello(const struct bia_maptable_header *h, uint8_t *out)
{
    for (int i = 0; i < 4; i++) {
        uint32_t seq = __atomic_load_n(&h->hello_seq, __ATOMIC_ACQUIRE), len;

        if (seq & 1)
            continue;
        len = __atomic_load_n(&h->hello_len, __ATOMIC_RELAXED);
        for (unsigned k = 0; k < BIA_MAPTABLE_HELLO_MAX; k++)
            out[k] = __atomic_load_n(&h->hello[k], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&h->hello_seq, __ATOMIC_RELAXED) == seq)
            return len <= BIA_MAPTABLE_HELLO_MAX ? len : 0;
    }
    return 0;
}

#endif
