#ifndef SM_BASE_TIMEUTIL_H
#define SM_BASE_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

/* Times inside the engine are int64 milliseconds since the epoch, UTC
 * (`*_ms`). Zones are fixed offsets in minutes east of UTC; the default zone
 * Asia/Shanghai is +08:00 all year (China has kept no daylight saving since
 * 1991). */
#define SM_TZ_SHANGHAI_MIN 480
#define SM_MS_PER_MIN  60000LL
#define SM_MS_PER_HOUR 3600000LL
#define SM_MS_PER_DAY  86400000LL

/* Days since 1970-01-01 of a proleptic Gregorian date (no libc time zone). */
int64_t sm_days_from_civil(int64_t y, unsigned m, unsigned d);
void sm_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

/* Parses RFC 3339 "2025-12-01T08:00:00+08:00" (fraction optional, `Z`
 * allowed). A time with no offset is refused (never guessed): SM_ERR_PARSE
 * with diag code "time_without_offset". */
SM_NODISCARD enum sm_err sm_time_parse(const char *s, int64_t *out_ms,
                                       struct sm_diag *diag);

/* Formats as RFC 3339 with the given offset: "2025-12-01T08:00:00+08:00".
 * buf needs 32 bytes. Returns buf. */
char *sm_time_format(int64_t ms, int tz_min, char *buf);

/* Parses a zone name or offset: "Asia/Shanghai", "UTC", "+08:00". */
SM_NODISCARD bool sm_tz_parse(const char *s, int *tz_min);

/* ISO 8601 duration subset "PT2H", "PT30M", "P1DT6H", "PT90S" into ms. */
SM_NODISCARD bool sm_duration_parse(const char *s, int64_t *out_ms);

#endif
