/* Persisted deadlines: warning onsets and expiries, acknowledgement
 * deadlines, the hourly compliance judgement. Everything is data in the database, so a restart loses none. */
#include <stdio.h>
#include <stdlib.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "cityreport/cityreport.h"
#include "ops/ops.h"
#include "ops/ops_cityreport.h"
#include "ops/ops_int.h"
#include "ops/ops_readings.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_orders.h"

/* Orders one pass flags overdue at most. Each costs a reminder, an
 * officer alert, an audit row and its flag (about 12 us), and the pass
 * runs on the event loop: 512 hold it some 6 ms. A whole list's orders
 * share one deadline; the timer comes back at once for the rest. */
#define OVERDUE_PER_PASS 512

struct due_set {
    struct { int64_t id; int drill; int expire; } *d;
    size_t n, cap;
};

static void
collect_due(void *arg, int64_t id, int drill, const char *what)
{
    struct due_set *ds = arg;

    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 8;
        ds->d = xrealloc(ds->d, ds->cap * sizeof(*ds->d));
    }
    ds->d[ds->n].id = id;
    ds->d[ds->n].drill = drill;
    ds->d[ds->n].expire = what[0] == 'e';
    ds->n++;
}

struct overdue_ctx {
    struct app *app;
    int64_t now;
    enum sm_err err;
};

static void
on_overdue(void *arg, int64_t id, const char *enterprise, int drill)
{
    struct overdue_ctx *c = arg;
    char event_id[96], payload[96], object[48];

    if (c->err)
        return;
    snprintf(payload, sizeof(payload), "{\"order_id\":%lld}", (long long)id);
    snprintf(event_id, sizeof(event_id), "order:%lld:ack_reminder", (long long)id);
    c->err = store_outbox_add(c->app->store, event_id, "ack_reminder", id, enterprise, drill,
                              payload, c->now, 0);
    snprintf(event_id, sizeof(event_id), "order:%lld:overdue_alert", (long long)id);
    if (!c->err)
        c->err = store_outbox_add(c->app->store, event_id, "officer_alert", id, NULL, drill,
                                  payload, c->now, 0);
    snprintf(object, sizeof(object), "order:%lld", (long long)id);
    if (!c->err)
        c->err = ops_audit(c->app, c->now, "system", "system", "order.overdue", object, "ok", "");
}

enum sm_err
ops_run_timers(struct app *app, int64_t *next_ms)
{
    int64_t now = clock_now(&app->clock);
    struct due_set ds = { 0 };
    bool touched[2] = { false, false };
    enum sm_err err;

    *next_ms = 0;
    err = store_begin(app->store);
    if (err)
        return err;
    err = store_warnings_due(app->store, now, collect_due, &ds);
    for (size_t i = 0; !err && i < ds.n; i++) {
        char object[48];
        snprintf(object, sizeof(object), "warning:%lld", (long long)ds.d[i].id);
        if (ds.d[i].expire)
            err = store_warning_end(app->store, ds.d[i].id, "expired", now, 0);
        else
            err = store_warning_activate(app->store, ds.d[i].id);
        /* an update that has come into force ends what it replaces */
        if (!err && !ds.d[i].expire)
            err = store_warnings_end_replaced(app->store, ds.d[i].id, now);
        if (!err)
            err = ops_audit(app, now, "system", "system",
                            ds.d[i].expire ? "warning.expire" : "warning.start", object, "ok", "");
        touched[ds.d[i].drill ? 1 : 0] = true;
    }
    for (int drill = 0; !err && drill < 2; drill++) {
        struct decision_result res;
        char label[300], reason[400];
        size_t first = ds.n, more = 0;

        if (!touched[drill])
            continue;
        /* the decision names the warning that came into force or expired */
        for (size_t i = 0; i < ds.n; i++)
            if (ds.d[i].drill == drill) {
                if (first == ds.n)
                    first = i;
                else
                    more++;
            }
        err = store_warning_label(app->store, ds.d[first].id, label, sizeof(label));
        if (err)
            break;
        if ((size_t)snprintf(reason, sizeof(reason), "%s %s%s", label,
                             ds.d[first].expire ? "expired" : "came into force",
                             more ? " (with other warnings due at the same time)" : "") >=
            sizeof(reason))
            reason[sizeof(reason) - 1] = '\0';
        struct decision_cause cause = { "timer", "system", "system", reason, ds.d[first].id };
        err = ops_reconcile(app, drill, now, &cause, &res);
    }
    struct overdue_ctx oc = { app, now, SM_OK };
    bool unswept = false;
    if (!err)
        err = store_orders_mark_overdue(app->store, now, OVERDUE_PER_PASS, on_overdue, &oc,
                                        &unswept);
    if (!err)
        err = oc.err;
    /* compliance is re-judged once per clock hour, when the hour just
     * ended can count; the timer wakes at least every 30 s */
    if (!err)
        err = ops_judge_hourly(app, now);
    /* the local trigger looks at the readings once a clock hour */
    if (!err)
        err = ops_local_trigger(app, now, false, NULL);
    /* the daily report to the city: drafted before, sent at the cut-off */
    if (!err)
        err = ops_cityreport_timers(app, now);
    if (!err)
        err = store_commit(app->store);
    else
        store_rollback(app->store);
    free(ds.d);
    if (err)
        return err;
    ops_timers_next_deadline(app, next_ms);
    if (unswept)
        *next_ms = now; /* more orders are late than one pass flags */
    return SM_OK;
}

void
ops_timers_next_deadline(struct app *app, int64_t *next_ms)
{
    int64_t a = 0, b = 0;

    *next_ms = 0;
    if (store_warnings_next_due(app->store, &a) == SM_OK &&
        store_orders_next_deadline(app->store, &b) == SM_OK)
        *next_ms = a && b ? (a < b ? a : b) : (a ? a : b);
}

int64_t
ops_timers_quiet_until(const struct app *app, int64_t ran_ms)
{
    int64_t hour = (ran_ms / SM_MS_PER_HOUR + 1) * SM_MS_PER_HOUR;
    int64_t lead = (int64_t)app->cfg.daily_report_lead_minutes * 60000;
    int64_t cut = cityreport_next_cutoff(ran_ms, app->cfg.daily_report_hour, app->cfg.tz_min);
    int64_t report = cut - lead > ran_ms ? cut - lead : cut;

    /* the hourly compliance pass and the local trigger act once per clock
     * hour (a run at ran_ms did this hour's); a daily report is drafted
     * lead minutes before a cut-off and sent at it */
    return hour < report ? hour : report;
}
