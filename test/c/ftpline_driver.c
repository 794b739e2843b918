/*
 * Drives preload/core/ftp/ftpline.c for test/unit/ftp-line.test.ts: reads
 * one buffer from stdin, rewrites it as argv says, writes the result.
 *   out LOCAL6   an IPv4 client's commands to an IPv6 server
 *   out4 LOCAL4  an IPv6 client's commands to an IPv4 server
 *   replies V4   an IPv6 server's replies, V4 the server's stand-in
 *   in           an IPv6 client's commands; 2001:db8::N maps to 198.18.0.N
 *                (N < 256), any other address to none
 */
#include "ftp/ftpline.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool map(const struct in6_addr *v6, struct in_addr *v4, void *arg)
{
    static const unsigned char prefix[14] = {0x20, 0x01, 0x0d, 0xb8};

    (void)arg;
    if (memcmp(v6->s6_addr, prefix, 14) || v6->s6_addr[14])
        return false;
    v4->s_addr = htonl(0xc6120000u | v6->s6_addr[15]);
    return true;
}

int main(int argc, char **argv)
{
    static char in[4096], out[BIA_FTPLINE_OUT_CAP];
    size_t n = fread(in, 1, sizeof in, stdin), w;
    struct in6_addr v6;
    struct in_addr v4;

    if (argc == 3 && !strcmp(argv[1], "out") && inet_pton(AF_INET6, argv[2], &v6) == 1) {
        w = bia_ftpline_commands_out(in, n, out, sizeof out, &v6);
        fwrite(w ? out : in, 1, w ? w : n, stdout);
    } else if (argc == 3 && !strcmp(argv[1], "out4") && inet_pton(AF_INET, argv[2], &v4) == 1) {
        w = bia_ftpline_commands_out4(in, n, out, sizeof out, v4);
        fwrite(w ? out : in, 1, w ? w : n, stdout);
    } else if (argc == 3 && !strcmp(argv[1], "replies") && inet_pton(AF_INET, argv[2], &v4) == 1) {
        fwrite(in, 1, bia_ftpline_replies_in(in, n, v4), stdout);
    } else if (argc == 2 && !strcmp(argv[1], "in")) {
        fwrite(in, 1, bia_ftpline_commands_in(in, n, map, NULL), stdout);
    } else {
        fprintf(stderr, "usage: ftpline_driver out LOCAL6 | out4 LOCAL4 | replies V4 | in\n");
        return 2;
    }
    return 0;
}
