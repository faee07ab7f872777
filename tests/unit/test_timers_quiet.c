/* ops_timers_quiet_until: the bound replay uses to run a stretch of
 * acknowledgements without stopping the clock. Exact values around the
 * hour and the daily report's draft and cut-off, and the property it
 * promises: between a run of the timers and the bound, before the next
 * persisted deadline, a run writes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app_fixture.h"
#include "check.h"
#include "list/gen.h"
#include "ops/ops.h"
#include "store/store.h"

#define MIN_MS 60000LL
#define H      3600000LL
#define T0     1764547200000LL /* 2025-12-01T08:00:00+08:00 */
#define CUT1   (T0 + 8 * H)    /* 2025-12-01T16:00:00+08:00, the daily cut-off */

static const struct ops_actor issuer = { "issuer:feed", "issuer", NULL };

static void
open_app(struct app *a)
{
    struct sm_diag d = { 0 };

    memset(a, 0, sizeof(*a));
    config_init_defaults(&a->cfg);
    free(a->cfg.db_path);
    a->cfg.db_path = strdup(":memory:");
    a->cfg.daily_report_hour = 16;
    a->cfg.daily_report_lead_minutes = 30;
    clock_init_virtual(&a->clock, T0);
    CHECK_INT(app_open(a, &d), SM_OK);
}

static void
bounds(void)
{
    struct app a;

    open_app(&a);
    /* the next clock hour comes first */
    CHECK(ops_timers_quiet_until(&a, T0) == T0 + H);
    CHECK(ops_timers_quiet_until(&a, T0 + 20 * MIN_MS) == T0 + H);
    CHECK(ops_timers_quiet_until(&a, T0 + H - 1) == T0 + H);
    /* 15:10: the draft at 15:30 comes before 16:00 */
    CHECK(ops_timers_quiet_until(&a, CUT1 - 50 * MIN_MS) == CUT1 - 30 * MIN_MS);
    /* at 15:30 the draft was made: the next is the sending at 16:00 */
    CHECK(ops_timers_quiet_until(&a, CUT1 - 30 * MIN_MS) == CUT1);
    CHECK(ops_timers_quiet_until(&a, CUT1 - 20 * MIN_MS) == CUT1);
    /* at the cut-off itself: the next hour (tomorrow's draft is later) */
    CHECK(ops_timers_quiet_until(&a, CUT1) == CUT1 + H);
    /* without a lead the cut-off is the only report instant */
    a.cfg.daily_report_lead_minutes = 0;
    CHECK(ops_timers_quiet_until(&a, CUT1 - 50 * MIN_MS) == CUT1);
    CHECK(ops_timers_quiet_until(&a, CUT1 - 90 * MIN_MS) == CUT1 - H);
    app_close(&a);
}

static void
seed(struct app *a)
{
    char body[1024];
    json_t *reply = NULL;
    struct sm_diag d = { 0 };

    fixture_import_list(a, 12, 7);
    snprintf(body, sizeof(body),
             "{\"identifier\":\"W1\",\"sender\":\"yc@yuncheng.gov.cn\","
             "\"sent\":\"2025-12-01T07:59:00+08:00\",\"msg_type\":\"Alert\",\"status\":\"Actual\","
             "\"level\":\"orange\",\"onset\":\"2025-12-01T07:59:00+08:00\","
             "\"expires\":\"2025-12-09T08:00:00+08:00\",\"area\":[\"140826\"]}");
    CHECK_INT(ops_apply_warning(a, &issuer, "application/json", body, strlen(body), &reply, &d),
              SM_OK);
    CHECK(json_is_true(json_object_get(reply, "applied")));
    json_decref(reply);
}

/* Runs the timers at `at`; returns the rows they changed. */
static uint64_t
run_at(struct app *a, int64_t at, int64_t *next)
{
    uint64_t before = store_change_count(a->store);

    clock_advance_to(&a->clock, at);
    CHECK_INT(ops_run_timers(a, next), SM_OK);
    return store_change_count(a->store) - before;
}

static void
quiet_runs_write_nothing(void)
{
    struct app a;
    int64_t next = 0, quiet, t;
    int acting = 0;

    open_app(&a);
    seed(&a);
    /* an episode is open (orders, deadlines, daily reports due): walk the
     * clock over a day and a half in 7-minute steps */
    CHECK(run_at(&a, T0 + MIN_MS, &next) > 0);
    quiet = ops_timers_quiet_until(&a, T0 + MIN_MS);
    for (t = T0 + 8 * MIN_MS; t < T0 + 36 * H; t += 7 * MIN_MS) {
        bool promised = t < quiet && (!next || t < next);
        uint64_t changed = run_at(&a, t, &next);
        if (promised)
            CHECK_INT((long)changed, 0);
        acting += changed > 0;
        quiet = ops_timers_quiet_until(&a, t);
    }
    /* the hourly pass, the overdue marking and both reports acted */
    CHECK(acting >= 30);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(bounds), CHECK_CASE(quiet_runs_write_nothing))
