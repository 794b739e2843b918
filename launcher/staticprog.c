#include "staticprog.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Program headers of one word size: whether one is PT_INTERP. */
#define HAS_INTERP(Ehdr, Phdr)                                                         \
    static bool has_interp_##Ehdr(int fd)                                              \
    {                                                                                  \
        Ehdr eh;                                                                       \
        Phdr ph;                                                                       \
        if (pread(fd, &eh, sizeof eh, 0) != sizeof eh || eh.e_phentsize != sizeof ph) \
            return true;                                                               \
        for (unsigned i = 0; i < eh.e_phnum; i++) {                                    \
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != sizeof ph) \
                return true;                                                           \
            if (ph.p_type == PT_INTERP)                                                \
                return true;                                                           \
        }                                                                              \
        return false;                                                                  \
    }
HAS_INTERP(Elf64_Ehdr, Elf64_Phdr)
HAS_INTERP(Elf32_Ehdr, Elf32_Phdr)

static bool static_file(const char *file)
{
    unsigned char ident[EI_NIDENT];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    bool is_static = false;

    if (fd < 0)
        return false;
    if (read(fd, ident, sizeof ident) == sizeof ident && !memcmp(ident, ELFMAG, SELFMAG))
        is_static = ident[EI_CLASS] == ELFCLASS64 ? !has_interp_Elf64_Ehdr(fd) : !has_interp_Elf32_Ehdr(fd);
    close(fd);
    return is_static;
}

static bool runnable(const char *file)
{
    struct stat st;

    return access(file, X_OK) == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode);
}

bool staticprog(const char *cmd)
{
    const char *path = getenv("PATH"), *p;
    char file[PATH_MAX];

    if (strchr(cmd, '/'))
        return static_file(cmd);
    for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p; p += *p == ':') {
        size_t len = strcspn(p, ":");

        if (len && snprintf(file, sizeof file, "%.*s/%s", (int)len, p, cmd) < (int)sizeof file && runnable(file))
            return static_file(file);
        p += len;
    }
    return false;
}
