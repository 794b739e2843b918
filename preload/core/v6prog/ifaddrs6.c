/*
 * The entries appended to a list are one allocation, linked after libc's
 * last entry; the small registry below knows which list it belongs to, so
 * that freeifaddrs() can unlink it before libc frees its own block. A list
 * that finds the registry full is left as libc made it.
 */
#include "v6prog/ifaddrs6.h"

#include "bia_protocol.h"
#include "client/netmode.h"
#include "runtime/forksafe.h"
#include "v6prog/synth.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_SIZE 16

struct added {
    struct ifaddrs ifa;
    struct sockaddr_in6 addr, netmask;
};

static struct {
    struct ifaddrs *list, *last;    /* libc's first and last entries */
    struct added *added;
} registry[REGISTRY_SIZE];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

static bool remember(struct ifaddrs *list, struct ifaddrs *last, struct added *added)
{
    bool kept = false;

    pthread_once(&once, register_lock);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < REGISTRY_SIZE && !kept; i++) {
        if (!registry[i].list) {
            registry[i].list = list;
            registry[i].last = last;
            registry[i].added = added;
            kept = true;
        }
    }
    pthread_mutex_unlock(&lock);
    return kept;
}

static bool global4(const struct ifaddrs *ifa)
{
    return ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET &&
           ((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr != htonl(INADDR_LOOPBACK);
}

/* The IPv6 twin of an IPv4 entry: prefix length plus the 96 bits before it. */
static bool twin(const struct ifaddrs *ifa, struct added *out)
{
    struct in_addr v4 = ((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr, mask = {0};
    unsigned bits;

    if (bia_synth_from_v4(v4, &out->addr.sin6_addr))
        return false;
    out->addr.sin6_family = out->netmask.sin6_family = AF_INET6;
    if (ifa->ifa_netmask && ifa->ifa_netmask->sa_family == AF_INET)
        mask = ((const struct sockaddr_in *)ifa->ifa_netmask)->sin_addr;
    bits = 96 + (unsigned)__builtin_popcount(mask.s_addr);
    for (unsigned b = 0; b < bits; b++)
        out->netmask.sin6_addr.s6_addr[b / 8] |= (uint8_t)(0x80 >> (b % 8));
    out->ifa = (struct ifaddrs){
        .ifa_name = ifa->ifa_name,      /* libc's block: freed after ours */
        .ifa_flags = ifa->ifa_flags,
        .ifa_addr = (struct sockaddr *)&out->addr,
        .ifa_netmask = (struct sockaddr *)&out->netmask,
    };
    return true;
}

void bia_ifaddrs_add(struct ifaddrs *list)
{
    struct bia_netmode mode;
    struct ifaddrs *last = NULL;
    struct added *added;
    unsigned n = 0, made = 0;

    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        n += global4(ifa);
        last = ifa;
    }
    if (!n)
        return;
    bia_netmode_get(&mode);
    if (mode.network != BIA_NET_IPV4_ONLY || !(added = calloc(n, sizeof *added)))
        return;
    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next)
        if (global4(ifa) && twin(ifa, &added[made])) {
            if (made)
                added[made - 1].ifa.ifa_next = &added[made].ifa;
            made++;
        }
    if (!made || !remember(list, last, added)) {
        free(added);
        return;
    }
    last->ifa_next = &added[0].ifa;
}

bool bia_ifaddrs_release(struct ifaddrs *list)
{
    struct added *added = NULL;

    if (!list)
        return false;
    pthread_once(&once, register_lock);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < REGISTRY_SIZE && !added; i++) {
        if (registry[i].list == list) {
            added = registry[i].added;
            registry[i].last->ifa_next = NULL;
            registry[i].list = NULL;
        }
    }
    pthread_mutex_unlock(&lock);
    free(added);
    return added != NULL;
}
