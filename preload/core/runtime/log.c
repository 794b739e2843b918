/* Log lines go to fd 2 (or to BIA_LOG_FILE) through the real write(), in
 * one call each so that lines from several threads or processes do not
 * interleave. The file is opened for each line and closed again: a
 * descriptor kept open could be closed or reused by the program, and bia
 * would then write into the program's own file or socket. */
#include "runtime/log.h"

#include "runtime/real.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int current_level = BIA_LOG_WARN;

static char log_path[PATH_MAX];   /* empty: stderr; set once at load */

static const char *const level_names[] = {
#define BIA_LOG_NAME(level, name) name,
    BIA_LOG_LEVELS(BIA_LOG_NAME)
#undef BIA_LOG_NAME
};

int bia_log_parse_level(const char *text)
{
    for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++)
        if (!strcmp(text, level_names[i]))
            return i;
    return -1;
}

void bia_log_set_level(int level)
{
    __atomic_store_n(&current_level, level, __ATOMIC_RELAXED);
}

bool bia_log_enabled(int level)
{
    return level <= __atomic_load_n(&current_level, __ATOMIC_RELAXED);
}

/* O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of
 * blocking the program in open() on every line. */
static int open_log(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
}

bool bia_log_set_file(const char *path)
{
    int fd;

    if (path[0] != '/' || strlen(path) >= sizeof log_path)
        return false;
    fd = open_log(path);
    if (fd < 0)
        return false;
    bia_real()->close(fd);
    strcpy(log_path, path);
    return true;
}

static void write_all(int fd, const char *buf, size_t len)
{
    ssize_t (*real_write)(int, const void *, size_t) = bia_real()->write;

    while (len) {
        ssize_t n = real_write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static void write_line(const char *line, size_t len)
{
    int fd;

    if (!log_path[0]) {
        write_all(2, line, len);
        return;
    }
    fd = open_log(log_path);
    if (fd < 0)
        return;
    write_all(fd, line, len);
    bia_real()->close(fd);
}

void bia_log(int level, const char *fmt, ...)
{
    char line[512];
    int saved = errno, head, body;
    va_list ap;

    if (!bia_log_enabled(level))
        return;
    head = snprintf(line, sizeof line, "bia[%d]: ", (int)getpid());
    va_start(ap, fmt);
    body = vsnprintf(line + head, sizeof line - (size_t)head - 1, fmt, ap);
    va_end(ap);
    if (body < 0)
        body = 0;
    if ((size_t)(head + body) > sizeof line - 2)
        body = (int)(sizeof line - 2) - head;   /* truncated: keep the newline */
    /* Values from the environment, programs and DNS are quoted as they
     * are: a control character in one must not forge another line. */
    for (int i = head; i < head + body; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    line[head + body] = '\n';
    write_line(line, (size_t)(head + body + 1));
    errno = saved;
}
