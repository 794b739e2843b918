/* Opening the published table: the checks the preload and the launcher
 * both make before they believe one (bia_maptable.h). */
#include "bia_maptable.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static bool fits(const struct bia_maptable_header *h, off_t size)
{
    return memcmp(h->magic, BIA_MAPTABLE_MAGIC, sizeof h->magic) == 0 &&
           h->version == BIA_MAPTABLE_VERSION && h->header_size == sizeof *h &&
           h->record_size == sizeof(struct bia_maptable_record) &&
           h->records <= BIA_MAPTABLE_MAX_RECORDS &&
           (unsigned long long)size >=
               sizeof *h + (unsigned long long)h->records * sizeof(struct bia_maptable_record);
}

/* Only a regular file of our own user is believed: it says where
 * connections go. O_NONBLOCK: a FIFO put at the path must not hang us. */
const struct bia_maptable_header *bia_maptable_map(const char *socket_path, size_t *size)
{
    char path[PATH_MAX];
    struct stat st;
    void *at = MAP_FAILED;
    int fd;

    if (snprintf(path, sizeof path, "%s%s", socket_path, BIA_MAPTABLE_SUFFIX) >= (int)sizeof path)
        return NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        st.st_size >= (off_t)sizeof(struct bia_maptable_header))
        at = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (at == MAP_FAILED)
        return NULL;
    if (!fits(at, st.st_size) ||
        __atomic_load_n(&((const struct bia_maptable_header *)at)->retired, __ATOMIC_ACQUIRE)) {
        munmap(at, st.st_size);
        return NULL;
    }
    *size = st.st_size;
    return at;
}
