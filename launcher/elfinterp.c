#include "elfinterp.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The offset and size of the PT_INTERP segment among phnum program
 * headers of entsize bytes at phoff. */
static int find_interp(int fd, int is64, unsigned long phoff, unsigned phnum, unsigned entsize,
                       unsigned long *off, unsigned long *len)
{
    for (unsigned i = 0; i < phnum && i < 256; i++) {
        union { Elf64_Phdr p64; Elf32_Phdr p32; } ph;
        if (entsize > sizeof ph || pread(fd, &ph, entsize, (off_t)(phoff + (unsigned long)i * entsize)) != (ssize_t)entsize)
            return -1;
        if (is64 && ph.p64.p_type == PT_INTERP) {
            *off = ph.p64.p_offset;
            *len = ph.p64.p_filesz;
            return 0;
        }
        if (!is64 && ph.p32.p_type == PT_INTERP) {
            *off = ph.p32.p_offset;
            *len = ph.p32.p_filesz;
            return 0;
        }
    }
    return -1;
}

int elf_interpreter(const char *file, char *interp, size_t size)
{
    union { Elf64_Ehdr e64; Elf32_Ehdr e32; } eh;
    unsigned long off, len;
    int fd = open(file, O_RDONLY | O_CLOEXEC), rc = -1, is64;

    if (fd < 0)
        return -1;
    if (pread(fd, &eh, sizeof eh, 0) < (ssize_t)sizeof eh.e32 || memcmp(eh.e64.e_ident, ELFMAG, SELFMAG))
        goto out;
    is64 = eh.e64.e_ident[EI_CLASS] == ELFCLASS64;
    if (is64 ? find_interp(fd, 1, eh.e64.e_phoff, eh.e64.e_phnum, eh.e64.e_phentsize, &off, &len)
             : find_interp(fd, 0, eh.e32.e_phoff, eh.e32.e_phnum, eh.e32.e_phentsize, &off, &len))
        goto out;
    if (len < 2 || len > size || pread(fd, interp, len, (off_t)off) != (ssize_t)len || interp[len - 1])
        goto out;
    rc = 0;
out:
    close(fd);
    return rc;
}
