/* Diagnostics on stderr, or in a file: "bia[pid]: message". */
#ifndef BIA_LOG_H
#define BIA_LOG_H

#include <stdbool.h>

enum bia_log_level {
    BIA_LOG_ERROR,
    BIA_LOG_WARN,
    BIA_LOG_INFO,
    BIA_LOG_DEBUG,
    BIA_LOG_TRACE,
};

/* Parses "error" .. "trace"; returns -1 for anything else. */
int bia_log_parse_level(const char *text);
void bia_log_set_level(int level);
bool bia_log_enabled(int level);

/* Sends log lines to PATH instead of stderr. Returns false (and changes
 * nothing) unless PATH is absolute and can be opened for appending. */
bool bia_log_set_file(const char *path);

/* Writes one line if level is enabled. Never changes errno. */
void bia_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define bia_error(...) bia_log(BIA_LOG_ERROR, __VA_ARGS__)
#define bia_warn(...) bia_log(BIA_LOG_WARN, __VA_ARGS__)
#define bia_info(...) bia_log(BIA_LOG_INFO, __VA_ARGS__)
#define bia_debug(...) bia_log(BIA_LOG_DEBUG, __VA_ARGS__)
#define bia_trace(...) bia_log(BIA_LOG_TRACE, __VA_ARGS__)

#endif
