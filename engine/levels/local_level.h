#ifndef SM_LEVELS_LOCAL_LEVEL_H
#define SM_LEVELS_LOCAL_LEVEL_H

/* The local trigger's level from the county's observed hourly AQI under a
 * criteria set of the rule set (clause trees from the files in rules/levels/), with
 * hysteresis before falling back. Pure.
 *
 * A level's criteria are judged at hour t on the window of its longest
 * clause ending at t: "> 200 for 24 h or > 150 for 48 h" holds at t when a
 * run of 24 counting hours above 200, or 48 above 150, lies within the 48
 * hours up to t. Only hours with PM2.5 among the primary pollutants count;
 * any other hour, or an unknown AQI (< 0), breaks a run. */
#include <stdbool.h>
#include <stddef.h>

#include "base/level.h"
#include "ruleset/ruleset.h"

/* Hours of the longest leaf under the level's criteria; 0 when none. */
int local_level_window(const struct criteria_set *cs, enum level level);
/* The longest window of any level: how many observed hours a decision needs. */
int local_level_max_window(const struct criteria_set *cs);

/* Whether the criteria of `level` hold at hour index t (t < n). aqi and
 * pm25_primary hold n hours, oldest first (borrowed). */
bool local_level_holds_at(const struct criteria_set *cs, enum level level, const int *aqi,
                          const bool *pm25_primary, size_t n, size_t t);

/* The highest level holding at the newest hour; LEVEL_NONE when none does
 * or n is 0. */
enum level local_level_observed(const struct criteria_set *cs, const int *aqi,
                                const bool *pm25_primary, size_t n);

/* Consecutive hours, counting back from the newest, that the criteria of
 * `level` have not held (n when they never held; 0 for LEVEL_NONE or when
 * they hold now). */
size_t local_level_hours_not_held(const struct criteria_set *cs, enum level level,
                                  const int *aqi, const bool *pm25_primary, size_t n);

/* The level to keep: a higher observed level applies at once; a lower one
 * only when the current level's criteria have not held for fallback_hours
 * consecutive hours (0 = at once). */
enum level local_level_decide(const struct criteria_set *cs, enum level current,
                              const int *aqi, const bool *pm25_primary, size_t n,
                              int fallback_hours);

#endif
