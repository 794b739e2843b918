#include "package.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Node's process.arch for this build (the prebuilds/ directory's name). */
#if defined(__x86_64__)
#define NODE_ARCH "x64"
#elif defined(__aarch64__)
#define NODE_ARCH "arm64"
#endif

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Cuts the last component off path; false at the root. */
static bool parent(char *path)
{
    char *slash = strrchr(path, '/');

    if (!slash || slash == path)
        return false;
    *slash = '\0';
    return true;
}

int package_root(char root[PATH_MAX])
{
    char main_js[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", root, PATH_MAX - 1);

    if (n <= 0)
        return -1;
    root[n] = '\0';
    if (!parent(root))   /* the launcher's directory */
        return -1;
    for (int up = 1; up <= 2; up++) {
        if (!parent(root))
            return -1;
        package_main(root, main_js);
        if (exists(main_js))
            return 0;
    }
    return -1;
}

void package_main(const char *root, char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s/dist/cli/main.js", root);
}

#ifdef NODE_ARCH
int package_library(const char *root, bool musl, char out[PATH_MAX])
{
    static const char *const glibc[] = {"prebuilds/linux-" NODE_ARCH "/libbia.so", "build/Release/libbia.so"};
    static const char *const musls[] = {"prebuilds/linux-" NODE_ARCH "-musl/libbia.so", "build/Release/musl/libbia.so"};
    const char *const *candidates = musl ? musls : glibc;

    if (strpbrk(root, " :"))
        return -1;
    for (size_t i = 0; i < 2; i++)
        if (snprintf(out, PATH_MAX, "%s/%s", root, candidates[i]) < PATH_MAX && exists(out))
            return 0;
    return -1;
}
#else
/* Another architecture: which prebuilds/ directory Node would look in is
 * not known here, so the Node launcher picks. */
int package_library(const char *root, bool musl, char out[PATH_MAX])
{
    (void)root;
    (void)musl;
    (void)out;
    return -1;
}
#endif
