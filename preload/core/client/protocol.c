/* Encoding and strict decoding of protocol v1 frames (docs/protocol.md). */
#include "bia_protocol.h"

#include <string.h>

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes the header of a request with a body of body_len bytes. */
static size_t put_header(uint8_t *buf, size_t cap, uint8_t type, uint32_t id, size_t body_len)
{
    size_t total = BIA_HEADER_SIZE + body_len;

    if (total > cap || total > BIA_MAX_FRAME)
        return 0;
    put_u32(buf, (uint32_t)(total - 4));
    buf[4] = BIA_PROTO_VERSION;
    buf[5] = type;
    buf[6] = 0;                 /* status is always 0 in requests */
    buf[7] = 0;
    put_u32(buf + 8, id);
    return total;
}

size_t bia_encode_hello(uint8_t *buf, size_t cap, uint32_t id)
{
    return put_header(buf, cap, BIA_T_HELLO, id, 0);
}

size_t bia_encode_resolve(uint8_t *buf, size_t cap, uint32_t id, uint8_t family,
                          const char *name, size_t name_len)
{
    size_t total;

    if (family != BIA_FAMILY_V4 && family != BIA_FAMILY_V6)
        return 0;
    if (name_len < 1 || name_len > BIA_MAX_NAME || memchr(name, 0, name_len))
        return 0;
    total = put_header(buf, cap, BIA_T_RESOLVE, id, 2 + name_len);
    if (!total)
        return 0;
    buf[BIA_HEADER_SIZE] = family;
    buf[BIA_HEADER_SIZE + 1] = (uint8_t)name_len;
    memcpy(buf + BIA_HEADER_SIZE + 2, name, name_len);
    return total;
}

/* MAP4 and NAME4: a request whose body is one IPv4 address. */
static size_t encode_v4(uint8_t *buf, size_t cap, uint8_t type, uint32_t id, struct in_addr v4)
{
    size_t total = put_header(buf, cap, type, id, 4);

    if (total)
        memcpy(buf + BIA_HEADER_SIZE, &v4, 4);
    return total;
}

size_t bia_encode_map4(uint8_t *buf, size_t cap, uint32_t id, struct in_addr v4)
{
    return encode_v4(buf, cap, BIA_T_MAP4, id, v4);
}

size_t bia_encode_name4(uint8_t *buf, size_t cap, uint32_t id, struct in_addr v4)
{
    return encode_v4(buf, cap, BIA_T_NAME4, id, v4);
}

size_t bia_encode_synth(uint8_t *buf, size_t cap, uint32_t id, struct in_addr v4)
{
    return encode_v4(buf, cap, BIA_T_SYNTH, id, v4);
}

size_t bia_encode_uses(uint8_t *buf, size_t cap, uint32_t id, uint8_t type,
                       const struct in_addr *v4s, size_t count)
{
    size_t total;

    if ((type != BIA_T_USE && type != BIA_T_RELEASE) || count < 1 || count > BIA_MAX_USES)
        return 0;
    total = put_header(buf, cap, type, id, 1 + 4 * count);
    if (!total)
        return 0;
    buf[BIA_HEADER_SIZE] = (uint8_t)count;
    memcpy(buf + BIA_HEADER_SIZE + 1, v4s, 4 * count);
    return total;
}

size_t bia_encode_map6(uint8_t *buf, size_t cap, uint32_t id, const struct in6_addr *v6)
{
    size_t total = put_header(buf, cap, BIA_T_MAP6, id, 16);

    if (total)
        memcpy(buf + BIA_HEADER_SIZE, v6, 16);
    return total;
}

size_t bia_frame_size(const uint8_t head[4])
{
    uint32_t length = get_u32(head);

    if (length < BIA_MIN_LENGTH || length > BIA_MAX_LENGTH)
        return 0;
    return (size_t)length + 4;
}

/* Sets *why and returns -1: keeps every rejection a one-liner. */
static int reject(const char **why, const char *reason)
{
    *why = reason;
    return -1;
}

static int decode_entry(const uint8_t *p, struct bia_entry *e, const char **why)
{
    if (p[0] < BIA_K_NATIVE || p[0] > BIA_K_NAT64)
        return reject(why, "entry of unknown kind");
    e->kind = p[0];
    memcpy(&e->v4, p + 1, 4);
    memcpy(&e->v6, p + 5, 16);
    e->ttl = get_u32(p + 21);
    return 0;
}

int bia_synth_params_valid(unsigned format, unsigned prefix_len, uint32_t plane)
{
    switch (format) {
    case BIA_SYNTH_MAPPED:
    case BIA_SYNTH_PREFIX:
        return prefix_len == 96;
    case BIA_SYNTH_M46A:
        /* The plane ID fills the 96 - prefix_len bits before the IPv4 address. */
        return prefix_len <= 96 && (prefix_len < 64 || (uint64_t)plane >> (96 - prefix_len) == 0);
    case BIA_SYNTH_POOL:
        return prefix_len <= 126;
    default:
        return 0;
    }
}

/* A helper older than the synthesis fields synthesizes ::ffff:0:0/96. */
static void hello_mapped(struct bia_hello *h)
{
    h->synth = BIA_SYNTH_MAPPED;
    memset(&h->synth_prefix, 0, sizeof h->synth_prefix);
    h->synth_prefix.s6_addr[10] = h->synth_prefix.s6_addr[11] = 0xff;
    h->synth_len = 96;
    h->plane = 0;
}

static int decode_synth(const uint8_t *body, struct bia_hello *h, const char **why)
{
    if (!bia_synth_params_valid(body[7], body[24], get_u32(body + 25)))
        return reject(why, "HELLO reply with unknown or inconsistent synthesis parameters");
    h->synth = body[7];
    memcpy(&h->synth_prefix, body + 8, 16);
    h->synth_len = body[24];
    h->plane = get_u32(body + 25);
    return 0;
}

static int decode_hello(const uint8_t *body, size_t n, struct bia_hello *h, const char **why)
{
    if (n != BIA_HELLO_BODY_SIZE && n != BIA_HELLO_V1_BODY_SIZE)
        return reject(why, "HELLO reply body has the wrong size");
    if (body[0] > BIA_NET_IPV4_ONLY)
        return reject(why, "HELLO reply with unknown network");
    if (body[5] > 32)
        return reject(why, "HELLO reply pool prefix length over 32");
    h->network = body[0];
    memcpy(&h->pool, body + 1, 4);
    h->pool_len = body[5];
    h->ttl = body[6];
    if (n == BIA_HELLO_V1_BODY_SIZE) {
        hello_mapped(h);
        return 0;
    }
    return decode_synth(body, h, why);
}

static int decode_resolve(const uint8_t *body, size_t n, struct bia_resolve *r, const char **why)
{
    size_t count, canon_len;
    const uint8_t *entries;

    if (n < 2)
        return reject(why, "RESOLVE reply body too short");
    count = body[0];
    canon_len = body[1];
    if (count < 1 || count > BIA_MAX_ENTRIES)
        return reject(why, "RESOLVE reply entry count out of range");
    if (canon_len < 1 || canon_len > BIA_MAX_NAME)
        return reject(why, "RESOLVE reply canonical name length out of range");
    if (n != 2 + canon_len + count * BIA_ENTRY_SIZE)
        return reject(why, "RESOLVE reply body size does not match its counts");
    if (memchr(body + 2, 0, canon_len))
        return reject(why, "RESOLVE reply canonical name contains NUL");
    r->count = (uint8_t)count;
    r->canon_len = (uint8_t)canon_len;
    memcpy(r->canon, body + 2, canon_len);
    r->canon[canon_len] = 0;
    entries = body + 2 + canon_len;
    for (size_t i = 0; i < count; i++)
        if (decode_entry(entries + i * BIA_ENTRY_SIZE, &r->entries[i], why))
            return -1;
    return 0;
}

static int decode_name(const uint8_t *body, size_t n, struct bia_name *out, const char **why)
{
    if (n < 1 || body[0] < 1 || n != 1u + body[0])
        return reject(why, "NAME4 reply name length out of range or not its body");
    if (memchr(body + 1, 0, body[0]))
        return reject(why, "NAME4 reply name contains NUL");
    out->len = body[0];
    memcpy(out->name, body + 1, body[0]);
    out->name[body[0]] = 0;
    return 0;
}

int bia_decode_reply(const uint8_t *buf, size_t len, struct bia_reply *out, const char **why)
{
    const uint8_t *body = buf + BIA_HEADER_SIZE;
    size_t n;

    if (len < BIA_HEADER_SIZE)
        return reject(why, "frame shorter than its header");
    if (!bia_frame_size(buf))
        return reject(why, "frame length out of range");
    if (bia_frame_size(buf) != len)
        return reject(why, "frame length does not match its data");
    if (buf[4] != BIA_PROTO_VERSION)
        return reject(why, "unsupported protocol version");
    if (!strcmp(bia_type_name(buf[5]), "?"))
        return reject(why, "unknown message type");
    if (buf[5] == BIA_T_USE || buf[5] == BIA_T_RELEASE || buf[5] == BIA_T_TABLE ||
        buf[5] == BIA_T_NAT64)
        return reject(why, "a reply of a type the preload never asks for");
    out->type = buf[5];
    out->status = (uint16_t)(buf[6] << 8 | buf[7]);
    out->id = get_u32(buf + 8);
    n = len - BIA_HEADER_SIZE;
    if (out->status > BIA_S_DENIED)
        return reject(why, "unknown status");
    if (out->status != BIA_S_OK)
        return n ? reject(why, "error reply with a body") : 0;
    switch (out->type) {
    case BIA_T_HELLO:
        return decode_hello(body, n, &out->u.hello, why);
    case BIA_T_RESOLVE:
        return decode_resolve(body, n, &out->u.resolve, why);
    case BIA_T_NAME4:
        return decode_name(body, n, &out->u.name, why);
    default:
        if (n != BIA_ENTRY_SIZE)
            return reject(why, "MAP reply body has the wrong size");
        return decode_entry(body, &out->u.entry, why);
    }
}

static const char *name_of(const char *const *names, size_t count, unsigned i)
{
    return i < count && names[i] ? names[i] : "?";
}

#define NAME_OF(table, i) name_of(table, sizeof(table) / sizeof(table[0]), i)

const char *bia_type_name(unsigned type)
{
    static const char *const names[] = {NULL,    "HELLO", "RESOLVE", "MAP4", "MAP6",
                                        "NAME4", "USE",   "RELEASE", "TABLE", "SYNTH",
                                        "NAT64"};
    return NAME_OF(names, type);
}

const char *bia_status_name(unsigned status)
{
    static const char *const names[] = {"OK", "NOT_FOUND", "NO_DATA", "TRY_AGAIN",
                                        "POOL_EXHAUSTED", "BAD_REQUEST", "BAD_VERSION",
                                        "INTERNAL", "QUOTA", "DENIED"};
    return NAME_OF(names, status);
}

const char *bia_kind_name(unsigned kind)
{
    static const char *const names[] = {NULL, "NATIVE", "PAIRED", "POOL", "SYNTHETIC", "NAT64"};
    return NAME_OF(names, kind);
}

const char *bia_network_name(unsigned network)
{
    static const char *const names[] = {"none", "dual", "ipv6-only", "ipv4-only"};
    return NAME_OF(names, network);
}

const char *bia_synth_name(unsigned format)
{
    static const char *const names[] = {NULL, "mapped", "prefix", "m46a", "pool"};
    return NAME_OF(names, format);
}
