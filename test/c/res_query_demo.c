/*
 * A program that does its own DNS lookups, as mail programs do: the MX of
 * a domain through res_query, the exchange's A record through res_search,
 * then a TCP connect to that address. Prints what it finds.
 *
 *   res_query_demo DOMAIN PORT   -> "mx NAME", "a ADDRESS", the greeting
 *   res_query_demo -a NAME       -> "a ADDRESS" for each A record, or
 *                                   "herror N" with h_errno
 *
 * Build: cc test/c/res_query_demo.c -lresolv -o res_query_demo (the ns_*
 * parser is in libresolv).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Prints every A record of name; returns the first, or INADDR_NONE. */
static in_addr_t lookup_a(const char *name)
{
    unsigned char answer[NS_PACKETSZ];
    in_addr_t first = INADDR_NONE;
    ns_msg msg;
    ns_rr rr;
    int len = res_search(name, ns_c_in, ns_t_a, answer, sizeof answer);

    if (len < 0) {
        printf("herror %d\n", h_errno);
        return INADDR_NONE;
    }
    if (ns_initparse(answer, len, &msg) < 0)
        return INADDR_NONE;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_a)
            continue;
        printf("a %s ttl>0 %d\n", inet_ntoa(*(struct in_addr *)ns_rr_rdata(rr)), ns_rr_ttl(rr) > 0);
        if (first == INADDR_NONE)
            memcpy(&first, ns_rr_rdata(rr), 4);
    }
    return first;
}

/* The exchange of the domain's first MX record, into exchange. */
static int lookup_mx(const char *domain, char *exchange, size_t size)
{
    unsigned char answer[NS_PACKETSZ];
    ns_msg msg;
    ns_rr rr;
    int len = res_query(domain, ns_c_in, ns_t_mx, answer, sizeof answer);

    if (len < 0 || ns_initparse(answer, len, &msg) < 0 || ns_msg_count(msg, ns_s_an) < 1 ||
        ns_parserr(&msg, ns_s_an, 0, &rr) < 0 ||
        ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr) + 2, exchange,
                           size) < 0)
        return -1;
    printf("mx %s\n", exchange);
    return 0;
}

static int greet(in_addr_t addr, int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    char buf[200];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ssize_t n;

    sin.sin_addr.s_addr = addr;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        perror("connect");
        return 1;
    }
    n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return 1;
    buf[n] = 0;
    fputs(buf, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    char exchange[NS_MAXDNAME];
    in_addr_t addr;

    if (argc == 3 && !strcmp(argv[1], "-a"))
        return lookup_a(argv[2]) == INADDR_NONE;
    if (argc != 3) {
        fprintf(stderr, "usage: res_query_demo DOMAIN PORT | -a NAME\n");
        return 2;
    }
    if (lookup_mx(argv[1], exchange, sizeof exchange)) {
        printf("no MX for %s\n", argv[1]);
        return 1;
    }
    addr = lookup_a(exchange);
    return addr == INADDR_NONE ? 1 : greet(addr, atoi(argv[2]));
}
