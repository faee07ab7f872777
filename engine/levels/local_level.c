/* Local trigger levels from hourly AQI, with hysteresis. */
#include "levels/local_level.h"

#include <string.h>

static int
clause_window(const struct criteria_clause *c)
{
    int w = 0;

    if (c->op == CRITERIA_LEAF)
        return c->hours > 0 ? c->hours : 0;
    for (size_t i = 0; i < c->n_children; i++) {
        int k = clause_window(&c->children[i]);
        if (k > w)
            w = k;
    }
    return w;
}

int
local_level_window(const struct criteria_set *cs, enum level level)
{
    if (!cs || level < LEVEL_YELLOW || level > LEVEL_RED)
        return 0;
    return clause_window(&cs->levels[level]);
}

int
local_level_max_window(const struct criteria_set *cs)
{
    int w = 0;

    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++) {
        int k = local_level_window(cs, (enum level)l);
        if (k > w)
            w = k;
    }
    return w;
}

bool
local_level_holds_at(const struct criteria_set *cs, enum level level, const int *aqi,
                     const bool *pm25_primary, size_t n, size_t t)
{
    struct criteria_set only;
    size_t w, start;

    if (!cs || t >= n || level < LEVEL_YELLOW || level > LEVEL_RED)
        return false;
    w = (size_t)local_level_window(cs, level);
    if (w == 0)
        return false;
    start = t + 1 >= w ? t + 1 - w : 0;
    /* a copy holding only this level's clause tree (borrowed children);
     * the zeroed others are empty leaves that never hold */
    memset(&only, 0, sizeof(only));
    only.levels[level] = cs->levels[level];
    return criteria_set_level(&only, aqi + start, pm25_primary + start, t + 1 - start) == level;
}

enum level
local_level_observed(const struct criteria_set *cs, const int *aqi, const bool *pm25_primary,
                     size_t n)
{
    if (n == 0)
        return LEVEL_NONE;
    for (int l = LEVEL_RED; l >= LEVEL_YELLOW; l--)
        if (local_level_holds_at(cs, (enum level)l, aqi, pm25_primary, n, n - 1))
            return (enum level)l;
    return LEVEL_NONE;
}

size_t
local_level_hours_not_held(const struct criteria_set *cs, enum level level, const int *aqi,
                           const bool *pm25_primary, size_t n)
{
    size_t k = 0;

    if (level == LEVEL_NONE)
        return 0;
    while (k < n && !local_level_holds_at(cs, level, aqi, pm25_primary, n, n - 1 - k))
        k++;
    return k;
}

enum level
local_level_decide(const struct criteria_set *cs, enum level current, const int *aqi,
                   const bool *pm25_primary, size_t n, int fallback_hours)
{
    enum level observed = local_level_observed(cs, aqi, pm25_primary, n);

    if (observed >= current)
        return observed;
    if (fallback_hours <= 0 ||
        local_level_hours_not_held(cs, current, aqi, pm25_primary, n) >= (size_t)fallback_hours)
        return observed;
    return current;
}
