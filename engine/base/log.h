#ifndef SM_BASE_LOG_H
#define SM_BASE_LOG_H

#include <syslog.h>

#include "base/compat.h"

/* One line per event on stderr (journald collects it):
 * "2026-01-12T08:00:00.123Z warn ingest: cannot parse ...". Never log secrets. */
void sm_log(int prio, const char *module, const char *fmt, ...) SM_PRINTF(3, 4);
void sm_log_set_level(int prio);
int sm_log_level(void);
/* "debug", "info", "notice", "warning", "err"; -1 when unknown */
int sm_log_parse_level(const char *name);

#define log_err(...)   sm_log(LOG_ERR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)  sm_log(LOG_WARNING, LOG_MODULE, __VA_ARGS__)
#define log_info(...)  sm_log(LOG_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...) sm_log(LOG_DEBUG, LOG_MODULE, __VA_ARGS__)

#endif
