/*
 * bia's other binaries, found next to this library as the build and the
 * prebuilds place them: build/Release/{libbia.so,bia-supervise,musl/libbia.so}
 * and prebuilds/linux-ARCH/{libbia.so,bia-supervise} with
 * prebuilds/linux-ARCH-musl/libbia.so. The paths are worked out once at
 * load (dladdr takes the loader's lock, which an exec in a forked child
 * must not); whether a file is there is checked when it is wanted.
 */
#ifndef BIA_SIBLINGS_H
#define BIA_SIBLINGS_H

#include <stdbool.h>
#include <stddef.h>

/* The path of bia-supervise, the glibc preload, or the musl preload
 * (which may not be built); "" when this library's own path is unknown
 * or they are absent. Async-signal-safe. */
const char *bia_sibling_supervisor(void);
const char *bia_sibling_glibc(void);
const char *bia_sibling_musl(void);

/* Whether the len bytes at entry (one LD_PRELOAD entry) name one of
 * bia's preload builds. */
bool bia_sibling_is_preload(const char *entry, size_t len);

#endif
