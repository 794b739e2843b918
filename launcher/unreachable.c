#include "unreachable.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Program headers of one word size: true without PT_INTERP, or with
 * musl's loader in it; false for any other loader or an unreadable file. */
#define UNREACHABLE(Ehdr, Phdr)                                                           \
    static bool unreachable_##Ehdr(int fd)                                                \
    {                                                                                     \
        char interp[PATH_MAX] = "";                                                       \
        Ehdr eh;                                                                          \
        Phdr ph;                                                                          \
        if (pread(fd, &eh, sizeof eh, 0) != sizeof eh || eh.e_phentsize != sizeof ph)    \
            return false;                                                                 \
        for (unsigned i = 0; i < eh.e_phnum; i++) {                                       \
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != sizeof ph) \
                return false;                                                             \
            if (ph.p_type != PT_INTERP)                                                   \
                continue;                                                                 \
            if (ph.p_filesz >= sizeof interp || pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) < 0) \
                return false;                                                             \
            return strstr(interp, "ld-musl") != NULL;                                     \
        }                                                                                 \
        return true;                                                                      \
    }
UNREACHABLE(Elf64_Ehdr, Elf64_Phdr)
UNREACHABLE(Elf32_Ehdr, Elf32_Phdr)

static bool unreachable_file(const char *file)
{
    unsigned char ident[EI_NIDENT];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    bool unreachable = false;

    if (fd < 0)
        return false;
    if (read(fd, ident, sizeof ident) == sizeof ident && !memcmp(ident, ELFMAG, SELFMAG))
        unreachable = ident[EI_CLASS] == ELFCLASS64 ? unreachable_Elf64_Ehdr(fd) : unreachable_Elf32_Ehdr(fd);
    close(fd);
    return unreachable;
}

static bool runnable(const char *file)
{
    struct stat st;

    return access(file, X_OK) == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode);
}

bool unreachable_program(const char *cmd)
{
    const char *path = getenv("PATH"), *p;
    char file[PATH_MAX];

    if (strchr(cmd, '/'))
        return unreachable_file(cmd);
    for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p; p += *p == ':') {
        size_t len = strcspn(p, ":");

        if (len && snprintf(file, sizeof file, "%.*s/%s", (int)len, p, cmd) < (int)sizeof file && runnable(file))
            return unreachable_file(file);
        p += len;
    }
    return false;
}
