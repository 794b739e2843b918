#include "mapping.h"

#include "bia_contract.h"
#include "bia_maptable.h"
#include "bia_protocol.h"
#include "bia_socktrust.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* As the preload's BIA_TIMEOUT_MS default (docs/protocol.md). */
#define ASK_TIMEOUT_MS 800

static const char *socket_path;
static uint32_t pool_base, pool_mask;   /* host order */
static const struct bia_maptable_header *table;
static int helper_fd = -1;
static uint32_t next_id = 1;
/* Blocking connects run on their own threads (notify.c): one asks at a time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int mapping_init(void)
{
    const char *pool = getenv(BIA_ENV_POOL);
    char addr[INET_ADDRSTRLEN];
    struct in_addr base;
    unsigned len;
    size_t size;

    socket_path = getenv(BIA_ENV_SOCKET);
    if (!socket_path || !*socket_path || !pool ||
        sscanf(pool, "%15[0-9.]/%u", addr, &len) != 2 || len > 32 || inet_pton(AF_INET, addr, &base) != 1) {
        fprintf(stderr, "bia: supervisor: %s and %s must name the helper's socket and pool (bia run sets them)\n",
                BIA_ENV_SOCKET, BIA_ENV_POOL);
        return -1;
    }
    pool_mask = len ? ~0u << (32 - len) : 0;
    pool_base = ntohl(base.s_addr) & pool_mask;
    table = bia_maptable_map(socket_path, &size);
    return 0;
}

const char *mapping_socket(void)
{
    return socket_path;
}

int mapping_network(void)
{
    uint8_t frame[BIA_MAPTABLE_HELLO_MAX];
    struct bia_reply reply;
    const char *why;
    uint32_t len;

    if (!table || !(len = bia_maptable_read_hello(table, frame)) ||
        bia_decode_reply(frame, len, &reply, &why) || reply.type != BIA_T_HELLO || reply.status != BIA_S_OK)
        return BIA_NET_NONE;
    return reply.u.hello.network;
}

bool mapping_in_pool(struct in_addr v4)
{
    return (ntohl(v4.s_addr) & pool_mask) == pool_base;
}

/* The table's record for v4, read under its seqlock: 0 on a good one. */
static int from_table(struct in_addr v4, struct in6_addr *v6)
{
    uint32_t i = ntohl(v4.s_addr) - pool_base;
    const struct bia_maptable_record *r;

    if (table && __atomic_load_n(&table->retired, __ATOMIC_ACQUIRE))
        table = NULL;   /* the old mapping stays: another thread may read it */
    if (!table || i >= table->records)
        return -1;
    r = (const struct bia_maptable_record *)((const char *)table + table->header_size) + i;
    for (int tries = 0; tries < 4; tries++) {
        uint32_t seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE), until, w[4];

        if (seq & 1)
            continue;
        until = __atomic_load_n(&r->until, __ATOMIC_RELAXED);
        for (int k = 0; k < 4; k++)
            w[k] = __atomic_load_n(&r->v6[k], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&r->seq, __ATOMIC_RELAXED) != seq)
            continue;
        if (until == 0 || (until != BIA_MAPTABLE_HELD && (uint32_t)time(NULL) >= until))
            return -1;
        memcpy(v6, w, sizeof *v6);
        return 0;
    }
    return -1;
}

static int connect_helper(void)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct bia_socktrust trust;
    char why[BIA_TRUST_WHY_SIZE];
    int fd;

    if (bia_socktrust_path(socket_path, &trust, why, sizeof why) != BIA_TRUST_OK ||
        strlen(socket_path) >= sizeof sun.sun_path) {
        log_line("cannot use the helper's socket %s: %s", socket_path, why);
        return -1;
    }
    strcpy(sun.sun_path, socket_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sun, sizeof sun))
        snprintf(why, sizeof why, "%s", strerror(errno));
    else if (bia_socktrust_peer(fd, socket_path, &trust, why, sizeof why) == BIA_TRUST_OK)
        return fd;
    log_line("cannot reach the helper on %s: %s", socket_path, why);
    close(fd);
    return -1;
}

static int read_full(int fd, uint8_t *buf, size_t len)
{
    while (len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, ASK_TIMEOUT_MS) <= 0)
            return -1;
        n = read(fd, buf, len);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One MAP4 then its USE on the kept connection: 0 with *v6, or -1. */
static int ask(struct in_addr v4, struct in6_addr *v6)
{
    uint8_t frame[BIA_MAX_FRAME];
    struct bia_reply reply;
    const char *bad;
    uint32_t id = next_id++;
    size_t len = bia_encode_map4(frame, sizeof frame, id, v4), total;

    if (helper_fd < 0 && (helper_fd = connect_helper()) < 0)
        return -1;
    if (send(helper_fd, frame, len, MSG_NOSIGNAL) != (ssize_t)len || read_full(helper_fd, frame, 4) ||
        !(total = bia_frame_size(frame)) || read_full(helper_fd, frame + 4, total - 4) ||
        bia_decode_reply(frame, total, &reply, &bad) || reply.id != id) {
        log_line("the helper on %s did not answer MAP4", socket_path);
        close(helper_fd);
        helper_fd = -1;
        return -1;
    }
    if (reply.type != BIA_T_MAP4 || reply.status != BIA_S_OK)
        return -1;
    *v6 = reply.u.entry.v6;
    return 0;
}

/* USE, once per address (past ANNOUNCED_MAX addresses, once per connect:
 * counted more, still never held too short). */
#define ANNOUNCED_MAX 1024
static uint32_t announced[ANNOUNCED_MAX];
static size_t n_announced;

static void announce(struct in_addr v4)
{
    uint8_t frame[BIA_HEADER_SIZE + 1 + 4];
    size_t len;

    for (size_t i = 0; i < n_announced; i++)
        if (announced[i] == v4.s_addr)
            return;
    if (helper_fd < 0 && (helper_fd = connect_helper()) < 0)
        return;
    len = bia_encode_uses(frame, sizeof frame, 0, BIA_T_USE, &v4, 1);
    if (send(helper_fd, frame, len, MSG_NOSIGNAL) == (ssize_t)len && n_announced < ANNOUNCED_MAX)
        announced[n_announced++] = v4.s_addr;
}

/* The pool address last used for an IPv6 address (a lookup's, else a
 * MAP6 answer), held (USE) for the supervisor's life, so it stays true: a
 * reply comes from the pool address the program sent to, as the preload's
 * mapping cache shows it, and a datagram server asks MAP6 once per client. */
#define REVERSE_KEPT 64
static struct {
    struct in6_addr v6;
    struct in_addr v4;
} reversed[REVERSE_KEPT];
static size_t n_reversed;

static bool reverse_known(const struct in6_addr *v6, struct in_addr *v4)
{
    for (size_t i = 0; i < n_reversed && i < REVERSE_KEPT; i++)
        if (!memcmp(&reversed[i].v6, v6, sizeof *v6)) {
            *v4 = reversed[i].v4;
            return true;
        }
    return false;
}

static void keep_reverse(const struct in6_addr *v6, struct in_addr v4)
{
    size_t k;

    for (k = 0; k < n_reversed && k < REVERSE_KEPT; k++)
        if (!memcmp(&reversed[k].v6, v6, sizeof *v6))
            break;
    if (k == n_reversed || k == REVERSE_KEPT)
        k = n_reversed++ % REVERSE_KEPT;
    reversed[k].v6 = *v6;
    reversed[k].v4 = v4;
}

int mapping_lookup(struct in_addr v4, struct in6_addr *v6)
{
    int rc;

    pthread_mutex_lock(&lock);
    rc = from_table(v4, v6) == 0 || ask(v4, v6) == 0 ? 0 : EHOSTUNREACH;
    if (rc == 0) {
        announce(v4);
        keep_reverse(v6, v4);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int mapping_reverse(const struct in6_addr *v6, struct in_addr *v4)
{
    uint8_t frame[BIA_MAX_FRAME];
    struct bia_reply reply;
    const char *bad;
    size_t len, total;
    uint32_t id;
    int rc = -1;

    pthread_mutex_lock(&lock);
    if (reverse_known(v6, v4)) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    id = next_id++;
    len = bia_encode_map6(frame, sizeof frame, id, v6);
    if (helper_fd < 0 && (helper_fd = connect_helper()) < 0) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    if (send(helper_fd, frame, len, MSG_NOSIGNAL) != (ssize_t)len || read_full(helper_fd, frame, 4) ||
        !(total = bia_frame_size(frame)) || read_full(helper_fd, frame + 4, total - 4) ||
        bia_decode_reply(frame, total, &reply, &bad) || reply.id != id) {
        log_line("the helper on %s did not answer MAP6", socket_path);
        close(helper_fd);
        helper_fd = -1;
    } else if (reply.type == BIA_T_MAP6 && reply.status == BIA_S_OK &&
               !memcmp(&reply.u.entry.v6, v6, sizeof *v6)) {
        *v4 = reply.u.entry.v4;
        announce(*v4);
        keep_reverse(v6, *v4);
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}
