/*
 * getaddrinfo as servers and libc's defaults call it, one line per call:
 *
 *   gai_flags FAMILY FLAGS NODE [SERVICE]
 *     FAMILY  4, 6 or any (AF_UNSPEC), or "null" for NULL hints
 *     FLAGS   letters: p AI_PASSIVE, a AI_ADDRCONFIG, m AI_V4MAPPED,
 *             n AI_NUMERICHOST, - none
 *     NODE    a name or literal, or "null" for NULL
 *
 * prints "ok ADDR,ADDR,..." (the list's addresses in order, those of its
 * first node's socket type) or
 * "error TEXT" (gai_strerror), and exits 0 or 1 accordingly.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int flags_of(const char *letters)
{
    int flags = 0;

    for (; *letters; letters++)
        flags |= *letters == 'p' ? AI_PASSIVE : *letters == 'a' ? AI_ADDRCONFIG :
                 *letters == 'm' ? AI_V4MAPPED : *letters == 'n' ? AI_NUMERICHOST : 0;
    return flags;
}

static void print_address(const struct addrinfo *ai, const char *sep)
{
    char text[INET6_ADDRSTRLEN] = "?";
    const void *a = ai->ai_family == AF_INET6 ?
        (const void *)&((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
        (const void *)&((const struct sockaddr_in *)ai->ai_addr)->sin_addr;

    inet_ntop(ai->ai_family, a, text, sizeof text);
    printf("%s%s", sep, text);
}

int main(int argc, char **argv)
{
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res;
    const char *node, *sep = " ";
    int rc;

    if (argc < 4) {
        fprintf(stderr, "usage: gai_flags 4|6|any|null FLAGS NODE [SERVICE]\n");
        return 2;
    }
    hints.ai_family = !strcmp(argv[1], "4") ? AF_INET : !strcmp(argv[1], "6") ? AF_INET6 : AF_UNSPEC;
    hints.ai_flags = flags_of(argv[2]);
    node = strcmp(argv[3], "null") ? argv[3] : NULL;
    rc = getaddrinfo(node, argc > 4 ? argv[4] : "69", strcmp(argv[1], "null") ? &hints : NULL, &res);
    if (rc) {
        printf("error %s\n", gai_strerror(rc));
        return 1;
    }
    printf("ok");
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_socktype != res->ai_socktype)
            continue;   /* NULL hints give each address once per socket type */
        print_address(ai, sep);
        sep = ",";
    }
    printf("\n");
    freeaddrinfo(res);
    return 0;
}
