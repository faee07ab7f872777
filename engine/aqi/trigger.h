#ifndef SM_AQI_TRIGGER_H
#define SM_AQI_TRIGGER_H

/* The local trigger: which warning level the county's observed rolling
 * 24-hour AQI meets, with hysteresis before falling back; and the level a
 * forecast series of daily AQI values gives under the 2024 criteria. Pure:
 * the criteria come from the rule set, the hours from the caller. */

#include <stddef.h>

#include "base/level.h"

#define TRIGGER_MAX_CLAUSES 8
/* Longest clause accepted, in hours (30 days). */
#define TRIGGER_MAX_HOURS (30 * 24)

/* "AQI > threshold for at least `hours` consecutive hours". */
struct trigger_clause {
    int threshold;
    int hours;
};

enum trigger_combine {
    TRIGGER_ANY = 0, /* any clause holding is enough (OR) */
    TRIGGER_ALL,     /* every clause must hold (AND) */
};

/* The criteria of one level; clause_count 0 means the level is never met. */
struct trigger_level_rule {
    enum trigger_combine combine;
    size_t clause_count;
    struct trigger_clause clauses[TRIGGER_MAX_CLAUSES];
};

/* A complete set, filled by the rule-set loader. levels[LEVEL_NONE] is
 * ignored. Only hours whose primary pollutants include one in
 * primary_mask (AQI_BIT(AQI_PM25) for the 2024 differentiated response)
 * count toward a clause; 0 counts every hour. fallback_hours: how many
 * consecutive hours the current level's rule must have failed before the
 * local level falls back. */
struct trigger_criteria {
    struct trigger_level_rule levels[LEVEL_RED + 1];
    unsigned primary_mask;
    int fallback_hours;
};

/* One observed hour: the county's rolling 24-hour AQI (-1 when unknown,
 * which never counts) and its primary pollutants (AQI_BIT mask). */
struct trigger_hour {
    int aqi;
    unsigned primary_mask;
};

/* Whether the criteria are usable: thresholds 0..500, hours
 * 1..TRIGGER_MAX_HOURS, clause_count within bounds, fallback_hours >= 0. */
bool trigger_criteria_is_valid(const struct trigger_criteria *c);

/* Whether `rule` holds at hour index t (t < count): each clause is judged
 * on the window of the W hours ending at t, W being the longest clause of
 * the rule, where it needs a run of at least `hours` consecutive counting
 * hours with AQI > threshold. So "> 200 for 72 h and > 300 for 24 h" means
 * 72 straight hours above 200 among which 24 straight above 300. */
bool trigger_rule_holds_at(const struct trigger_level_rule *rule, unsigned primary_mask,
                           const struct trigger_hour *hours, size_t count, size_t t);

/* The highest level whose rule holds at the newest hour (count - 1);
 * LEVEL_NONE when none does or count is 0. hours: oldest first. */
enum level trigger_level_observed(const struct trigger_criteria *c,
                                  const struct trigger_hour *hours, size_t count);

/* How many consecutive hours, counting back from the newest, the rule of
 * `level` has not held (count when it never held; 0 for LEVEL_NONE or when
 * it holds now). */
size_t trigger_hours_not_held(const struct trigger_criteria *c, enum level level,
                              const struct trigger_hour *hours, size_t count);

/* Hysteresis: a higher observed level applies at once; a lower one only
 * once the current level's rule has not held for fallback_hours hours.
 * Returns the level to keep. */
enum level trigger_apply_hysteresis(enum level current, enum level observed,
                                    size_t hours_not_held, int fallback_hours);

/* The local level now: trigger_level_observed, then hysteresis against
 * `current` using trigger_hours_not_held and c->fallback_hours. */
enum level trigger_decide(const struct trigger_criteria *c, enum level current,
                          const struct trigger_hour *hours, size_t count);

/* Forecast outcome, including the sub-yellow notice (temporary control
 * measures: advice, no curtailment). Ordered. */
enum forecast_level {
    FORECAST_NONE = 0,
    FORECAST_NOTICE,
    FORECAST_YELLOW,
    FORECAST_ORANGE,
    FORECAST_RED,
};

/* Level of a forecast series of daily AQI values d[0..n-1] (consecutive
 * days; a negative value is unknown and breaks runs) under the 2024
 * criteria, run(x) being the longest run of days with d > x: red if
 * run(200) >= 3 and run(300) >= 1; else orange if run(200) >= 2 or
 * run(150) >= 3; else yellow if any d > 200 or run(150) >= 2; else notice
 * if any d > 150 or run(100) >= 2; else none. */
enum forecast_level trigger_levels_from_forecast(const int *daily_aqi, size_t n);

/* The warning level of a forecast level (NOTICE and NONE give LEVEL_NONE). */
enum level forecast_level_to_level(enum forecast_level f);
/* "none", "notice", "yellow", "orange", "red" (static). */
const char *forecast_level_name(enum forecast_level f);

#endif
