/* Diagnostics on stderr, or in a file: "bia[pid]: message". */
#ifndef BIA_LOG_H
#define BIA_LOG_H

#include "bia_contract.h"

#include <stdbool.h>

/* BIA_LOG_ERROR .. BIA_LOG_TRACE: src/log.ts's LOG_LEVELS, in order. */
enum bia_log_level {
#define BIA_LOG_ENUM(level, name) BIA_LOG_##level,
    BIA_LOG_LEVELS(BIA_LOG_ENUM)
#undef BIA_LOG_ENUM
};

/* Parses a level's name ("error" .. "trace"); returns -1 for anything else. */
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
