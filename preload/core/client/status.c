/* EAI_NODATA is a GNU extension. */
#define _GNU_SOURCE
#include "client/status.h"

#include "bia_protocol.h"

#include <errno.h>
#include <netdb.h>

int bia_status_to_eai(unsigned status)
{
    switch (status) {
    case BIA_S_OK:
        return 0;
    case BIA_S_NOT_FOUND:
        return EAI_NONAME;
    case BIA_S_NO_DATA:
        return EAI_NODATA;
    case BIA_S_TRY_AGAIN:
    case BIA_S_QUOTA:           /* passes: mappings expire, the rate refills */
    case BIA_S_POOL_EXHAUSTED:  /* passes too: connections close, mappings expire */
        return EAI_AGAIN;
    case BIA_S_BAD_REQUEST:
    case BIA_S_BAD_VERSION:
        return EAI_SYSTEM;
    default:                    /* INTERNAL, DENIED: asking again will not help */
        return EAI_FAIL;
    }
}

int bia_status_to_herrno(unsigned status)
{
    switch (status) {
    case BIA_S_OK:
        return 0;
    case BIA_S_NOT_FOUND:
        return HOST_NOT_FOUND;
    case BIA_S_NO_DATA:
        return NO_DATA;
    case BIA_S_TRY_AGAIN:
    case BIA_S_QUOTA:
    case BIA_S_POOL_EXHAUSTED:
        return TRY_AGAIN;
    default:
        return NO_RECOVERY;
    }
}

int bia_status_to_errno(unsigned status)
{
    switch (status) {
    case BIA_S_TRY_AGAIN:
    case BIA_S_POOL_EXHAUSTED:
        return EHOSTUNREACH;
    case BIA_S_QUOTA:           /* no stand-in address for this process now */
        return EADDRNOTAVAIL;
    case BIA_S_DENIED:          /* a policy refusal, as a local firewall rule's */
        return EACCES;
    default:
        return EIO;
    }
}
