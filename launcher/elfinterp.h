/* The program interpreter (PT_INTERP) an ELF program names: its ld.so. */
#ifndef BIA_LAUNCHER_ELFINTERP_H
#define BIA_LAUNCHER_ELFINTERP_H

#include <stddef.h>

/* Writes FILE's interpreter into interp (size bytes) and returns 0, or
 * returns -1 (not a 32- or 64-bit ELF file of this byte order, statically
 * linked, or unreadable). */
int elf_interpreter(const char *file, char *interp, size_t size);

#endif
