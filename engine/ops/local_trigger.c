/* The local trigger: the county's rolling 24-hour AQI (official stations
 * only) against the rule set's criteria, PM2.5-primary hours only. In
 * `propose` mode it records proposals for officers; in `activate` mode it
 * moves the local floor itself, with hysteresis before falling back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aqi/aqi_series.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "levels/local_level.h"
#include "ops/ops_int.h"
#include "ops/ops_readings.h"
#include "ops/station_grids.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_readings.h"

#define LOG_MODULE "trigger"
/* Hours of lead-in before the first judged hour, so its 24-hour means are whole. */
#define LEAD_IN_HOURS 23

/* The county's observed hours, oldest first. */
struct observed {
    int64_t end_ms; /* end of the newest hour */
    size_t n;
    int *aqi;
    bool *pm25;
    size_t stations; /* official stations with PM2.5 data in the window */
};

static void
observed_release(struct observed *o)
{
    free(o->aqi);
    free(o->pm25);
}

/* Loads `hours` judged hours ending at end_ms (plus their lead-in) and
 * computes the county's hourly AQI and PM2.5-primary flag of each. */
static enum sm_err
observe(struct app *app, int64_t end_ms, size_t hours, struct observed *o)
{
    struct station_grids g;
    struct aqi_series county;
    double *storage;
    size_t used = 0;
    enum sm_err err;

    memset(o, 0, sizeof(*o));
    o->end_ms = end_ms;
    err = station_grids_load(app, end_ms, hours + LEAD_IN_HOURS, NULL, true, &g);
    if (err)
        return err;
    for (size_t i = 0; i < g.n; i++)
        o->stations += g.st[i].official && g.st[i].grid.conc[AQI_PM25] != NULL;
    storage = xmalloc(AQI_POLLUTANT_COUNT * g.count * sizeof(double));
    err = station_grids_county(&g, storage, &county, &used);
    o->n = g.count > LEAD_IN_HOURS ? g.count - LEAD_IN_HOURS : 0;
    o->aqi = xcalloc(o->n + 1, sizeof(*o->aqi));
    o->pm25 = xcalloc(o->n + 1, sizeof(*o->pm25));
    for (size_t k = 0; !err && k < o->n; k++) {
        struct aqi_result r;
        err = aqi_series_hourly(&county, k + LEAD_IN_HOURS, &r);
        if (err)
            break;
        o->aqi[k] = r.aqi;
        o->pm25[k] = (r.primary_mask & AQI_BIT(AQI_PM25)) != 0;
    }
    free(storage);
    station_grids_release(&g);
    if (err)
        observed_release(o);
    return err;
}

static int64_t
hour_at(const struct observed *o, size_t k)
{
    return o->end_ms - (int64_t)(o->n - 1 - k) * SM_MS_PER_HOUR;
}

/* new: the evidence of a decision: the criteria, the hours of the window
 * judged (at, aqi, pm25_primary) and the stations counted. */
static json_t *
evidence_json(const struct app *app, const struct local_trigger_rules *lt,
              const struct observed *o, enum level from, enum level to, size_t window)
{
    json_t *hours = json_array();
    char t[32];

    if (window > o->n)
        window = o->n;
    for (size_t k = o->n - window; k < o->n; k++)
        json_array_append_new(hours, json_pack("{s:s,s:o,s:b}", "at",
                                               sm_time_format(hour_at(o, k), app->cfg.tz_min, t),
                                               "aqi",
                                               o->aqi[k] >= 0 ? json_integer(o->aqi[k])
                                                              : json_null(),
                                               "pm25_primary", o->pm25[k]));
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "criteria", lt->criteria, "mode",
                     local_trigger_mode_name(lt->mode), "from", level_name(from), "to",
                     level_name(to), "stations", (json_int_t)o->stations, "hysteresis_hours",
                     (json_int_t)lt->hysteresis_hours, "hours", hours);
}

/* A one-line summary for the decision's reason: the newest hour, and the
 * highest AQI and PM2.5-primary hours in the window. */
static void
summary(const struct app *app, const struct local_trigger_rules *lt, const struct observed *o,
        enum level from, enum level to, size_t window, char *out, size_t size)
{
    int max = -1;
    size_t pm = 0;
    char t[32];

    if (window > o->n)
        window = o->n;
    for (size_t k = o->n - window; k < o->n; k++) {
        if (o->aqi[k] > max)
            max = o->aqi[k];
        pm += o->pm25[k];
    }
    snprintf(out, size,
             "local trigger (%s, %s): %s -> %s; county rolling 24-h AQI %d at %s, max %d over "
             "the last %zu h, PM2.5 primary in %zu of them",
             lt->criteria, local_trigger_mode_name(lt->mode), level_name(from), level_name(to),
             o->n ? o->aqi[o->n - 1] : -1,
             sm_time_format(o->n ? hour_at(o, o->n - 1) : o->end_ms, app->cfg.tz_min, t), max,
             window, pm);
}

static size_t
window_of(const struct criteria_set *cs, enum level a, enum level b)
{
    int wa = local_level_window(cs, a), wb = local_level_window(cs, b);

    return (size_t)(wa > wb ? wa : wb);
}

static enum sm_err
propose(struct app *app, const struct local_trigger_rules *lt, const struct observed *o,
        int64_t now_ms)
{
    const struct criteria_set *cs = lt->criteria_set;
    enum level observed = local_level_observed(cs, o->aqi, o->pm25, o->n);
    enum level eff, municipal, local, manual;
    int64_t open = 0, decided = 0, id = 0;
    char object[48];
    enum sm_err err;

    if (observed == LEVEL_NONE)
        return SM_OK;
    err = ops_levels(app, 0, &eff, &municipal, &local, &manual);
    /* nothing to propose when the county is already there */
    if (err || observed <= eff)
        return err;
    err = store_proposal_open_find(app->store, observed, &open);
    if (!err && !open)
        err = store_proposal_last_decided(app->store, observed, &decided);
    if (err || open)
        return err;
    /* an officer's answer stands for the hysteresis period: no nagging */
    if (decided && decided > now_ms - (int64_t)lt->hysteresis_hours * SM_MS_PER_HOUR)
        return SM_OK;
    json_t *ev = evidence_json(app, lt, o, eff, observed, window_of(cs, observed, LEVEL_NONE));
    char *text = json_dumps(ev, JSON_COMPACT);
    err = store_proposal_insert(app->store, observed, text, now_ms, &id);
    snprintf(object, sizeof(object), "proposal:%lld", (long long)id);
    if (!err)
        err = ops_audit(app, now_ms, "system", "system", "local.propose", object, "ok", text);
    if (!err)
        log_info("local trigger proposes %s (proposal %lld)", level_name(observed),
                 (long long)id);
    free(text);
    json_decref(ev);
    return err;
}

static enum sm_err
activate(struct app *app, const struct local_trigger_rules *lt, const struct observed *o,
         int64_t now_ms, bool *changed)
{
    const struct criteria_set *cs = lt->criteria_set;
    enum level current = LEVEL_NONE, next;
    struct decision_result res;
    char reason[400];
    enum sm_err err = store_floor_get(app->store, 0, "local", &current);

    if (err)
        return err;
    next = local_level_decide(cs, current, o->aqi, o->pm25, o->n, lt->hysteresis_hours);
    if (next == current)
        return SM_OK;
    size_t window = window_of(cs, current, next);
    summary(app, lt, o, current, next, window, reason, sizeof(reason));
    json_t *ev = evidence_json(app, lt, o, current, next, window);
    char *text = json_dumps(ev, JSON_COMPACT);
    struct decision_cause cause = { "local", "system", "system", reason, 0 };
    err = store_floor_set(app->store, 0, "local", next, reason, "system", now_ms);
    if (!err)
        err = ops_reconcile(app, 0, now_ms, &cause, &res);
    if (!err)
        err = ops_audit(app, now_ms, "system", "system", "level.local", "local", "ok", text);
    if (!err) {
        *changed = true;
        log_info("%s", reason);
    }
    free(text);
    json_decref(ev);
    return err;
}

enum sm_err
ops_local_trigger(struct app *app, int64_t now_ms, bool force, bool *changed)
{
    const struct local_trigger_rules *lt = &app->rules->local_trigger;
    int64_t hour = now_ms / SM_MS_PER_HOUR * SM_MS_PER_HOUR, last = 0;
    bool dummy = false;
    struct observed o;
    size_t hours;
    enum sm_err err;

    if (!changed)
        changed = &dummy;
    *changed = false;
    if (lt->mode == LOCAL_TRIGGER_OFF || !lt->criteria_set)
        return SM_OK;
    if (!force) {
        err = store_trigger_run_get(app->store, 0, &last);
        if (err || last >= hour)
            return err;
    }
    err = store_trigger_run_set(app->store, 0, hour);
    if (err)
        return err;
    /* the longest criteria window plus the hysteresis hours, so both the
     * rule and its fall-back are judged on whole data */
    hours = (size_t)local_level_max_window(lt->criteria_set) + (size_t)lt->hysteresis_hours + 1;
    if (hours > AQI_GRID_MAX_HOURS - LEAD_IN_HOURS)
        hours = AQI_GRID_MAX_HOURS - LEAD_IN_HOURS;
    err = observe(app, hour, hours, &o);
    if (err)
        return err;
    if (o.stations < (size_t)(lt->min_stations > 0 ? lt->min_stations : 1)) {
        /* no official data: nothing observed, nothing changed either way */
        observed_release(&o);
        return SM_OK;
    }
    if (lt->mode == LOCAL_TRIGGER_PROPOSE)
        err = propose(app, lt, &o, now_ms);
    else
        err = activate(app, lt, &o, now_ms, changed);
    observed_release(&o);
    return err;
}

/* ---- officers' answers to proposals ---- */

enum sm_err
ops_proposals_json(struct app *app, const char *state, json_t **out)
{
    return store_proposals_json(app->store, state, app->cfg.tz_min, out);
}

/* Checks that proposal id exists and is open; *level its level. */
static enum sm_err
proposal_open(struct app *app, int64_t id, enum level *level, struct sm_diag *diag)
{
    char state[16];
    enum sm_err err = store_proposal_get(app->store, id, level, state, sizeof(state));

    if (err == SM_ERR_NOTFOUND)
        sm_diag_set(diag, "not_found", "there is no proposal %lld", (long long)id);
    if (!err && strcmp(state, "open") != 0) {
        sm_diag_set(diag, "proposal_not_open", "proposal %lld was already %s", (long long)id,
                    state);
        err = SM_ERR_CONFLICT;
    }
    return err;
}

static enum sm_err
decide(struct app *app, const struct ops_actor *who, int64_t id, const char *state,
       const char *reason)
{
    int64_t now = clock_now(&app->clock);
    char object[48], detail[64];
    enum sm_err err = store_begin(app->store);

    if (err)
        return err;
    err = store_proposal_decide(app->store, id, state, who->actor, reason, now);
    snprintf(object, sizeof(object), "proposal:%lld", (long long)id);
    snprintf(detail, sizeof(detail), "{\"state\":\"%s\"}", state);
    if (!err)
        err = ops_audit(app, now, who->actor, who->role,
                        strcmp(state, "accepted") == 0 ? "proposal.accept" : "proposal.dismiss",
                        object, "ok", detail);
    if (!err)
        err = store_commit(app->store);
    if (err)
        store_rollback(app->store);
    return err;
}

enum sm_err
ops_proposal_accept(struct app *app, const struct ops_actor *who, int64_t id, const char *reason,
                    struct sm_diag *diag)
{
    enum level level = LEVEL_NONE, eff, municipal, local, manual;
    enum sm_err err;

    if (!reason || !reason[0]) {
        sm_diag_set(diag, "reason_required", "accepting a proposal needs a reason");
        return SM_ERR_INVAL;
    }
    err = proposal_open(app, id, &level, diag);
    if (!err)
        err = ops_levels(app, 0, &eff, &municipal, &local, &manual);
    if (err)
        return err;
    /* a manual floor already at or above the proposal stays as it is:
     * accepting never lowers what an officer set */
    if (manual < level) {
        char *why = xasprintf("accepted local trigger proposal %lld (%s): %s", (long long)id,
                              level_name(level), reason);
        err = ops_escalate(app, who, level, why, diag);
        free(why);
        if (err)
            return err;
    }
    return decide(app, who, id, "accepted", reason);
}

enum sm_err
ops_proposal_dismiss(struct app *app, const struct ops_actor *who, int64_t id,
                     const char *reason, struct sm_diag *diag)
{
    enum level level;
    enum sm_err err;

    if (!reason || !reason[0]) {
        sm_diag_set(diag, "reason_required", "dismissing a proposal needs a reason");
        return SM_ERR_INVAL;
    }
    err = proposal_open(app, id, &level, diag);
    if (err)
        return err;
    return decide(app, who, id, "dismissed", reason);
}
