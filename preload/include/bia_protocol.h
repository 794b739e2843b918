/*
 * The helper protocol, version 1: the C half of docs/protocol.md.
 * The TypeScript half is src/wire/; both are tested against
 * test/vectors/protocol.json.
 *
 * Pure functions on caller-provided buffers: no I/O, no allocation, no
 * global state, so they are safe anywhere inside the preload library.
 */
#ifndef BIA_PROTOCOL_H
#define BIA_PROTOCOL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define BIA_PROTO_VERSION 1
#define BIA_HEADER_SIZE 12     /* length, version, type, status, id */
#define BIA_MAX_FRAME 4096     /* a whole frame, length field included */
#define BIA_MIN_LENGTH 8       /* smallest value of the length field */
#define BIA_MAX_LENGTH (BIA_MAX_FRAME - 4)
#define BIA_MAX_NAME 253
#define BIA_MAX_ENTRIES 32
#define BIA_ENTRY_SIZE 25
#define BIA_HELLO_V1_BODY_SIZE 7   /* a helper without the synthesis fields */
#define BIA_HELLO_BODY_SIZE 29
#define BIA_MAX_USES 255       /* addresses in one USE or RELEASE */

enum bia_type {
    BIA_T_HELLO = 1,
    BIA_T_RESOLVE = 2,
    BIA_T_MAP4 = 3,
    BIA_T_MAP6 = 4,
    BIA_T_NAME4 = 5,
    BIA_T_USE = 6,         /* notification: no reply */
    BIA_T_RELEASE = 7,     /* notification: no reply */
    BIA_T_TABLE = 8,       /* bia status only; the preload never asks */
    BIA_T_SYNTH = 9,
    BIA_T_NAT64 = 10,      /* bia status only; the preload never asks */
};

enum bia_status {
    BIA_S_OK = 0,
    BIA_S_NOT_FOUND = 1,
    BIA_S_NO_DATA = 2,
    BIA_S_TRY_AGAIN = 3,
    BIA_S_POOL_EXHAUSTED = 4,
    BIA_S_BAD_REQUEST = 5,
    BIA_S_BAD_VERSION = 6,
    BIA_S_INTERNAL = 7,
    BIA_S_QUOTA = 8,
    BIA_S_DENIED = 9,      /* a shared helper that does not serve this user */
};

enum bia_kind {
    BIA_K_NATIVE = 1,
    BIA_K_PAIRED = 2,
    BIA_K_POOL = 3,
    BIA_K_SYNTHETIC = 4,
    BIA_K_NAT64 = 5,
};

/* Network modes as they travel in a HELLO reply. */
enum bia_network {
    BIA_NET_NONE = 0,
    BIA_NET_DUAL = 1,
    BIA_NET_IPV6_ONLY = 2,
    BIA_NET_IPV4_ONLY = 3,
};

/* How the helper synthesizes IPv6 addresses for IPv4-only peers. */
enum bia_synth_format {
    BIA_SYNTH_MAPPED = 1,      /* ::ffff:0:0/96 */
    BIA_SYNTH_PREFIX = 2,      /* a configured /96, IPv4 in the last 32 bits */
    BIA_SYNTH_M46A = 3,        /* M46A prefix | plane ID | IPv4 */
    BIA_SYNTH_POOL = 4,        /* allocated from a configured prefix */
};

/* RESOLVE request families. */
#define BIA_FAMILY_V4 4
#define BIA_FAMILY_V6 6

/* One IPv4 <-> IPv6 correspondence (docs/protocol.md "Mapping entry"). */
struct bia_entry {
    uint8_t kind;          /* enum bia_kind */
    struct in_addr v4;     /* network byte order */
    struct in6_addr v6;
    uint32_t ttl;          /* seconds, host byte order */
};

struct bia_hello {
    uint8_t network;       /* enum bia_network */
    struct in_addr pool;   /* network byte order */
    uint8_t pool_len;      /* 0..32 */
    uint8_t ttl;           /* seconds */
    uint8_t synth;         /* enum bia_synth_format */
    struct in6_addr synth_prefix;
    uint8_t synth_len;     /* its prefix length */
    uint32_t plane;        /* M46A plane ID, host byte order */
};

struct bia_resolve {
    uint8_t count;                         /* 1..BIA_MAX_ENTRIES */
    uint8_t canon_len;                     /* 1..BIA_MAX_NAME */
    char canon[BIA_MAX_NAME + 1];          /* NUL-terminated copy */
    struct bia_entry entries[BIA_MAX_ENTRIES];
};

struct bia_name {
    uint8_t len;                           /* 1..BIA_MAX_NAME */
    char name[BIA_MAX_NAME + 1];           /* NUL-terminated copy */
};

/* A decoded reply. Only the body member matching type is meaningful, and
 * only when status is BIA_S_OK. */
struct bia_reply {
    uint8_t type;          /* enum bia_type */
    uint16_t status;       /* enum bia_status */
    uint32_t id;
    union {
        struct bia_hello hello;        /* BIA_T_HELLO */
        struct bia_resolve resolve;    /* BIA_T_RESOLVE */
        struct bia_entry entry;        /* BIA_T_MAP4, BIA_T_MAP6, BIA_T_SYNTH */
        struct bia_name name;          /* BIA_T_NAME4 */
    } u;
};

/*
 * Request encoders. Each writes one whole frame into buf and returns its
 * size, or 0 when cap is too small or an argument cannot be encoded
 * (family not 4 or 6, name empty, longer than BIA_MAX_NAME or containing
 * NUL).
 */
size_t bia_encode_hello(uint8_t *buf, size_t cap, uint32_t id);
size_t bia_encode_resolve(uint8_t *buf, size_t cap, uint32_t id, uint8_t family,
                          const char *name, size_t name_len);
size_t bia_encode_map4(uint8_t *buf, size_t cap, uint32_t id, struct in_addr v4);
size_t bia_encode_map6(uint8_t *buf, size_t cap, uint32_t id, const struct in6_addr *v6);
size_t bia_encode_name4(uint8_t *buf, size_t cap, uint32_t id, struct in_addr v4);
size_t bia_encode_synth(uint8_t *buf, size_t cap, uint32_t id, struct in_addr v4);

/* Whether a synthesis format, prefix length and plane ID work together
 * (docs/protocol.md, HELLO): the decoder rejects a reply where they do not. */
int bia_synth_params_valid(unsigned format, unsigned prefix_len, uint32_t plane);

/* USE or RELEASE (type) of count addresses, 1..BIA_MAX_USES. */
size_t bia_encode_uses(uint8_t *buf, size_t cap, uint32_t id, uint8_t type,
                       const struct in_addr *v4s, size_t count);

/*
 * Reads the length field at the start of a frame (4 bytes) and returns the
 * size of the whole frame, or 0 when the length is out of range. Lets a
 * stream reader reject a bad frame before waiting for its body.
 */
size_t bia_frame_size(const uint8_t head[4]);

/*
 * Decodes one whole reply frame of exactly len bytes. Returns 0 and fills
 * *out, or -1 and points *why at a static description of the first rule
 * the frame breaks.
 */
int bia_decode_reply(const uint8_t *buf, size_t len, struct bia_reply *out, const char **why);

/* Names as used in logs and in the test vectors' text form; "?" if unknown. */
const char *bia_type_name(unsigned type);
const char *bia_status_name(unsigned status);
const char *bia_kind_name(unsigned kind);
const char *bia_network_name(unsigned network);
const char *bia_synth_name(unsigned format);

#endif
