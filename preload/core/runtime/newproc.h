/*
 * Which process the library's per-process state belongs to (the
 * descriptor tables, the kept helper connections, the mapping use
 * counts), and the reset a new process goes through before it uses its
 * copy of that state, however it was made.
 *
 * glibc's fork() runs atfork handlers, but a raw clone() or clone3()
 * system call (vsftpd's isolate, bubblewrap, Chromium's zygote), glibc's
 * _Fork and a clone from a signal handler do not. So the library notices
 * a new process by itself: the owner's pid lives in a page marked
 * MADV_WIPEONFORK, which the kernel gives a child with its own memory
 * (any clone without CLONE_VM) zeroed, and a child that shares the
 * memory (vfork, posix_spawn, CLONE_VM) as it is. A zero word is a new
 * process: its first call into the library runs the reset and makes it
 * the owner. A word naming another pid is a child sharing its parent's
 * memory: it may read the tables but change nothing (its descriptors are
 * not its parent's), whether it is a vfork child or a CLONE_VM child
 * running beside its parent. Without MADV_WIPEONFORK (Linux before 4.14)
 * only glibc's fork is seen; other children are treated as sharing.
 */
#ifndef BIA_NEWPROC_H
#define BIA_NEWPROC_H

#include <stdbool.h>

/* True when this process owns the library's memory (resetting it first in
 * a new process that no fork handler saw); false in a child that shares
 * its parent's memory. One getpid; async-signal-safe. */
bool bia_newproc_own(void);

#endif
