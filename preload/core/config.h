/* The library's settings, read from the environment once at load. */
#ifndef BIA_CONFIG_H
#define BIA_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/un.h>

/* BIA_NETWORK=auto: ask the helper (HELLO). Other values: enum bia_network. */
#define BIA_MODE_AUTO (-1)

struct bia_config {
    bool active;                  /* false: pure pass-through, no helper contact */
    char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int network;                  /* BIA_MODE_AUTO or enum bia_network */
    bool have_pool;               /* BIA_POOL was given */
    struct in_addr pool;          /* network byte order */
    unsigned pool_len;
    int timeout_ms;               /* HELLO, MAP4, MAP6 */
    int resolve_timeout_ms;       /* RESOLVE */
};

const struct bia_config *bia_config(void);

/* Shorthand for the check every hook starts with. */
static inline bool bia_active(void)
{
    return bia_config()->active;
}

#endif
