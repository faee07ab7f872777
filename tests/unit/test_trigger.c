/* The local trigger on observed hours (exact hour counts, PM2.5-only
 * counting, hysteresis) and the forecast levels of domain.md §2. */
#include "aqi/aqi.h"
#include "aqi/trigger.h"
#include "check.h"

#define MAX_HOURS 200

/* The 2024 criteria in hours, as the rule set would give them. */
static struct trigger_criteria
criteria_2024(void)
{
    struct trigger_criteria c = {
        .levels = {
            [LEVEL_YELLOW] = { TRIGGER_ANY, 2, { { 200, 24 }, { 150, 48 } } },
            [LEVEL_ORANGE] = { TRIGGER_ANY, 2, { { 200, 48 }, { 150, 72 } } },
            [LEVEL_RED] = { TRIGGER_ALL, 2, { { 200, 72 }, { 300, 24 } } },
        },
        .primary_mask = AQI_BIT(AQI_PM25),
        .fallback_hours = 36,
    };
    return c;
}

static struct trigger_hour hours[MAX_HOURS];
static size_t nhours;

static void
reset(void)
{
    nhours = 0;
}

/* Appends n hours of AQI `aqi` with primary pollutants `mask`. */
static void
add(size_t n, int aqi, unsigned mask)
{
    for (size_t i = 0; i < n && nhours < MAX_HOURS; i++)
        hours[nhours++] = (struct trigger_hour){ aqi, mask };
}

#define PM25 AQI_BIT(AQI_PM25)
#define PM10 AQI_BIT(AQI_PM10)
#define O3 AQI_BIT(AQI_O3)

static enum level
observed(void)
{
    struct trigger_criteria c = criteria_2024();
    return trigger_level_observed(&c, hours, nhours);
}

static void
test_yellow_after_24_hours_over_200(void)
{
    reset();
    add(10, 90, PM25);
    add(23, 210, PM25);
    CHECK_INT(observed(), LEVEL_NONE);
    add(1, 210, PM25);
    CHECK_INT(observed(), LEVEL_YELLOW);
    /* 200 itself is not "above 200". */
    reset();
    add(24, 200, PM25);
    CHECK_INT(observed(), LEVEL_NONE);
}

static void
test_yellow_after_48_hours_over_150(void)
{
    reset();
    add(47, 160, PM25);
    CHECK_INT(observed(), LEVEL_NONE);
    add(1, 160, PM25);
    CHECK_INT(observed(), LEVEL_YELLOW);
}

static void
test_orange_exact_hours(void)
{
    reset();
    add(47, 210, PM25);
    CHECK_INT(observed(), LEVEL_YELLOW);
    add(1, 210, PM25);
    CHECK_INT(observed(), LEVEL_ORANGE);

    reset();
    add(71, 160, PM25);
    CHECK_INT(observed(), LEVEL_YELLOW);
    add(1, 160, PM25);
    CHECK_INT(observed(), LEVEL_ORANGE);
}

static void
test_red_needs_both_clauses(void)
{
    reset();
    add(24, 210, PM25);
    add(23, 310, PM25);
    add(25, 210, PM25);
    CHECK_INT(nhours, 72);
    CHECK_INT(observed(), LEVEL_ORANGE); /* 72 h > 200, only 23 h > 300 */

    reset();
    add(24, 210, PM25);
    add(24, 310, PM25);
    add(24, 210, PM25);
    CHECK_INT(observed(), LEVEL_RED);

    reset();
    add(71, 310, PM25); /* 71 h > 300 is not 72 h > 200 */
    CHECK_INT(observed(), LEVEL_ORANGE);
    add(1, 310, PM25);
    CHECK_INT(observed(), LEVEL_RED);
}

static void
test_only_pm25_primary_hours_count(void)
{
    reset();
    add(30, 250, PM10);
    CHECK_INT(observed(), LEVEL_NONE);

    reset();
    add(30, 250, O3);
    CHECK_INT(observed(), LEVEL_NONE);

    /* A tie that includes PM2.5 counts. */
    reset();
    add(24, 250, PM10 | PM25);
    CHECK_INT(observed(), LEVEL_YELLOW);

    /* An ozone-driven hour breaks the run. */
    reset();
    add(12, 250, PM25);
    add(1, 250, O3);
    add(12, 250, PM25);
    CHECK_INT(observed(), LEVEL_NONE);

    /* An unknown hour breaks it too. */
    reset();
    add(12, 250, PM25);
    add(1, -1, 0);
    add(12, 250, PM25);
    CHECK_INT(observed(), LEVEL_NONE);

    /* With primary_mask 0 every hour counts. */
    {
        struct trigger_criteria c = criteria_2024();
        reset();
        add(30, 250, PM10);
        c.primary_mask = 0;
        CHECK_INT(trigger_level_observed(&c, hours, nhours), LEVEL_YELLOW);
    }
}

/* Criteria look back over the longest clause of the level only. */
static void
test_old_episode_no_longer_counts(void)
{
    reset();
    add(24, 210, PM25);
    add(24, 90, PM25);
    CHECK_INT(observed(), LEVEL_YELLOW); /* window 48 h still holds the run */
    add(1, 90, PM25);
    CHECK_INT(observed(), LEVEL_NONE);
    CHECK_INT(trigger_level_observed(&(struct trigger_criteria){ 0 }, hours, 0), LEVEL_NONE);
}

static void
test_hysteresis(void)
{
    struct trigger_criteria c = criteria_2024();

    reset();
    add(72, 310, PM25);
    CHECK_INT(trigger_decide(&c, LEVEL_NONE, hours, nhours), LEVEL_RED);
    CHECK_INT(trigger_hours_not_held(&c, LEVEL_RED, hours, nhours), 0);

    add(10, 100, PM25); /* the last 72 h still hold 62 h above 200 */
    CHECK_INT(trigger_level_observed(&c, hours, nhours), LEVEL_ORANGE);
    CHECK_INT(trigger_hours_not_held(&c, LEVEL_RED, hours, nhours), 10);
    CHECK_INT(trigger_decide(&c, LEVEL_RED, hours, nhours), LEVEL_RED);

    add(25, 100, PM25); /* 35 hours below */
    CHECK_INT(trigger_level_observed(&c, hours, nhours), LEVEL_NONE);
    CHECK_INT(trigger_hours_not_held(&c, LEVEL_RED, hours, nhours), 35);
    CHECK_INT(trigger_decide(&c, LEVEL_RED, hours, nhours), LEVEL_RED);
    add(1, 100, PM25); /* 36 */
    CHECK_INT(trigger_hours_not_held(&c, LEVEL_RED, hours, nhours), 36);
    CHECK_INT(trigger_decide(&c, LEVEL_RED, hours, nhours), LEVEL_NONE);

    /* A rule that never held: every hour counts. */
    reset();
    add(5, 100, PM25);
    CHECK_INT(trigger_hours_not_held(&c, LEVEL_YELLOW, hours, nhours), 5);
    CHECK_INT(trigger_hours_not_held(&c, LEVEL_NONE, hours, nhours), 0);

    CHECK_INT(trigger_apply_hysteresis(LEVEL_RED, LEVEL_YELLOW, 35, 36), LEVEL_RED);
    CHECK_INT(trigger_apply_hysteresis(LEVEL_RED, LEVEL_YELLOW, 36, 36), LEVEL_YELLOW);
    CHECK_INT(trigger_apply_hysteresis(LEVEL_YELLOW, LEVEL_ORANGE, 0, 36), LEVEL_ORANGE);
    CHECK_INT(trigger_apply_hysteresis(LEVEL_ORANGE, LEVEL_NONE, 0, 0), LEVEL_NONE);
}

static void
test_criteria_validity(void)
{
    struct trigger_criteria c = criteria_2024();

    CHECK(trigger_criteria_is_valid(&c));
    c.levels[LEVEL_RED].clauses[1].hours = 0;
    CHECK(!trigger_criteria_is_valid(&c));
    c = criteria_2024();
    c.levels[LEVEL_YELLOW].clauses[0].threshold = 501;
    CHECK(!trigger_criteria_is_valid(&c));
    c = criteria_2024();
    c.levels[LEVEL_ORANGE].clause_count = TRIGGER_MAX_CLAUSES + 1;
    CHECK(!trigger_criteria_is_valid(&c));
    c = criteria_2024();
    c.fallback_hours = -1;
    CHECK(!trigger_criteria_is_valid(&c));
}

static enum forecast_level
forecast(const int *d, size_t n)
{
    return trigger_levels_from_forecast(d, n);
}

#define FORECAST(...)                                                         \
    forecast((const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static void
test_forecast_levels(void)
{
    CHECK_INT(trigger_levels_from_forecast(NULL, 0), FORECAST_NONE);
    CHECK_INT(FORECAST(80, 100, 100), FORECAST_NONE);
    CHECK_INT(FORECAST(120, 90, 120), FORECAST_NONE);   /* run(100) = 1 */
    CHECK_INT(FORECAST(120, 120), FORECAST_NOTICE);     /* run(100) = 2 */
    CHECK_INT(FORECAST(90, 151, 90), FORECAST_NOTICE);  /* one day > 150 */
    CHECK_INT(FORECAST(150, 150, 150), FORECAST_NOTICE);
    CHECK_INT(FORECAST(90, 201), FORECAST_YELLOW);      /* one day > 200 */
    CHECK_INT(FORECAST(160, 160), FORECAST_YELLOW);     /* run(150) = 2 */
    CHECK_INT(FORECAST(160, 140, 160), FORECAST_NOTICE);
    CHECK_INT(FORECAST(210, 210), FORECAST_ORANGE);     /* run(200) = 2 */
    CHECK_INT(FORECAST(160, 160, 160), FORECAST_ORANGE); /* run(150) = 3 */
    CHECK_INT(FORECAST(210, 180, 210), FORECAST_ORANGE); /* run(150) = 3 */
    CHECK_INT(FORECAST(210, 210, 210), FORECAST_ORANGE); /* no day > 300 */
    CHECK_INT(FORECAST(210, 310, 210), FORECAST_RED);
    CHECK_INT(FORECAST(310, 100, 310, 310), FORECAST_ORANGE); /* run(200) = 2 */
    CHECK_INT(FORECAST(310, 210, -1, 210), FORECAST_ORANGE);  /* unknown breaks */
    CHECK_INT(FORECAST(500), FORECAST_YELLOW);

    CHECK_INT(forecast_level_to_level(FORECAST_NOTICE), LEVEL_NONE);
    CHECK_INT(forecast_level_to_level(FORECAST_NONE), LEVEL_NONE);
    CHECK_INT(forecast_level_to_level(FORECAST_YELLOW), LEVEL_YELLOW);
    CHECK_INT(forecast_level_to_level(FORECAST_ORANGE), LEVEL_ORANGE);
    CHECK_INT(forecast_level_to_level(FORECAST_RED), LEVEL_RED);
    CHECK_STR(forecast_level_name(FORECAST_NOTICE), "notice");
    CHECK_STR(forecast_level_name(FORECAST_RED), "red");
}

CHECK_MAIN(CHECK_CASE(test_yellow_after_24_hours_over_200),
           CHECK_CASE(test_yellow_after_48_hours_over_150), CHECK_CASE(test_orange_exact_hours),
           CHECK_CASE(test_red_needs_both_clauses),
           CHECK_CASE(test_only_pm25_primary_hours_count),
           CHECK_CASE(test_old_episode_no_longer_counts), CHECK_CASE(test_hysteresis),
           CHECK_CASE(test_criteria_validity), CHECK_CASE(test_forecast_levels))
