/*
 * The bia package's files, found from where the launcher itself is: in an
 * installed package it is bin/bia (scripts/install.mjs puts it there), in
 * a build build/Release/bia or prebuilds/linux-<arch>/bia. The package
 * root is the directory above bin/, or two above the others: whichever
 * holds dist/cli/main.js.
 */
#ifndef BIA_LAUNCHER_PACKAGE_H
#define BIA_LAUNCHER_PACKAGE_H

#include <limits.h>
#include <stdbool.h>

/* 0 with root set, or -1. */
int package_root(char root[PATH_MAX]);

/* The Node CLI's entry point under root. */
void package_main(const char *root, char out[PATH_MAX]);

/*
 * The preload library as src/preload-path.ts picks it (musl: its musl
 * build, muslPreloadLibrary()): the prebuilt one for this platform, else
 * the one compiled from source. -1 when there is
 * none, or when its path holds a space or colon (LD_PRELOAD separators,
 * which the Node launcher would split it at).
 */
int package_library(const char *root, bool musl, char out[PATH_MAX]);

#endif
