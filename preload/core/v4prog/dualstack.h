/*
 * Makes a new AF_INET6 socket dual-stack (IPV6_V6ONLY off) for the IPv4
 * peers a translated socket reaches through IPv4-mapped addresses, without
 * a system call where the kernel already made it so.
 *
 * The kernel gives a new AF_INET6 socket the IPV6_V6ONLY of its network
 * namespace's net.ipv6.bindv6only, which is 0 unless an administrator
 * changed it. The library reads it once per thread (a thread can enter
 * another namespace on its own) and again after the thread's setns() or
 * unshare() (hooks/setns.c, hooks/unshare.c); where it cannot be read, or
 * is 1, every socket gets the setsockopt. A change of the sysctl while a
 * process runs is not seen by that process.
 */
#ifndef BIA_DUALSTACK_H
#define BIA_DUALSTACK_H

/* 0, or -1 with errno as setsockopt(IPV6_V6ONLY, 0) set it. */
int bia_dualstack_make(int fd);

/* The calling thread entered another network namespace (or may have). */
void bia_dualstack_netns_changed(void);

#endif
