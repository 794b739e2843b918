/*
 * The name-service hooks from C (run by test/c/smoke.sh names_smoke, with
 * test/c/fake_helper.py answering): buffer sizes, error codes, and inputs
 * libc must keep answering itself. Where the answer must be libc's own,
 * it is compared with libc's function called directly (dlopen'ed, so
 * not through the preload). Prints one line per check and
 * "N passed, N failed" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "check.h"

static void *libc;


#define LIBC(name) ((__typeof__(&name))dlsym(libc, #name))

static struct sockaddr_in sin_of(const char *addr, int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};

    inet_pton(AF_INET, addr, &sin.sin_addr);
    return sin;
}

static int nameinfo(const char *addr, int port, char *host, socklen_t hostlen, char *serv,
                    socklen_t servlen, int flags)
{
    struct sockaddr_in sin = sin_of(addr, port);

    return getnameinfo((struct sockaddr *)&sin, sizeof sin, host, hostlen, serv, servlen, flags);
}

static void test_gethostbyaddr(void)
{
    struct in_addr a = sin_of("198.18.0.1", 0).sin_addr, unnamed;
    struct hostent *h = gethostbyaddr(&a, sizeof a, AF_INET), ret, *res;
    char buf[1024];
    int herr, rc;

    check(h && !strcmp(h->h_name, "v6only.test") && h->h_length == 4 && h->h_addrtype == AF_INET &&
              !memcmp(h->h_addr_list[0], &a, 4) && !h->h_addr_list[1] && !h->h_aliases[0],
          "gethostbyaddr(pool address) answers the name it was made for");
    rc = gethostbyaddr_r(&a, sizeof a, AF_INET, &ret, buf, 8, &res, &herr);
    check(rc == ERANGE && !res && herr == NETDB_INTERNAL,
          "gethostbyaddr_r with a tiny buffer: ERANGE, NETDB_INTERNAL");
    rc = gethostbyaddr_r(&a, sizeof a, AF_INET, &ret, buf, sizeof buf, &res, &herr);
    check(rc == 0 && res == &ret && !strcmp(ret.h_name, "v6only.test"), "gethostbyaddr_r answers");
    inet_aton("2001:db8::5", &unnamed);
    h_errno = 0;
    h = gethostbyaddr(&unnamed, sizeof unnamed, AF_INET);
    check(!h && h_errno == HOST_NOT_FOUND, "gethostbyaddr of a literal's pool address: HOST_NOT_FOUND");
}

static void test_getnameinfo(void)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    struct sockaddr_in sin = sin_of("198.18.0.1", 8080);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int (*real)(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int) =
        LIBC(getnameinfo);
    char unnamed[INET_ADDRSTRLEN];
    struct in_addr u;

    inet_aton("2001:db8::5", &u);
    inet_ntop(AF_INET, &u, unnamed, sizeof unnamed);
    check(!nameinfo("198.18.0.1", 8080, host, sizeof host, serv, sizeof serv, NI_NUMERICSERV) &&
              !strcmp(host, "v6only.test") && !strcmp(serv, "8080"),
          "getnameinfo(pool address): the name, numeric service");
    check(!nameinfo("198.18.0.1", 53, host, sizeof host, serv, sizeof serv, NI_DGRAM | NI_NAMEREQD) &&
              !strcmp(serv, "domain"), "getnameinfo NI_DGRAM: the service is libc's");
    check(!nameinfo("198.18.0.1", 8080, host, sizeof host, NULL, 0, NI_NUMERICHOST) &&
              !strcmp(host, "198.18.0.1"), "getnameinfo NI_NUMERICHOST: the address");
    check(nameinfo("198.18.0.1", 8080, host, 11, NULL, 0, 0) == EAI_OVERFLOW,
          "getnameinfo host buffer one byte short: EAI_OVERFLOW");
    check(!nameinfo("198.18.0.1", 8080, host, 12, NULL, 0, 0) && !strcmp(host, "v6only.test"),
          "getnameinfo host buffer just right");
    check(nameinfo("198.18.0.1", 8080, host, sizeof host, serv, 2, NI_NUMERICSERV) == EAI_OVERFLOW,
          "getnameinfo service buffer too small: EAI_OVERFLOW");
    check(nameinfo(unnamed, 80, host, sizeof host, NULL, 0, NI_NAMEREQD) == EAI_NONAME,
          "getnameinfo NI_NAMEREQD without a name: EAI_NONAME");
    check(!nameinfo(unnamed, 80, host, sizeof host, NULL, 0, 0) && !strcmp(host, unnamed),
          "getnameinfo without a name: the numeric address");
    check(nameinfo(unnamed, 80, host, 5, NULL, 0, 0) == EAI_OVERFLOW,
          "getnameinfo numeric address in a tiny buffer: EAI_OVERFLOW");
    check(getnameinfo((struct sockaddr *)&sin, sizeof sin - 1, host, sizeof host, NULL, 0, 0) ==
              real((struct sockaddr *)&sin, sizeof sin - 1, host, sizeof host, NULL, 0, 0),
          "getnameinfo short salen: libc's answer");
    check(getnameinfo((struct sockaddr *)&sun, sizeof sin, host, sizeof host, NULL, 0, 0) ==
              real((struct sockaddr *)&sun, sizeof sin, host, sizeof host, NULL, 0, 0),
          "getnameinfo AF_UNIX: libc's answer");
    check(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, NULL, 0, 0x40000) ==
              EAI_BADFLAGS, "getnameinfo unknown flag: EAI_BADFLAGS");
}

static void test_gethostbyname2(void)
{
    struct hostent *h = gethostbyname2("v6only.test", AF_INET), ret, *res;
    char buf[1024];
    int herr, rc;

    check(h && h->h_addr_list[0] && h->h_addr_list[1] && !h->h_addr_list[2],
          "gethostbyname2(AF_INET) returns every address");
    rc = gethostbyname2_r("v6only.test", AF_INET, &ret, buf, 16, &res, &herr);
    check(rc == ERANGE && !res && herr == NETDB_INTERNAL, "gethostbyname2_r tiny buffer: ERANGE");
    h_errno = 0;
    check(!gethostbyname2("nowhere.test", AF_INET) && h_errno == HOST_NOT_FOUND,
          "gethostbyname2 unknown name: HOST_NOT_FOUND");
}

/* Each call with a 300-byte name must give exactly libc's answer. */
static void test_long_names(void)
{
    char name[301], buf[1024];
    struct hostent ret, *res, *res2;
    struct addrinfo hints = {.ai_family = AF_INET}, *ai = NULL;
    unsigned char answer[512];
    int herr, herr2, rc, rc2;

    memset(name, 'a', 300);
    name[300] = 0;
    rc = getaddrinfo(name, NULL, &hints, &ai);
    rc2 = LIBC(getaddrinfo)(name, NULL, &hints, &ai);
    check(rc == rc2, "getaddrinfo(AF_INET, 300-byte name): libc's answer");
    rc = gethostbyname_r(name, &ret, buf, sizeof buf, &res, &herr);
    rc2 = LIBC(gethostbyname_r)(name, &ret, buf, sizeof buf, &res2, &herr2);
    check(rc == rc2 && !res == !res2 && herr == herr2, "gethostbyname_r(300-byte name): libc's answer");
    rc = gethostbyname2_r(name, AF_INET, &ret, buf, sizeof buf, &res, &herr);
    rc2 = LIBC(gethostbyname2_r)(name, AF_INET, &ret, buf, sizeof buf, &res2, &herr2);
    check(rc == rc2 && !res == !res2 && herr == herr2, "gethostbyname2_r(300-byte name): libc's answer");
    rc = res_query(name, ns_c_in, ns_t_a, answer, sizeof answer);
    herr = h_errno;
    rc2 = LIBC(res_query)(name, ns_c_in, ns_t_a, answer, sizeof answer);
    check(rc == rc2 && herr == h_errno, "res_query(300-byte name): libc's answer");
    h_errno = 0;
    check(!gethostbyname("h\xc3\xa9llo.test") && h_errno == HOST_NOT_FOUND,
          "a non-ASCII name goes to the helper like any other: HOST_NOT_FOUND");
}

static void test_literals(void)
{
    struct in_addr a = {0}, b = {0};
    struct addrinfo hints = {.ai_family = AF_INET, .ai_flags = AI_NUMERICHOST}, *ai = NULL;
    struct in6_addr v6;
    char text[INET_ADDRSTRLEN];

    check(inet_aton("2001:db8::5", &a) == 1 && (ntohl(a.s_addr) >> 17) == (198u << 7 | 18u >> 1),
          "inet_aton(IPv6 literal): a pool address");
    check(inet_addr("2001:db8::5") == a.s_addr, "inet_addr(IPv6 literal): the same address");
    check(inet_pton(AF_INET, "2001:db8::5", &b) == 1 && b.s_addr == a.s_addr,
          "inet_pton(AF_INET, IPv6 literal): the same address");
    check(inet_aton("2001:db8::5", NULL) == 1, "inet_aton(IPv6 literal, NULL): valid");
    check(getaddrinfo("2001:db8::5", "80", &hints, &ai) == 0 &&
              ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr == a.s_addr,
          "getaddrinfo(AF_INET, AI_NUMERICHOST, IPv6 literal): the same address");
    if (ai)
        freeaddrinfo(ai);
    check(inet_aton("2001:db8::zz", &b) == 0 && inet_addr("2001:db8::zz") == INADDR_NONE &&
              inet_pton(AF_INET, "2001:db8::zz", &b) == 0, "an invalid literal stays invalid");
    check(inet_aton("1.2.3", &b) == 1 && inet_pton(AF_INET, "1.2.3", &b) == 0 &&
              inet_addr("10.1.2.3") == htonl(0x0a010203), "IPv4 input is libc's");
    check(inet_aton("::", &b) == 0 && inet_aton("::1", &b) == 0 && inet_aton("fe80::1", &b) == 0 &&
              inet_aton("ff02::1", &b) == 0 && inet_aton("::ffff:1.2.3.4", &b) == 0,
          "::, loopback, link-local, multicast and mapped literals are libc's (invalid)");
    check(inet_pton(AF_INET6, "2001:db8::5", &v6) == 1 && v6.s6_addr[15] == 5,
          "inet_pton(AF_INET6) is libc's");
    hints.ai_flags = AI_NUMERICHOST;
    check(getaddrinfo("10.0.0.1", NULL, &hints, &ai) == 0 &&
              !strcmp(inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, text,
                                sizeof text), "10.0.0.1"),
          "getaddrinfo(AF_INET, AI_NUMERICHOST, IPv4 literal) is libc's");
    freeaddrinfo(ai);
}

static void test_res_query(void)
{
    unsigned char answer[512];
    HEADER *hp = (HEADER *)answer;
    ns_msg msg;
    ns_rr rr;
    int len = res_query("v6only.test", ns_c_in, ns_t_a, answer, sizeof answer), len2;

    check(len > 0 && ns_initparse(answer, len, &msg) == 0 && ns_msg_count(msg, ns_s_an) == 2 &&
              ns_parserr(&msg, ns_s_an, 0, &rr) == 0 && ns_rr_type(rr) == ns_t_a &&
              ns_rr_rdata(rr)[0] == 198 && hp->qr && !hp->tc && hp->rcode == ns_r_noerror,
          "res_query IN A: a response with both pool addresses");
    len2 = res_query("v6only.test", ns_c_in, ns_t_a, answer, 20);
    check(len2 == len && hp->tc, "res_query small buffer: cut, TC set, full length returned");
    errno = 0;
    len = res_query("v6only.test", ns_c_in, ns_t_a, answer, 11);
    check(len == -1 && h_errno == TRY_AGAIN && errno == EINVAL,
          "res_query buffer smaller than a header: libc's -1, TRY_AGAIN, EINVAL");
    check(res_query("nowhere.test", ns_c_in, ns_t_a, answer, sizeof answer) == -1 &&
              h_errno == HOST_NOT_FOUND && hp->rcode == ns_r_nxdomain,
          "res_query unknown name: -1, HOST_NOT_FOUND, an NXDOMAIN response");
    check(res_querydomain("v6only", "test", ns_c_in, ns_t_a, answer, sizeof answer) > 0,
          "res_querydomain joins name and domain");
    len = res_query("v6only.test", ns_c_in, ns_t_mx, answer, sizeof answer);
    len2 = LIBC(res_query)("v6only.test", ns_c_in, ns_t_mx, answer, sizeof answer);
    check(len == len2, "res_query IN MX is libc's");
}

static void test_res_nquery(void)
{
    struct __res_state st = {0};
    unsigned char answer[512];

    res_ninit(&st);
    check(res_nquery(&st, "v6only.test", ns_c_in, ns_t_a, answer, sizeof answer) > 0,
          "res_nquery IN A answers");
    check(res_nquery(&st, "nowhere.test", ns_c_in, ns_t_a, answer, sizeof answer) == -1 &&
              st.res_h_errno == HOST_NOT_FOUND && h_errno == HOST_NOT_FOUND,
          "res_nquery unknown name: HOST_NOT_FOUND in the state and h_errno");
    check(res_nquerydomain(&st, "v6only", "test", ns_c_in, ns_t_a, answer, sizeof answer) > 0,
          "res_nquerydomain answers");
    check(res_nsearch(&st, "v6only.test", ns_c_in, ns_t_a, answer, sizeof answer) > 0,
          "res_nsearch answers");
    res_nclose(&st);
}

int main(void)
{
    libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (!libc) {
        puts("FAIL cannot open libc");
        return 1;
    }
    test_gethostbyaddr();
    test_getnameinfo();
    test_gethostbyname2();
    test_long_names();
    test_literals();
    test_res_query();
    test_res_nquery();
    return report();
}
