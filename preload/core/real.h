/*
 * The libc functions the library intercepts, as libc defines them, and a
 * per-thread guard so that the library never translates its own calls
 * (its own calls of hooked functions, and libc's: an NSS module's connect
 * under the real getaddrinfo). A signal handler runs with the guard
 * lifted (sigwrap.h), so a handler that interrupts the library still has
 * its own calls translated.
 */
#ifndef BIA_REAL_H
#define BIA_REAL_H

#include <netdb.h>
#include <resolv.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

struct ifaddrs;
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
    int (*getifaddrs)(struct ifaddrs **);
    void (*freeifaddrs)(struct ifaddrs *);
    struct hostent *(*gethostbyname)(const char *);
    int (*gethostbyname_r)(const char *, struct hostent *, char *, size_t,
                           struct hostent **, int *);
    struct hostent *(*gethostbyname2)(const char *, int);
    int (*gethostbyname2_r)(const char *, int, struct hostent *, char *, size_t,
                            struct hostent **, int *);
    struct hostent *(*gethostbyaddr)(const void *, socklen_t, int);
    int (*gethostbyaddr_r)(const void *, socklen_t, int, struct hostent *, char *, size_t,
                           struct hostent **, int *);
    int (*getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t, char *,
                       socklen_t, int);
    int (*inet_aton)(const char *, struct in_addr *);
    in_addr_t (*inet_addr)(const char *);
    int (*inet_pton)(int, const char *, void *);
    int (*res_query)(const char *, int, int, unsigned char *, int);
    int (*res_search)(const char *, int, int, unsigned char *, int);
    int (*res_querydomain)(const char *, const char *, int, int, unsigned char *, int);
    int (*res_nquery)(struct __res_state *, const char *, int, int, unsigned char *, int);
    int (*res_nsearch)(struct __res_state *, const char *, int, int, unsigned char *, int);
    int (*res_nquerydomain)(struct __res_state *, const char *, const char *, int, int,
                            unsigned char *, int);
    ssize_t (*write)(int, const void *, size_t);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
    int (*close_range)(unsigned, unsigned, int);
    int (*execve)(const char *, char *const[], char *const[]);
    int (*execvpe)(const char *, char *const[], char *const[]);
    int (*fexecve)(int, char *const[], char *const[]);
    int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                       const posix_spawnattr_t *, char *const[], char *const[]);
    int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);
    int (*system)(const char *);
    FILE *(*popen)(const char *, const char *);
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
    int (*sigaction)(int, const struct sigaction *, struct sigaction *);
    void (*(*signal)(int, void (*)(int)))(int);
    void (*(*sysv_signal)(int, void (*)(int)))(int);
    void (*(*sigset)(int, void (*)(int)))(int);
    int (*ioctl)(int, unsigned long, ...);
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

/* Lifts the calling thread's guard for a signal handler; returns what to
 * give back to bia_guard_resume() when the handler is done. */
bool bia_guard_suspend(void);
void bia_guard_resume(bool saved);

#endif
