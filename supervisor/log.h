/* The supervisor's lines on stderr, in the preload's form: "bia[PID]: supervisor: ...". */
#ifndef BIA_SUPERVISOR_LOG_H
#define BIA_SUPERVISOR_LOG_H

void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
