#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

/* The notification names a thread; pidfd_open wants its process. */
static int process_of(pid_t tid)
{
    char path[64], line[128];
    int tgid = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Tgid: %d", &tgid) == 1)
            break;
    fclose(f);
    return tgid;
}

int target_fd(const struct seccomp_notif *req, int fd)
{
    int pidfd = (int)syscall(__NR_pidfd_open, (pid_t)req->pid, 0), pid, copy;

    /* EINVAL: a thread other than its process's first; /proc names the process. */
    if (pidfd < 0 && ((pid = process_of((pid_t)req->pid)) < 0 ||
                      (pidfd = (int)syscall(__NR_pidfd_open, pid, 0)) < 0))
        return -1;
    copy = (int)syscall(__NR_pidfd_getfd, pidfd, fd, 0);
    close(pidfd);
    return copy;
}

bool target_fd_cloexec(const struct seccomp_notif *req, int fd)
{
    char path[64], line[128];
    unsigned flags = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%u/fdinfo/%d", req->pid, fd);
    f = fopen(path, "re");
    if (!f)
        return false;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "flags: %o", &flags) == 1)
            break;
    fclose(f);
    return flags & O_CLOEXEC;
}

int target_read(const struct seccomp_notif *req, uint64_t addr, void *buf, size_t len)
{
    struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};

    return process_vm_readv((pid_t)req->pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

int target_write(const struct seccomp_notif *req, uint64_t addr, const void *buf, size_t len)
{
    struct iovec local = {(void *)buf, len}, remote = {(void *)(uintptr_t)addr, len};

    return process_vm_writev((pid_t)req->pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

int target_readv(const struct seccomp_notif *req, const struct iovec *remote, size_t n, void *buf, size_t len)
{
    struct iovec local = {buf, len};

    return process_vm_readv((pid_t)req->pid, &local, 1, remote, n, 0) == (ssize_t)len ? 0 : -1;
}

int target_writev(const struct seccomp_notif *req, const struct iovec *remote, size_t n, const void *buf,
                  size_t len)
{
    struct iovec local = {(void *)buf, len};

    return process_vm_writev((pid_t)req->pid, &local, 1, remote, n, 0) == (ssize_t)len ? 0 : -1;
}

bool target_alive(int listener, const struct seccomp_notif *req)
{
    __u64 id = req->id;

    return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

void target_answer(int listener, const struct seccomp_notif *req, int err)
{
    struct seccomp_notif_resp resp = {.id = req->id, .error = -err};

    /* ENOENT: the call is gone (the thread was killed or interrupted). */
    (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void target_return(int listener, const struct seccomp_notif *req, long long val)
{
    struct seccomp_notif_resp resp = {.id = req->id, .val = val};

    (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void target_continue(int listener, const struct seccomp_notif *req)
{
    struct seccomp_notif_resp resp = {.id = req->id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};

    (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}
