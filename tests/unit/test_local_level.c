/* The local trigger's level on hourly AQI series under the bundled
 * criteria sets: windows, hold-at-hour, hysteresis, nested clauses; and
 * the hourly grid that feeds it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aqi/aqi_grid.h"
#include "base/timeutil.h"
#include "check.h"
#include "levels/local_level.h"
#include "ruleset/ruleset.h"

#define N 200

static int aqi[N];
static bool pm[N];

/* Fills hours [from, to) with value v, PM2.5 primary or not. */
static void
fill(size_t from, size_t to, int v, bool primary)
{
    for (size_t i = from; i < to; i++) {
        aqi[i] = v;
        pm[i] = primary;
    }
}

static const struct criteria_set *
set_2024(struct ruleset *rs)
{
    const struct criteria_set *cs = ruleset_criteria_find(rs, "criteria-2024");
    CHECK(cs != NULL);
    return cs;
}

static void
test_windows(void)
{
    struct ruleset *rs = ruleset_default();
    const struct criteria_set *cs = set_2024(rs);

    CHECK_INT(local_level_window(cs, LEVEL_YELLOW), 48);
    CHECK_INT(local_level_window(cs, LEVEL_ORANGE), 72);
    CHECK_INT(local_level_window(cs, LEVEL_RED), 72);
    CHECK_INT(local_level_window(cs, LEVEL_NONE), 0);
    CHECK_INT(local_level_max_window(cs), 72);
    ruleset_unref(rs);
}

static void
test_yellow_needs_24_straight_hours(void)
{
    struct ruleset *rs = ruleset_default();
    const struct criteria_set *cs = set_2024(rs);

    fill(0, N, 80, true);
    fill(N - 23, N, 201, true);
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    fill(N - 24, N, 201, true);
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_YELLOW);
    /* exactly 200 is not above 200 */
    aqi[N - 24] = 200;
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    /* an hour whose primary pollutant is not PM2.5 breaks the run */
    aqi[N - 24] = 201;
    pm[N - 12] = false;
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    /* unknown AQI breaks it too */
    pm[N - 12] = true;
    aqi[N - 12] = -1;
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    ruleset_unref(rs);
}

static void
test_run_judged_within_the_level_window(void)
{
    struct ruleset *rs = ruleset_default();
    const struct criteria_set *cs = set_2024(rs);

    /* 24 h above 200 ending 24 h ago still lies inside yellow's 48 h window */
    fill(0, N, 80, true);
    fill(N - 48, N - 24, 250, true);
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_YELLOW);
    CHECK(local_level_holds_at(cs, LEVEL_YELLOW, aqi, pm, N, N - 1));
    /* one hour later it has left the window */
    fill(0, N, 80, true);
    fill(N - 49, N - 25, 250, true);
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    CHECK_INT(local_level_hours_not_held(cs, LEVEL_YELLOW, aqi, pm, N), 1);
    ruleset_unref(rs);
}

static void
test_orange_and_red(void)
{
    struct ruleset *rs = ruleset_default();
    const struct criteria_set *cs = set_2024(rs);

    fill(0, N, 80, true);
    fill(N - 72, N, 160, true); /* > 150 for 72 h */
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_ORANGE);
    fill(N - 72, N, 210, true);
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_ORANGE);
    fill(N - 24, N, 301, true); /* and > 300 for 24 of them */
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_RED);
    aqi[N - 50] = 190; /* the 72 h run above 200 broken: orange still (> 150 for 72 h) */
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_ORANGE);
    ruleset_unref(rs);
}

static void
test_hysteresis(void)
{
    struct ruleset *rs = ruleset_default();
    const struct criteria_set *cs = set_2024(rs);

    /* orange is judged on 72 h windows, so a 48 h run above 200 ending at
     * hour e holds it up to e + 24; after that the fall-back hours count */
    fill(0, N, 80, true);
    fill(N - 36 - 47, N - 35, 250, true); /* e = N - 36 */
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    CHECK_INT(local_level_hours_not_held(cs, LEVEL_ORANGE, aqi, pm, N), 11);
    CHECK_INT(local_level_decide(cs, LEVEL_ORANGE, aqi, pm, N, 12), LEVEL_ORANGE);
    CHECK_INT(local_level_decide(cs, LEVEL_ORANGE, aqi, pm, N, 0), LEVEL_NONE);
    /* one hour earlier: 12 hours not held, fall back */
    fill(0, N, 80, true);
    fill(N - 37 - 47, N - 36, 250, true); /* e = N - 37 */
    CHECK_INT(local_level_hours_not_held(cs, LEVEL_ORANGE, aqi, pm, N), 12);
    CHECK_INT(local_level_decide(cs, LEVEL_ORANGE, aqi, pm, N, 12), LEVEL_NONE);
    /* fall back to what still holds: yellow from the last 24 hours */
    fill(0, N, 80, true);
    fill(N - 24, N, 210, true);
    CHECK_INT(local_level_decide(cs, LEVEL_ORANGE, aqi, pm, N, 12), LEVEL_YELLOW);
    /* higher applies at once */
    CHECK_INT(local_level_decide(cs, LEVEL_NONE, aqi, pm, N, 12), LEVEL_YELLOW);
    /* never held: not held for all n hours */
    fill(0, N, 80, true);
    CHECK_INT(local_level_hours_not_held(cs, LEVEL_RED, aqi, pm, N), N);
    CHECK_INT(local_level_decide(cs, LEVEL_RED, aqi, pm, N, 12), LEVEL_NONE);
    CHECK_INT(local_level_hours_not_held(cs, LEVEL_NONE, aqi, pm, N), 0);
    CHECK_INT(local_level_observed(cs, aqi, pm, 0), LEVEL_NONE);
    ruleset_unref(rs);
}

static void
test_nested_2019(void)
{
    char dir[1024];
    const char *src = getenv("SMOGD_SOURCE_DIR");
    struct sm_diag d = { 0 };
    struct ruleset *rs = NULL;

    snprintf(dir, sizeof(dir), "%s/rules", src && *src ? src : SMOGD_SOURCE_DIR);
    CHECK_INT(ruleset_load_dir(dir, &rs, &d), SM_OK);
    if (!rs)
        return;
    const struct criteria_set *cs = ruleset_criteria_find(rs, "criteria-2019-shanxi");
    CHECK(cs != NULL);
    CHECK_INT(local_level_window(cs, LEVEL_RED), 96);
    fill(0, N, 80, true);
    aqi[N - 1] = 500; /* red: any [all[...], AQI >= 500 for 1 h] */
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_RED);
    aqi[N - 1] = 499;
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_NONE);
    fill(N - 96, N, 250, true);
    fill(N - 48, N, 310, true);
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_RED);
    aqi[N - 30] = 290; /* the 48 h run above 300 broken: orange (> 200 for 72 h) */
    CHECK_INT(local_level_observed(cs, aqi, pm, N), LEVEL_ORANGE);
    ruleset_unref(rs);
}

static void
test_grid(void)
{
    const int64_t end = 1764547200000LL; /* 2025-12-01T00:00:00Z, a whole hour */
    struct aqi_grid g;
    struct aqi_series s;
    size_t i = 99;

    aqi_grid_init(&g, end, 24);
    CHECK_INT(aqi_grid_newest(&g), -1);
    CHECK(aqi_grid_index(&g, end, &i));
    CHECK_INT(i, 23);
    CHECK(aqi_grid_index(&g, end - 23 * SM_MS_PER_HOUR, &i));
    CHECK_INT(i, 0);
    CHECK(!aqi_grid_index(&g, end - 24 * SM_MS_PER_HOUR, &i));
    CHECK(!aqi_grid_index(&g, end + SM_MS_PER_HOUR, &i));
    CHECK(!aqi_grid_index(&g, end - 1000, &i));
    CHECK_INT(aqi_grid_hour_ms(&g, 0), end - 23 * SM_MS_PER_HOUR);
    CHECK(!aqi_grid_put(&g, AQI_PM25, end, -1.0));
    CHECK(!aqi_grid_put(&g, AQI_PM25, end, NAN));
    CHECK(g.conc[AQI_PM25] == NULL);
    for (int k = 0; k < 24; k++)
        CHECK(aqi_grid_put(&g, AQI_PM25, end - k * SM_MS_PER_HOUR, 160.0));
    CHECK(aqi_grid_put(&g, AQI_NO2, end - 2 * SM_MS_PER_HOUR, 250.0));
    CHECK_INT(aqi_grid_newest(&g), 23);
    aqi_grid_series(&g, &s);
    CHECK_INT(s.count, 24);
    CHECK(s.conc[AQI_SO2] == NULL);
    struct aqi_result r;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK_INT(r.aqi, 210); /* PM2.5 160: ceil((300-200)/(250-150)*(160-150)+200) */
    CHECK_INT(r.primary_count, 1);
    CHECK_INT(r.primary[0], AQI_PM25);
    CHECK_INT(aqi_series_hourly(&s, 21, &r), SM_OK);
    CHECK_INT(r.items[AQI_NO2].iaqi, 105); /* NO2 1 h 250: (150-100)/(700-200)*50+100 */
    aqi_grid_release(&g);
    CHECK(g.conc[AQI_PM25] == NULL);
    aqi_grid_init(&g, end, 100000);
    CHECK_INT(g.count, AQI_GRID_MAX_HOURS);
}

CHECK_MAIN(CHECK_CASE(test_windows), CHECK_CASE(test_yellow_needs_24_straight_hours),
           CHECK_CASE(test_run_judged_within_the_level_window), CHECK_CASE(test_orange_and_red),
           CHECK_CASE(test_hysteresis), CHECK_CASE(test_nested_2019), CHECK_CASE(test_grid))
