/*
 * The libc functions the library intercepts, as libc defines them, and a
 * per-thread guard so that the library never translates its own calls.
 */
#ifndef BIA_REAL_H
#define BIA_REAL_H

#include <netdb.h>
#include <stdbool.h>
#include <sys/socket.h>

struct mmsghdr;      /* declared by <sys/socket.h> only with _GNU_SOURCE */
struct timespec;

/* Exported hooks: the build hides every other symbol. */
#define BIA_EXPORT __attribute__((visibility("default")))

struct bia_real {
    int (*socket)(int, int, int);
    int (*connect)(int, const struct sockaddr *, socklen_t);
    int (*close)(int);
    int (*getpeername)(int, struct sockaddr *, socklen_t *);
    int (*getsockname)(int, struct sockaddr *, socklen_t *);
    int (*getaddrinfo)(const char *, const char *, const struct addrinfo *,
                       struct addrinfo **);
    void (*freeaddrinfo)(struct addrinfo *);
    struct hostent *(*gethostbyname)(const char *);
    int (*gethostbyname_r)(const char *, struct hostent *, char *, size_t,
                           struct hostent **, int *);
    ssize_t (*write)(int, const void *, size_t);
    int (*bind)(int, const struct sockaddr *, socklen_t);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
    int (*getsockopt)(int, int, int, void *, socklen_t *);
    int (*setsockopt)(int, int, int, const void *, socklen_t);
};

/*
 * The next definitions after this library, looked up once. libc is always
 * among the objects loaded after a preloaded library (it is one of this
 * library's own dependencies), so none of them is NULL.
 */
const struct bia_real *bia_real(void);

/*
 * Marks the calling thread as inside the library. Returns false if it
 * already was: the caller is then a libc function the library itself
 * called, and must go straight to the real function.
 */
bool bia_guard_enter(void);
void bia_guard_leave(void);

#endif
