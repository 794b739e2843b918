/* See siblings.h. */
#define _GNU_SOURCE
#include "exec/siblings.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The glibc build's directory, and the musl build's two possible places. */
static char glibc_dir[PATH_MAX], supervisor[PATH_MAX], glibc[PATH_MAX], musl_in[PATH_MAX], musl_beside[PATH_MAX];

static void path(char *out, const char *dir, const char *name)
{
    if (snprintf(out, PATH_MAX, "%s%s", dir, name) >= PATH_MAX)
        out[0] = '\0';
}

/* This library's directory: the glibc build's; the musl build's is its
 * musl/ subdirectory or its -musl sibling. */
static void find_glibc_dir(void)
{
    Dl_info info;
    const char *slash;
    size_t len;

    if (!dladdr((void *)find_glibc_dir, &info) || !info.dli_fname || !(slash = strrchr(info.dli_fname, '/')))
        return;
    len = (size_t)(slash - info.dli_fname);
    if (len >= sizeof glibc_dir)
        return;
    memcpy(glibc_dir, info.dli_fname, len);
    glibc_dir[len] = '\0';
#ifndef __GLIBC__
    len = strlen(glibc_dir);
    if (len > 5 && !strcmp(glibc_dir + len - 5, "-musl"))
        glibc_dir[len - 5] = '\0';
    else if ((slash = strrchr(glibc_dir, '/')))
        glibc_dir[slash - glibc_dir] = '\0';
#endif
}

__attribute__((constructor)) static void find_siblings(void)
{
    find_glibc_dir();
    if (!glibc_dir[0])
        return;
    path(supervisor, glibc_dir, "/bia-supervise");
    path(glibc, glibc_dir, "/libbia.so");
    path(musl_in, glibc_dir, "/musl/libbia.so");
    path(musl_beside, glibc_dir, "-musl/libbia.so");
}

static const char *present(const char *file)
{
    return file[0] && access(file, R_OK) == 0 ? file : "";
}

const char *bia_sibling_supervisor(void)
{
    return supervisor[0] && access(supervisor, X_OK) == 0 ? supervisor : "";
}

const char *bia_sibling_glibc(void)
{
    return present(glibc);
}

const char *bia_sibling_musl(void)
{
    return present(musl_in)[0] ? musl_in : present(musl_beside);
}

static bool same(const char *file, const char *entry, size_t len)
{
    return file[0] && strlen(file) == len && !memcmp(file, entry, len);
}

bool bia_sibling_is_preload(const char *entry, size_t len)
{
    return same(glibc, entry, len) || same(musl_in, entry, len) || same(musl_beside, entry, len);
}
