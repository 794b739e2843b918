/*
 * The per-process mapping use counts (preload/core/fd/usecount.c), compiled
 * in with a fake clock: USE only for a process's first socket on a
 * mapping, RELEASE after the linger of its last, a linger taken over by a
 * new socket, a full table falling back to per-socket reports, fork, and
 * threads racing on one mapping without losing or doubling a report.
 */
#define _GNU_SOURCE
#include "check.h"
#include "../../preload/core/fd/usecount.c"

#include <arpa/inet.h>

static long long fake_now = 1000000;

long long bia_conn_now_ms(void)
{
    return __atomic_load_n(&fake_now, __ATOMIC_RELAXED);
}

static struct in_addr addr(uint32_t host)
{
    return (struct in_addr){htonl(host)};
}

static long released;
static uint32_t last_released;

static void count_release(struct in_addr v4, void *arg)
{
    (void)arg;
    __atomic_add_fetch(&released, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&last_released, ntohl(v4.s_addr), __ATOMIC_RELAXED);
}

static void first_and_last(void)
{
    struct in_addr a = addr(0xc6120001);

    check(bia_usecount_get(a) == -1, "an address never used has no slot");
    check(bia_usecount_up(a), "the first socket is reported (USE)");
    check(!bia_usecount_up(a), "a second socket is not");
    check(!bia_usecount_down(a) && bia_usecount_get(a) == 1, "closing one of two reports nothing");
    check(!bia_usecount_down(a) && bia_usecount_get(a) == 0, "closing the last lingers: nothing yet");
    bia_usecount_end_due(false, count_release, NULL);
    check(released == 0, "no RELEASE before the linger is over");
    check(!bia_usecount_up(a), "a socket within the linger takes it over: no USE");
    check(!bia_usecount_down(a), "and its close lingers again");
    fake_now += BIA_USECOUNT_LINGER_MS;
    bia_usecount_end_due(false, count_release, NULL);
    check(released == 1 && last_released == 0xc6120001, "the linger over, one RELEASE");
    bia_usecount_end_due(true, count_release, NULL);
    check(released == 1, "and only one");
    check(bia_usecount_up(a), "the next socket is a first use again");
    check(!bia_usecount_down(a) && !bia_usecount_down(a) && bia_usecount_get(a) == 0,
          "a close of a socket never counted changes nothing");
    bia_usecount_end_due(true, count_release, NULL);
    check(released == 2, "an exec or exit ends a linger at once");
}

static void full_table(void)
{
    int uncounted = 0, wrong = 0;

    for (uint32_t i = 1; i <= 2 * BIA_USECOUNT_SLOTS; i++) {
        struct in_addr a = addr(0x0a000000 + i);
        bool reported = bia_usecount_up(a);
        if (bia_usecount_get(a) < 0) {
            uncounted++;
            wrong += !reported || !bia_usecount_up(a) || !bia_usecount_down(a) || !bia_usecount_down(a);
        } else {
            wrong += !reported;
        }
    }
    check(uncounted >= BIA_USECOUNT_SLOTS, "a full table leaves further mappings uncounted");
    check(wrong == 0, "an uncounted mapping reports every socket, a counted one its first");
}

static void forked(void)
{
    long before;

    bia_usecount_end_due(true, count_release, NULL);
    before = released;
    check(bia_usecount_up(addr(0xc6120002)), "a use before the fork");
    bia_usecount_up(addr(0xc6120003));
    bia_usecount_down(addr(0xc6120003));   /* lingering at the fork */
    released = 0;
    bia_usecount_forked(count_release, NULL);
    check(released >= 1, "a fork child announces the mappings its sockets use");
    check(!bia_usecount_up(addr(0xc6120002)), "and counts them as told");
    check(bia_usecount_up(addr(0xc6120003)), "a mapping lingering in the parent is new to the child");
    released = before;
}

#define THREADS 8
#define ROUNDS 200000

static long uses;

static void *churn(void *arg)
{
    struct in_addr a = addr(0xc6120009);

    for (long i = 0; i < ROUNDS; i++) {
        if (bia_usecount_up(a))
            __atomic_add_fetch(&uses, 1, __ATOMIC_RELAXED);
        bia_usecount_down(a);
        if (i % 97 == (long)arg)
            __atomic_add_fetch(&fake_now, BIA_USECOUNT_LINGER_MS, __ATOMIC_RELAXED);
        bia_usecount_end_due(false, count_release, NULL);
    }
    return NULL;
}

static void threads(void)
{
    pthread_t t[THREADS];

    released = 0;
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, churn, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    bia_usecount_end_due(true, count_release, NULL);
    printf("     %ld USE, %ld RELEASE over %d sockets\n", uses, released, THREADS * ROUNDS);
    check(uses > 1 && uses == released, "racing threads: every USE has exactly one RELEASE");
    check(bia_usecount_get(addr(0xc6120009)) == 0, "and no socket is left counted");
}

int main(void)
{
    first_and_last();
    forked();
    threads();
    full_table();
    return report();
}
