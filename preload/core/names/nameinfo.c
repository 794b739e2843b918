#include "names/nameinfo.h"

#include "names/reverse.h"
#include "runtime/real.h"
#include "v6prog/synth.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static char domain[BIA_MAX_NAME + 1];
static pthread_once_t domain_once = PTHREAD_ONCE_INIT;

/* The domain part of a name, if it has one, into domain[]. */
static bool take_domain(const char *name)
{
    const char *dot = name ? strchr(name, '.') : NULL;

    if (!dot || strlen(dot + 1) >= sizeof domain)
        return false;
    strcpy(domain, dot + 1);
    return true;
}

static const char *canonical(const char *name, struct hostent *h, char *buf, size_t len)
{
    struct hostent *found;
    int herr;

    bia_real()->gethostbyname_r(name, h, buf, len, &found, &herr);
    return found ? found->h_name : NULL;
}

/* The local domain for NI_NOFQDN, found the way glibc's getnameinfo finds
 * it: localhost's canonical name, the host name, its canonical name. */
static void find_domain(void)
{
    char host[256] = "", buf[4096];
    struct hostent h;

    if (take_domain(canonical("localhost", &h, buf, sizeof buf)))
        return;
    gethostname(host, sizeof host - 1);
    if (!take_domain(host))
        take_domain(canonical(host, &h, buf, sizeof buf));
}

/* Cuts ".<local domain>" off name, as glibc does for NI_NOFQDN. */
static void cut_local_domain(char *name)
{
    char *c;

    pthread_once(&domain_once, find_domain);
    if (*domain && (c = strstr(name, domain)) && c != name && c[-1] == '.')
        c[-1] = 0;
}

static int numeric(struct in_addr v4, char *host, socklen_t hostlen, int flags)
{
    if (flags & NI_NAMEREQD)
        return EAI_NONAME;
    return inet_ntop(AF_INET, &v4, host, hostlen) ? 0 : EAI_OVERFLOW;
}

static int host_part(struct in_addr v4, char *host, socklen_t hostlen, int flags)
{
    struct bia_reply reply;

    if (bia_reverse_name4(v4, &reply) || reply.status == BIA_S_TRY_AGAIN)
        return EAI_AGAIN;
    if (reply.status != BIA_S_OK)
        return numeric(v4, host, hostlen, flags);
    if (flags & NI_NOFQDN)
        cut_local_domain(reply.u.name.name);
    if (strlen(reply.u.name.name) >= hostlen)
        return EAI_OVERFLOW;
    strcpy(host, reply.u.name.name);
    return 0;
}

int bia_getnameinfo4(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                     char *serv, socklen_t servlen, int flags)
{
    int (*real)(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int) =
        bia_real()->getnameinfo;
    /* libc checks the flags first; with neither buffer it only checks. */
    int rc = real(sa, salen, NULL, 0, NULL, 0, flags & ~NI_NAMEREQD);

    if (!rc)
        rc = host_part(((const struct sockaddr_in *)sa)->sin_addr, host, hostlen, flags);
    if (!rc && serv && servlen)
        rc = real(sa, salen, NULL, 0, serv, servlen, flags & ~NI_NAMEREQD);
    return rc;
}

bool bia_nameinfo_synthesized(const struct sockaddr *sa, struct in_addr *v4)
{
    return !bia_synth_is_mapped() &&
           bia_synth_to_v4(&((const struct sockaddr_in6 *)sa)->sin6_addr, v4) == 1;
}

int bia_getnameinfo6(const struct sockaddr *sa, socklen_t salen, struct in_addr v4, char *host,
                     socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    int (*real)(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int) =
        bia_real()->getnameinfo;
    struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_addr = v4,
                              .sin_port = ((const struct sockaddr_in6 *)sa)->sin6_port };
    const struct sockaddr *as4 = (const struct sockaddr *)&s4;
    /* libc checks the flags first; with neither buffer it only checks. */
    int rc = real(sa, salen, NULL, 0, NULL, 0, flags & ~NI_NAMEREQD);

    if (rc)
        return rc;
    rc = bia_reverse_is_ours(v4) ? bia_getnameinfo4(as4, sizeof s4, host, hostlen, NULL, 0, flags | NI_NAMEREQD)
                                 : real(as4, sizeof s4, host, hostlen, NULL, 0, flags | NI_NAMEREQD);
    if (rc == EAI_NONAME)
        return real(sa, salen, host, hostlen, serv, servlen, flags);
    if (!rc && serv && servlen)
        rc = real(sa, salen, NULL, 0, serv, servlen, flags & ~NI_NAMEREQD);
    return rc;
}
