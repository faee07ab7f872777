#ifndef SM_BASE_LOG_H
#define SM_BASE_LOG_H

#include <stddef.h>
#include <syslog.h>

#include "base/compat.h"

/* One line per event on stderr (journald collects it):
 * "2026-01-12T08:00:00.123Z warn ingest: cannot parse ...". Never log secrets. */
void sm_log(int prio, const char *module, const char *fmt, ...) SM_PRINTF(3, 4);
/* The same line, held in memory and written with the lines held before it
 * as one block: by the next sm_log, by sm_log_flush or once 16 KiB are
 * held. For the request log of a flood (one write per request was a
 * system call per acknowledgement); the server flushes every 100 ms. */
void sm_log_held(int prio, const char *module, const char *fmt, ...) SM_PRINTF(3, 4);
/* The same for a line already written (len bytes of text, borrowed). */
void sm_log_held_text(int prio, const char *module, const char *text, size_t len);
/* Writes the held lines now. */
void sm_log_flush(void);
void sm_log_set_level(int prio);
int sm_log_level(void);
/* "debug", "info", "notice", "warning", "err"; -1 when unknown */
int sm_log_parse_level(const char *name);

#define log_err(...)   sm_log(LOG_ERR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)  sm_log(LOG_WARNING, LOG_MODULE, __VA_ARGS__)
#define log_info(...)  sm_log(LOG_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...) sm_log(LOG_DEBUG, LOG_MODULE, __VA_ARGS__)

#endif
