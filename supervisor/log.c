#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void log_line(const char *fmt, ...)
{
    char line[512];
    int n = snprintf(line, sizeof line, "bia[%d]: supervisor: ", (int)getpid());
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    (void)!write(2, line, strlen(line));
}
