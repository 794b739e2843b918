/*
 * Drives preload/core/client/protocol.c from text lines on stdin, one output line
 * per input line, so that the shared vectors in test/vectors/protocol.json
 * can check the C codec:
 *
 *   encode HELLO <id>                     -> frame as lowercase hex
 *   encode SYNTH <id> <v4>
 *   encode RESOLVE <id> <family> <name>   -> frame as lowercase hex
 *   encode MAP4 <id> <v4>                 -> frame as lowercase hex
 *   encode MAP6 <id> <v6>                 -> frame as lowercase hex
 *   encode NAME4 <id> <v4>                -> frame as lowercase hex
 *   encode USE|RELEASE <id> <v4>[,<v4>...] -> frame as lowercase hex
 *   decode <hex>                          -> the reply's text form
 *
 * Anything rejected prints "ERROR <reason>".
 *
 * Build: cc -std=gnu11 -Ipreload/include preload/core/client/protocol.c \
 *           test/c/protocol_vectors.c -o protocol_vectors
 */
#include "bia_protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static void print_hex(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        printf("%02x", buf[i]);
    putchar('\n');
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Returns the number of bytes, or -1 for text that is not whole hex bytes. */
static long parse_hex(const char *s, uint8_t *buf, size_t cap)
{
    size_t n = strlen(s);

    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

static void encode(char *args)
{
    uint8_t frame[BIA_MAX_FRAME];
    size_t len = 0;
    char *type = strtok(args, " "), *id_text = strtok(NULL, " ");
    uint32_t id;

    if (!type || parse_u32(id_text, &id)) {
        puts("ERROR usage: encode TYPE ID ...");
        return;
    }
    if (!strcmp(type, "HELLO")) {
        len = bia_encode_hello(frame, sizeof frame, id);
    } else if (!strcmp(type, "RESOLVE")) {
        char *family_text = strtok(NULL, " "), *name = strtok(NULL, "");
        uint32_t family;
        if (!name || parse_u32(family_text, &family) || family > 255) {
            puts("ERROR usage: encode RESOLVE ID FAMILY NAME");
            return;
        }
        len = bia_encode_resolve(frame, sizeof frame, id, (uint8_t)family, name, strlen(name));
    } else if (!strcmp(type, "MAP4") || !strcmp(type, "NAME4") || !strcmp(type, "SYNTH")) {
        struct in_addr v4;
        char *text = strtok(NULL, " ");
        if (!text || inet_pton(AF_INET, text, &v4) != 1) {
            puts("ERROR not an IPv4 address");
            return;
        }
        len = (type[0] == 'M' ? bia_encode_map4 : type[0] == 'N' ? bia_encode_name4 : bia_encode_synth)(
            frame, sizeof frame, id, v4);
    } else if (!strcmp(type, "USE") || !strcmp(type, "RELEASE")) {
        struct in_addr v4s[BIA_MAX_USES];
        size_t count = 0;
        for (char *text = strtok(NULL, ","); text; text = strtok(NULL, ",")) {
            if (count == BIA_MAX_USES || inet_pton(AF_INET, text, &v4s[count++]) != 1) {
                puts("ERROR not a list of IPv4 addresses");
                return;
            }
        }
        len = bia_encode_uses(frame, sizeof frame, id, type[0] == 'U' ? BIA_T_USE : BIA_T_RELEASE,
                              v4s, count);
    } else if (!strcmp(type, "MAP6")) {
        struct in6_addr v6;
        char *text = strtok(NULL, " ");
        if (!text || inet_pton(AF_INET6, text, &v6) != 1) {
            puts("ERROR not an IPv6 address");
            return;
        }
        len = bia_encode_map6(frame, sizeof frame, id, &v6);
    } else {
        puts("ERROR unknown message type");
        return;
    }
    if (!len)
        puts("ERROR cannot encode");
    else
        print_hex(frame, len);
}

static void print_entry(const struct bia_entry *e)
{
    char v4[INET_ADDRSTRLEN], v6[INET6_ADDRSTRLEN];

    inet_ntop(AF_INET, &e->v4, v4, sizeof v4);
    inet_ntop(AF_INET6, &e->v6, v6, sizeof v6);
    printf(" entry=%s,%s,%s,%u", bia_kind_name(e->kind), v4, v6, (unsigned)e->ttl);
}

static void print_reply(const struct bia_reply *r)
{
    char pool[INET_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN];

    printf("%s id=%u status=%s", bia_type_name(r->type), (unsigned)r->id,
           bia_status_name(r->status));
    if (r->status == BIA_S_OK) {
        switch (r->type) {
        case BIA_T_HELLO:
            inet_ntop(AF_INET, &r->u.hello.pool, pool, sizeof pool);
            inet_ntop(AF_INET6, &r->u.hello.synth_prefix, prefix, sizeof prefix);
            printf(" network=%s pool=%s/%u ttl=%u synth=%s prefix=%s/%u plane=%u",
                   bia_network_name(r->u.hello.network), pool, r->u.hello.pool_len, r->u.hello.ttl,
                   bia_synth_name(r->u.hello.synth), prefix, r->u.hello.synth_len,
                   (unsigned)r->u.hello.plane);
            break;
        case BIA_T_RESOLVE:
            printf(" canon=%s", r->u.resolve.canon);
            for (unsigned i = 0; i < r->u.resolve.count; i++)
                print_entry(&r->u.resolve.entries[i]);
            break;
        case BIA_T_NAME4:
            printf(" name=%s", r->u.name.name);
            break;
        default:
            print_entry(&r->u.entry);
        }
    }
    putchar('\n');
}

static void decode(const char *hex)
{
    uint8_t frame[2 * BIA_MAX_FRAME];
    struct bia_reply reply;
    const char *why;
    long len = parse_hex(hex, frame, sizeof frame);

    if (len < 0)
        puts("ERROR not hex");
    else if (bia_decode_reply(frame, (size_t)len, &reply, &why))
        printf("ERROR %s\n", why);
    else
        print_reply(&reply);
}

int main(void)
{
    char line[4 * BIA_MAX_FRAME + 64];

    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, "encode ", 7))
            encode(line + 7);
        else if (!strncmp(line, "decode ", 7))
            decode(line + 7);
        else
            puts("ERROR unknown command");
        fflush(stdout);
    }
    return 0;
}
