/* See elfreach.h. The header, the program headers and the interpreter's
 * name are read with one read when they lie in the first 2 KiB, as
 * they do in every linker's output: one open, one read, one close per exec. */
#include "exec/elfreach.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD 2048

/* len bytes at off of the file: from head when it holds them, else read. */
static bool bytes(int fd, const char *head, size_t got, unsigned long off, size_t len, void *out)
{
    if (off <= got && len <= got - off) {
        memcpy(out, head + off, len);
        return true;
    }
    return pread(fd, out, len, (off_t)off) == (ssize_t)len;
}

static enum bia_elfreach by_interp(const char *interp)
{
    return strstr(interp, "ld-musl") ? BIA_ELF_MUSL : BIA_ELF_PRELOAD;
}

/* Program headers of one word size: no PT_INTERP, or musl's loader in it. */
#define REACH(Ehdr, Phdr)                                                                   \
    static enum bia_elfreach reach_##Ehdr(int fd, const char *head, size_t got)             \
    {                                                                                       \
        char interp[256] = "";                                                              \
        Ehdr eh;                                                                            \
        Phdr ph;                                                                            \
        if (!bytes(fd, head, got, 0, sizeof eh, &eh) || eh.e_phentsize != sizeof ph)        \
            return BIA_ELF_PRELOAD;                                                         \
        for (unsigned i = 0; i < eh.e_phnum; i++) {                                         \
            if (!bytes(fd, head, got, eh.e_phoff + i * sizeof ph, sizeof ph, &ph))          \
                return BIA_ELF_PRELOAD;                                                     \
            if (ph.p_type != PT_INTERP)                                                     \
                continue;                                                                   \
            if (ph.p_filesz >= sizeof interp || !bytes(fd, head, got, ph.p_offset, ph.p_filesz, interp)) \
                return BIA_ELF_PRELOAD;                                                     \
            return by_interp(interp);                                                       \
        }                                                                                   \
        return BIA_ELF_STATIC;                                                              \
    }
REACH(Elf64_Ehdr, Elf64_Phdr)
REACH(Elf32_Ehdr, Elf32_Phdr)

enum bia_elfreach bia_elfreach(const char *file)
{
    char head[HEAD];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    enum bia_elfreach reach = BIA_ELF_PRELOAD;
    ssize_t got;

    if (fd < 0)
        return reach;
    got = read(fd, head, sizeof head);
    if (got >= EI_NIDENT && !memcmp(head, ELFMAG, SELFMAG))
        reach = head[EI_CLASS] == ELFCLASS64 ? reach_Elf64_Ehdr(fd, head, (size_t)got)
                                              : reach_Elf32_Ehdr(fd, head, (size_t)got);
    close(fd);
    return reach;
}

static bool runnable(const char *file)
{
    struct stat st;

    return access(file, X_OK) == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode);
}

bool bia_elfreach_search(const char *cmd, const char *path, char *out, size_t size)
{
    if (strchr(cmd, '/'))
        return snprintf(out, size, "%s", cmd) < (int)size;
    for (const char *p = path ? path : "/bin:/usr/bin"; *p; p += *p == ':') {
        size_t len = strcspn(p, ":");
        /* An empty entry is the current directory, as for execvp. */
        const char *dir = len ? p : ".";

        if (snprintf(out, size, "%.*s/%s", (int)(len ? len : 1), dir, cmd) < (int)size && runnable(out))
            return true;
        p += len;
    }
    return false;
}
