/* The library's settings, read from the environment once at load. */
#ifndef BIA_CONFIG_H
#define BIA_CONFIG_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/un.h>

/* How synthesized IPv6 addresses look (docs/protocol.md, HELLO). */
struct bia_synth_params {
    uint8_t format;               /* enum bia_synth_format */
    struct in6_addr prefix;
    uint8_t len;
    uint32_t plane;               /* M46A plane ID */
};

/* BIA_NETWORK=auto: ask the helper (HELLO). Other values: enum bia_network. */
#define BIA_MODE_AUTO (-1)

#define BIA_MAX_FTP_PORTS 8

struct bia_config {
    bool active;                  /* false: pure pass-through, no helper contact */
    char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int network;                  /* BIA_MODE_AUTO or enum bia_network */
    bool have_pool;               /* BIA_POOL was given */
    struct in_addr pool;          /* network byte order */
    unsigned pool_len;
    bool have_synth;              /* BIA_SYNTH was given (with its prefix and plane) */
    struct bia_synth_params synth;
    int timeout_ms;               /* HELLO, MAP4, MAP6 */
    int resolve_timeout_ms;       /* RESOLVE */
    unsigned ftp_port_count;      /* BIA_FTP_PORTS: the FTP ALG's control ports (ftp/ftpalg.h) */
    in_port_t ftp_ports[BIA_MAX_FTP_PORTS];   /* network byte order */
};

const struct bia_config *bia_config(void);

/* Shorthand for the check every hook starts with. */
static inline bool bia_active(void)
{
    return bia_config()->active;
}

#endif
