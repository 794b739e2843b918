/*
 * The preload's memory of RESOLVE answers (preload/core/client/resolvecache.c),
 * against test/c/fake_helper.py's "countTTL.test" names, whose answer
 * (198.18.1.N) says how many times the helper was asked: an answer is
 * reused without asking while the smallest ttl of its entries lasts, and
 * asked for again after.
 */
#define _GNU_SOURCE
#include "check.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How many times the helper had been asked for name when this answer came
 * (the last byte of the first address), or 0 on failure. */
static int asked(const char *name)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    int n;

    if (getaddrinfo(name, NULL, &hints, &res))
        return 0;
    n = ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr) & 0xff;
    freeaddrinfo(res);
    return n;
}

static int asked_hostent(const char *name)
{
    struct hostent *h = gethostbyname(name);

    return h ? (unsigned char)h->h_addr_list[0][3] : 0;
}

static void test_kept_for_ttl(void)
{
    check(asked("count2.test") == 1, "ttl 2: the first lookup asks the helper");
    check(asked("count2.test") == 1, "ttl 2: the second, at once, is answered from the process");
    check(asked_hostent("count2.test") == 1, "ttl 2: ... also for gethostbyname");
    usleep(2200 * 1000);
    check(asked("count2.test") == 2, "ttl 2: after 2.2 s the helper is asked again");
    check(asked("count2.test") == 2, "ttl 2: ... and that answer is kept in turn");
}

static void test_smallest_ttl(void)
{
    check(asked("count1.test") == 1, "entries with ttl 1 and 300: first lookup");
    usleep(1200 * 1000);
    check(asked("count1.test") == 2, "entries with ttl 1 and 300: asked again after 1.2 s (the smaller ttl)");
}

static void test_ttl_zero(void)
{
    check(asked("count0.test") == 1 && asked("count0.test") == 2,
          "ttl 0: never kept, every lookup asks the helper");
}

static void test_bounded(void)
{
    char name[32];
    int ok = 1;

    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "count300-n%d.test", i);
        ok &= asked(name) == 1;
    }
    check(ok, "40 names with ttl 300 answered");
    check(asked("count300-n39.test") == 1, "the latest of them is kept");
    check(asked("count300-n0.test") == 2, "the oldest made room (the memory is small): asked again");
}

static void test_negative_not_kept(void)
{
    struct addrinfo hints = {.ai_family = AF_INET}, *res;

    check(getaddrinfo("unknown.test", NULL, &hints, &res) == EAI_NONAME &&
          getaddrinfo("unknown.test", NULL, &hints, &res) == EAI_NONAME,
          "NOT_FOUND is answered the same each time");
}

int main(void)
{
    test_kept_for_ttl();
    test_smallest_ttl();
    test_ttl_zero();
    test_bounded();
    test_negative_not_kept();
    return report();
}
