/* Local trigger decisions. Observed criteria are the forecast criteria of
 * domain.md §2 restated in hours ("AQI > X for >= H consecutive hours"),
 * counting only hours whose primary pollutant is one that drives
 * curtailment (PM2.5 under the 2024 differentiated response); the rule is
 * judged on the most recent window, and hysteresis keeps a level until its
 * rule has failed for a configured number of hours. */
#include "aqi/trigger.h"

#include "aqi/aqi.h"

/* Whether hour h counts for threshold x. */
static bool
hour_counts(const struct trigger_hour *h, int threshold, unsigned primary_mask)
{
    if (h->aqi < 0 || h->aqi <= threshold)
        return false;
    return primary_mask == 0 || (h->primary_mask & primary_mask) != 0;
}

/* Longest run of counting hours in [from, to]. */
static int
longest_run(const struct trigger_hour *hours, size_t from, size_t to, int threshold,
            unsigned primary_mask)
{
    int best = 0, run = 0;

    for (size_t i = from; i <= to; i++) {
        run = hour_counts(&hours[i], threshold, primary_mask) ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

bool
trigger_criteria_is_valid(const struct trigger_criteria *c)
{
    if (c->fallback_hours < 0 || c->fallback_hours > TRIGGER_MAX_HOURS)
        return false;
    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++) {
        const struct trigger_level_rule *r = &c->levels[l];

        if (r->clause_count > TRIGGER_MAX_CLAUSES ||
            (r->combine != TRIGGER_ANY && r->combine != TRIGGER_ALL))
            return false;
        for (size_t i = 0; i < r->clause_count; i++) {
            const struct trigger_clause *cl = &r->clauses[i];
            if (cl->threshold < 0 || cl->threshold > AQI_IAQI_MAX ||
                cl->hours < 1 || cl->hours > TRIGGER_MAX_HOURS)
                return false;
        }
    }
    return true;
}

bool
trigger_rule_holds_at(const struct trigger_level_rule *rule, unsigned primary_mask,
                      const struct trigger_hour *hours, size_t count, size_t t)
{
    size_t window = 0, from;

    if (t >= count || rule->clause_count == 0 || rule->clause_count > TRIGGER_MAX_CLAUSES)
        return false;
    for (size_t i = 0; i < rule->clause_count; i++)
        if (rule->clauses[i].hours > 0 && (size_t)rule->clauses[i].hours > window)
            window = (size_t)rule->clauses[i].hours;
    from = t + 1 >= window ? t + 1 - window : 0;
    for (size_t i = 0; i < rule->clause_count; i++) {
        const struct trigger_clause *cl = &rule->clauses[i];
        bool holds = cl->hours > 0 &&
                     longest_run(hours, from, t, cl->threshold, primary_mask) >= cl->hours;

        if (holds && rule->combine == TRIGGER_ANY)
            return true;
        if (!holds && rule->combine == TRIGGER_ALL)
            return false;
    }
    return rule->combine == TRIGGER_ALL;
}

enum level
trigger_level_observed(const struct trigger_criteria *c, const struct trigger_hour *hours,
                       size_t count)
{
    if (count == 0)
        return LEVEL_NONE;
    for (int l = LEVEL_RED; l >= LEVEL_YELLOW; l--)
        if (trigger_rule_holds_at(&c->levels[l], c->primary_mask, hours, count, count - 1))
            return (enum level)l;
    return LEVEL_NONE;
}

size_t
trigger_hours_not_held(const struct trigger_criteria *c, enum level level,
                       const struct trigger_hour *hours, size_t count)
{
    size_t n = 0;

    if (level <= LEVEL_NONE || level > LEVEL_RED)
        return 0;
    while (n < count &&
           !trigger_rule_holds_at(&c->levels[level], c->primary_mask, hours, count,
                                  count - 1 - n))
        n++;
    return n;
}

enum level
trigger_apply_hysteresis(enum level current, enum level observed, size_t hours_not_held,
                         int fallback_hours)
{
    if (observed >= current)
        return observed;
    if (fallback_hours <= 0 || hours_not_held >= (size_t)fallback_hours)
        return observed;
    return current;
}

enum level
trigger_decide(const struct trigger_criteria *c, enum level current,
               const struct trigger_hour *hours, size_t count)
{
    enum level observed = trigger_level_observed(c, hours, count);

    if (observed >= current)
        return observed;
    return trigger_apply_hysteresis(current, observed,
                                    trigger_hours_not_held(c, current, hours, count),
                                    c->fallback_hours);
}

/* Longest run of consecutive days with d > x. */
static size_t
run_above(const int *d, size_t n, int x)
{
    size_t best = 0, run = 0;

    for (size_t i = 0; i < n; i++) {
        run = d[i] > x ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

enum forecast_level
trigger_levels_from_forecast(const int *daily_aqi, size_t n)
{
    if (run_above(daily_aqi, n, 200) >= 3 && run_above(daily_aqi, n, 300) >= 1)
        return FORECAST_RED;
    if (run_above(daily_aqi, n, 200) >= 2 || run_above(daily_aqi, n, 150) >= 3)
        return FORECAST_ORANGE;
    if (run_above(daily_aqi, n, 200) >= 1 || run_above(daily_aqi, n, 150) >= 2)
        return FORECAST_YELLOW;
    if (run_above(daily_aqi, n, 150) >= 1 || run_above(daily_aqi, n, 100) >= 2)
        return FORECAST_NOTICE;
    return FORECAST_NONE;
}

enum level
forecast_level_to_level(enum forecast_level f)
{
    switch (f) {
    case FORECAST_YELLOW: return LEVEL_YELLOW;
    case FORECAST_ORANGE: return LEVEL_ORANGE;
    case FORECAST_RED: return LEVEL_RED;
    case FORECAST_NONE:
    case FORECAST_NOTICE: break;
    }
    return LEVEL_NONE;
}

const char *
forecast_level_name(enum forecast_level f)
{
    switch (f) {
    case FORECAST_NONE: return "none";
    case FORECAST_NOTICE: return "notice";
    case FORECAST_YELLOW: return "yellow";
    case FORECAST_ORANGE: return "orange";
    case FORECAST_RED: return "red";
    }
    return "unknown";
}
