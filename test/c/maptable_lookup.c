/*
 * maptable_lookup SOCKET V4|hello...: what the preload's reader
 * (preload/core/client/maptable.c) finds in the table next to SOCKET for each
 * pool address, one line each: "V4 V6", or "V4 -" for a miss; for "hello",
 * the published HELLO answer ("hello network N pool P/L synth F PREFIX/L")
 * or "hello -". The table
 * is the one the helper's writer made (test/unit/published-table.test.ts):
 * the two sides of bia_maptable.h checked against each other.
 */
#define _GNU_SOURCE
#include "maptable_stubs.h"

#include <arpa/inet.h>

static void print_hello(void)
{
    char pool[INET_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN];
    struct bia_reply r;

    if (!bia_maptable_hello(&r)) {
        puts("hello -");
        return;
    }
    printf("hello network %u pool %s/%u synth %u %s/%u\n", r.u.hello.network,
           inet_ntop(AF_INET, &r.u.hello.pool, pool, sizeof pool), r.u.hello.pool_len,
           r.u.hello.synth, inet_ntop(AF_INET6, &r.u.hello.synth_prefix, prefix, sizeof prefix),
           r.u.hello.synth_len);
}

int main(int argc, char **argv)
{
    char text[INET6_ADDRSTRLEN];
    struct in6_addr v6;
    struct in_addr v4;

    if (argc < 2 || strlen(argv[1]) >= sizeof config.socket_path)
        return 2;
    strcpy(config.socket_path, argv[1]);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "hello") == 0) {
            print_hello();
            continue;
        }
        if (inet_pton(AF_INET, argv[i], &v4) != 1)
            return 2;
        if (bia_maptable_find_v4(v4, &v6))
            printf("%s %s\n", argv[i], inet_ntop(AF_INET6, &v6, text, sizeof text));
        else
            printf("%s -\n", argv[i]);
    }
    return 0;
}
