#include "filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "the supervisor knows the audit arch of x86_64 and aarch64 only"
#endif

#define TRAP(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)
#define ARG4_LO offsetof(struct seccomp_data, args[4])
#define ARG4_HI (ARG4_LO + 4)   /* both architectures are little-endian */

int filter_install(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        TRAP(__NR_connect),
        TRAP(__NR_getpeername),
        TRAP(__NR_getsockname),
        TRAP(__NR_bind),
#ifdef __NR_accept
        TRAP(__NR_accept),
#endif
        TRAP(__NR_accept4),
        TRAP(__NR_sendmsg),   /* its address is in memory: the supervisor looks */
        TRAP(__NR_recvmsg),
        /* sendto and recvfrom only with an address (argument 4): send()
         * and recv(), the data path, run at full speed. */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_recvfrom, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG4_LO),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG4_HI),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return -1;
    return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

int filter_kernel_check(char *why, unsigned long size)
{
    struct utsname u = {0};
    unsigned major = 0, minor = 0;

    if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
        (major > 5 || (major == 5 && minor >= 9)))
        return 0;
    snprintf(why, size, "this kernel (Linux %s) is older than 5.9, which the supervisor needs "
             "(seccomp user notification with SECCOMP_IOCTL_NOTIF_ADDFD)", u.release);
    return -1;
}
