/*
 * libFuzzer target for the preload's reply decoder (preload/core/client/protocol.c).
 * The decoder runs inside other people's programs on bytes from a socket, so
 * any input must be rejected or decoded without reading or writing out of
 * bounds; on success the decoded reply must also keep the promises callers
 * rely on (counts in range, names NUL-terminated at their length). A broken
 * promise aborts, which libFuzzer reports as a crash.
 *
 * Built and run by test/unit/fuzz-decoder.test.ts; seed corpus in
 * corpus/reply/ (made by make_corpus.py from test/vectors/protocol.json).
 */
#include <stdlib.h>
#include <string.h>

#include "bia_protocol.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_reply(const struct bia_reply *r, size_t len)
{
    check(strcmp(bia_type_name(r->type), "?") != 0);
    check(r->type != BIA_T_USE && r->type != BIA_T_RELEASE && r->type != BIA_T_TABLE);
    check(r->status <= BIA_S_DENIED);
    if (r->status != BIA_S_OK) {
        check(len == BIA_HEADER_SIZE);
        return;
    }
    switch (r->type) {
    case BIA_T_HELLO:
        check(r->u.hello.network <= BIA_NET_IPV4_ONLY && r->u.hello.pool_len <= 32);
        check(bia_synth_params_valid(r->u.hello.synth, r->u.hello.synth_len, r->u.hello.plane));
        break;
    case BIA_T_RESOLVE:
        check(r->u.resolve.count >= 1 && r->u.resolve.count <= BIA_MAX_ENTRIES);
        check(r->u.resolve.canon_len >= 1 && r->u.resolve.canon_len <= BIA_MAX_NAME);
        check(strlen(r->u.resolve.canon) == r->u.resolve.canon_len);
        for (size_t i = 0; i < r->u.resolve.count; i++)
            check(r->u.resolve.entries[i].kind >= BIA_K_NATIVE &&
                  r->u.resolve.entries[i].kind <= BIA_K_NAT64);
        break;
    case BIA_T_NAME4:
        check(r->u.name.len >= 1 && strlen(r->u.name.name) == r->u.name.len);
        break;
    default:
        check(r->u.entry.kind >= BIA_K_NATIVE && r->u.entry.kind <= BIA_K_NAT64);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy of exactly size bytes, so ASan sees any overread. */
    uint8_t *buf = malloc(size ? size : 1);
    struct bia_reply reply;
    const char *why = NULL;

    memcpy(buf, data, size);
    if (bia_decode_reply(buf, size, &reply, &why) == 0)
        check_reply(&reply, size);
    else
        check(why != NULL && why[0] != 0);
    if (size >= 4)
        check(bia_frame_size(buf) <= BIA_MAX_FRAME);
    free(buf);
    return 0;
}
