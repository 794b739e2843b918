/* Log lines go to fd 2 through the real write(), in one call each so that
 * lines from several threads or processes do not interleave. */
#include "log.h"

#include "real.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int current_level = BIA_LOG_WARN;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

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

static void write_all(const char *buf, size_t len)
{
    ssize_t (*real_write)(int, const void *, size_t) = bia_real()->write;

    while (len) {
        ssize_t n = real_write(2, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
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
    line[head + body] = '\n';
    write_all(line, (size_t)(head + body + 1));
    errno = saved;
}
