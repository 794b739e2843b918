/*
 * Reads BIA_* once. An invalid value is ignored with one warning, so a typo
 * never stops the program. The library stays inert inside the helper (it
 * would otherwise ask itself), in set-uid/set-gid programs (their
 * environment is not to be trusted) and when no helper socket is named;
 * in the first two cases it does not even log.
 */
#include "runtime/config.h"

#include "bia_contract.h"
#include "bia_protocol.h"
#include "runtime/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static struct bia_config config = {
    .network = BIA_MODE_AUTO,
    .timeout_ms = BIA_DEFAULT_TIMEOUT_MS,
    .resolve_timeout_ms = BIA_DEFAULT_RESOLVE_TIMEOUT_MS,
};
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void read_log_level(void)
{
    const char *text = getenv(BIA_ENV_LOG_LEVEL);
    int level;

    if (!text)
        return;
    level = bia_log_parse_level(text);
    if (level < 0)
        bia_warn("ignoring " BIA_ENV_LOG_LEVEL "=%s: expected " BIA_LOG_LEVEL_CHOICES, text);
    else
        bia_log_set_level(level);
}

/* Read before anything can warn, so that warnings land there too. */
static void read_log_file(void)
{
    const char *path = getenv(BIA_ENV_LOG_FILE);

    if (path && *path && !bia_log_set_file(path))
        bia_warn("ignoring " BIA_ENV_LOG_FILE ": expected an absolute path to a file this program may append to");
}

static void read_network(void)
{
    static const struct { const char *name; int mode; } modes[] = {
        {"auto", BIA_MODE_AUTO},
        {"dual", BIA_NET_DUAL},
        {"ipv6-only", BIA_NET_IPV6_ONLY},
        {"ipv4-only", BIA_NET_IPV4_ONLY},
    };
    const char *text = getenv(BIA_ENV_NETWORK);

    if (!text)
        return;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (!strcmp(text, modes[i].name)) {
            config.network = modes[i].mode;
            return;
        }
    }
    bia_warn("ignoring " BIA_ENV_NETWORK "=%s: expected auto, dual, ipv6-only or ipv4-only", text);
}

/* Accepts a.b.c.d/len with len 1..32 and no host bits set. */
static void read_pool(void)
{
    const char *text = getenv(BIA_ENV_POOL);
    char addr[INET_ADDRSTRLEN];
    const char *slash;
    char *end;
    struct in_addr pool;
    long len;

    if (!text)
        return;
    slash = strchr(text, '/');
    if (!slash || (size_t)(slash - text) >= sizeof addr)
        goto invalid;
    memcpy(addr, text, (size_t)(slash - text));
    addr[slash - text] = 0;
    errno = 0;
    len = strtol(slash + 1, &end, 10);
    if (inet_pton(AF_INET, addr, &pool) != 1 || !slash[1] || *end || errno || len < 1 ||
        len > 32)
        goto invalid;
    if (len < 32 && (ntohl(pool.s_addr) & (0xffffffffu >> len)))
        goto invalid;
    config.have_pool = true;
    config.pool = pool;
    config.pool_len = (unsigned)len;
    return;
invalid:
    bia_warn("ignoring " BIA_ENV_POOL "=%s: expected a network such as 198.18.0.0/15", text);
}

/* a:b::/len with no host bits set; false if text is not one. */
static bool parse_v6_network(const char *text, struct in6_addr *net, unsigned *len_out)
{
    char addr[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    char *end;
    long len;

    if (!slash || (size_t)(slash - text) >= sizeof addr || !slash[1])
        return false;
    memcpy(addr, text, (size_t)(slash - text));
    addr[slash - text] = 0;
    errno = 0;
    len = strtol(slash + 1, &end, 10);
    if (inet_pton(AF_INET6, addr, net) != 1 || *end || errno || len < 0 || len > 128)
        return false;
    for (long bit = len; bit < 128; bit++)
        if (net->s6_addr[bit / 8] & (0x80 >> (bit % 8)))
            return false;
    *len_out = (unsigned)len;
    return true;
}

/* BIA_SYNTH, BIA_SYNTH_PREFIX, BIA_PLANE_ID: taken only all together and
 * consistent (bia run sets them from the helper's HELLO). */
static void read_synth(void)
{
    static const char *const names[] = {NULL, "mapped", "prefix", "m46a", "pool"};
    const char *format = getenv(BIA_ENV_SYNTH), *prefix = getenv(BIA_ENV_SYNTH_PREFIX);
    const char *plane = getenv(BIA_ENV_PLANE_ID);
    struct bia_synth_params p = {0};
    unsigned len = 0;
    unsigned long id;
    char *end;

    if (!format)
        return;
    for (unsigned i = 1; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(format, names[i]))
            p.format = (uint8_t)i;
    errno = 0;
    id = plane ? strtoul(plane, &end, 10) : 0;
    if (!p.format || !prefix || !parse_v6_network(prefix, &p.prefix, &len) ||
        (plane && (!*plane || *end || errno || id > 0xffffffffUL)) ||
        !bia_synth_params_valid(p.format, len, (uint32_t)id)) {
        bia_warn("ignoring " BIA_ENV_SYNTH "=%s: expected mapped, prefix, m46a or pool with a fitting "
                 BIA_ENV_SYNTH_PREFIX " (and " BIA_ENV_PLANE_ID ")", format);
        return;
    }
    p.len = (uint8_t)len;
    p.plane = (uint32_t)id;
    config.synth = p;
    config.have_synth = true;
}

static void read_timeout(const char *name, int *out)
{
    const char *text = getenv(name);
    char *end;
    long ms;

    if (!text)
        return;
    errno = 0;
    ms = strtol(text, &end, 10);
    if (!*text || *end || errno || ms < 1 || ms > BIA_MAX_TIMEOUT_MS) {
        bia_warn("ignoring %s=%s: expected milliseconds, 1..%d", name, text, BIA_MAX_TIMEOUT_MS);
        return;
    }
    *out = (int)ms;
}

/* BIA_FTP_PORTS: comma-separated ports, "" for none; invalid: the default. */
static bool parse_ftp_ports(const char *text)
{
    unsigned count = 0;
    char *end;
    long port;

    while (*text) {
        errno = 0;
        port = strtol(text, &end, 10);
        if (end == text || errno || port < 1 || port > 65535 || count == BIA_MAX_FTP_PORTS ||
            (*end && *end != ','))
            return false;
        config.ftp_ports[count++] = htons((in_port_t)port);
        text = *end ? end + 1 : end;
    }
    config.ftp_port_count = count;
    return true;
}

static void read_ftp_ports(void)
{
    const char *text = getenv(BIA_ENV_FTP_PORTS);

    if (text && parse_ftp_ports(text))
        return;
    if (text)
        bia_warn("ignoring " BIA_ENV_FTP_PORTS "=%s: expected up to %d TCP ports such as 21 or "
                 "21,2121, comma-separated, or \"\" for none", text, BIA_MAX_FTP_PORTS);
    parse_ftp_ports(BIA_DEFAULT_FTP_PORTS);
}

/* Returns false (and says why) when no usable helper socket path is set. */
static bool read_socket(void)
{
    const char *text = getenv(BIA_ENV_SOCKET);

    if (!text || !*text) {
        bia_debug("inert: " BIA_ENV_SOCKET " is not set");
        return false;
    }
    if (strlen(text) >= sizeof config.socket_path) {
        bia_warn("inert: " BIA_ENV_SOCKET " is longer than a Unix socket path may be");
        return false;
    }
    strcpy(config.socket_path, text);
    return true;
}

static void read_config(void)
{
    const char *inside = getenv(BIA_ENV_INSIDE_HELPER);

    /* Inside the helper nothing is read, so nothing is ever logged there. */
    if (inside && !strcmp(inside, "1"))
        return;
    /* Not even the log level: a set-uid program's environment is the caller's. */
    if (getauxval(AT_SECURE))
        return;
    read_log_file();
    read_log_level();
    if (!read_socket())
        return;
    read_network();
    read_pool();
    read_synth();
    read_timeout(BIA_ENV_TIMEOUT_MS, &config.timeout_ms);
    read_timeout(BIA_ENV_RESOLVE_TIMEOUT_MS, &config.resolve_timeout_ms);
    read_ftp_ports();
    config.active = true;
}

const struct bia_config *bia_config(void)
{
    pthread_once(&config_once, read_config);
    return &config;
}

/* Read the environment at load, before the program can change it. */
__attribute__((constructor)) static void config_at_load(void)
{
    bia_config();
}
