/*
 * socket(): passes straight through. Sockets are created as the program
 * asks (AF_INET stays AF_INET) and only swapped when a connect or sendto
 * needs IPv6 (core/outbound.c) or a bind to 0.0.0.0 or to a stand-in
 * address makes it a server (core/bindv4.c); the hook is the place for
 * per-socket state later.
 */
#include "real.h"

BIA_EXPORT int socket(int domain, int type, int protocol)
{
    return bia_real()->socket(domain, type, protocol);
}
