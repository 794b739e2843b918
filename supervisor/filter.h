/*
 * The seccomp filter the target runs under: connect, getpeername,
 * getsockname, bind, accept, accept4, sendmsg, recvmsg, and sendto and
 * recvfrom that carry an address, of the native architecture, go to the
 * supervisor (user notification); every other system call, and every call
 * of another ABI (i386, x32), runs at full speed. Inherited across fork,
 * clone and execve.
 */
#ifndef BIA_SUPERVISOR_FILTER_H
#define BIA_SUPERVISOR_FILTER_H

/* Sets PR_SET_NO_NEW_PRIVS and installs the filter on the calling thread;
 * returns the listener descriptor, or -1 with errno. */
int filter_install(void);

/* 0 when the kernel has what the supervisor needs (Linux >= 5.9: user
 * notification with SECCOMP_IOCTL_NOTIF_ADDFD), else -1 with why filled. */
int filter_kernel_check(char *why, unsigned long size);

#endif
