/* Judging active orders: each halt or limit line from its hourly mean
 * loads and inspections (engine/compliance), the truck ban from gate
 * records, the order from its lines. Runs inside the caller's transaction,
 * after new evidence arrives and once an hour from the timers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "compliance/compliance.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_compliance.h"
#include "store/store_orders.h"

/* the judgement row of the truck ban; list lines are named by the list,
 * which never starts a name with "(" in practice, and the row says what it is */
#define TRUCKS_LINE "(trucks)"
#define TRUCK_EVIDENCE_MAX 24

struct order_copy {
    int64_t id, list_id, effective_from_ms;
    char enterprise[24];
    enum level level;
    int drill;
    char *measures;
    char compliance[16];
};

struct order_set {
    struct order_copy *o;
    size_t n, cap;
};

static void
collect_order(void *arg, const struct judge_order_view *v)
{
    struct order_set *os = arg;
    struct order_copy *c;

    if (os->n == os->cap) {
        os->cap = os->cap ? os->cap * 2 : 16;
        os->o = xrealloc(os->o, os->cap * sizeof(*os->o));
    }
    c = &os->o[os->n++];
    memset(c, 0, sizeof(*c));
    c->id = v->id;
    c->list_id = v->list_id;
    c->effective_from_ms = v->effective_from_ms;
    snprintf(c->enterprise, sizeof(c->enterprise), "%s", v->enterprise);
    c->level = v->level;
    c->drill = v->drill;
    c->measures = xstrdup(v->measures);
    snprintf(c->compliance, sizeof(c->compliance), "%s", v->compliance);
}

struct sample_set {
    struct load_sample *s;
    size_t n, cap;
};

static void
collect_hour(void *arg, int64_t hour_end_ms, double mean, int64_t samples)
{
    struct sample_set *ss = arg;

    (void)samples;
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 32;
        ss->s = xrealloc(ss->s, ss->cap * sizeof(*ss->s));
    }
    ss->s[ss->n].hour_end_ms = hour_end_ms;
    ss->s[ss->n].kw = mean;
    ss->n++;
}

struct insp_set {
    struct inspection *i;
    size_t n, cap;
};

static void
collect_inspection(void *arg, int64_t at_ms, const char *result, const char *note,
                   const char *photo, const char *inspector)
{
    struct insp_set *is = arg;

    (void)note;
    (void)photo;
    (void)inspector;
    if (is->n == is->cap) {
        is->cap = is->cap ? is->cap * 2 : 8;
        is->i = xrealloc(is->i, is->cap * sizeof(*is->i));
    }
    is->i[is->n].at_ms = at_ms;
    is->i[is->n].result =
        strcmp(result, "violation") == 0 ? INSPECTION_VIOLATION : INSPECTION_COMPLIANT;
    is->n++;
}

struct gate_scan {
    const struct compliance_rules *rules;
    int tz_min;
    size_t seen, banned;
    json_t *evidence; /* the first banned entries */
};

static void
scan_gate(void *arg, int64_t at_ms, const char *plate, const char *stage, int stage_num)
{
    struct gate_scan *g = arg;
    char t[32];

    g->seen++;
    if (!compliance_truck_banned(g->rules, stage_num))
        return;
    if (g->banned++ < TRUCK_EVIDENCE_MAX)
        json_array_append_new(g->evidence,
                              json_pack("{s:s,s:s,s:s}", "at", sm_time_format(at_ms, g->tz_min, t),
                                        "plate", plate, "stage", stage));
}

enum measure_kind
ops_measure_kind(const struct ruleset *rs, const char *action, double order_pct,
                 double *limit_pct)
{
    const struct measure_rules *m = &rs->measures;

    *limit_pct = 0;
    for (size_t a = 0; a < m->n_actions; a++) {
        const struct measure_action_rule *ar = &m->actions[a];
        if (strcmp(action, ar->key) != 0)
            continue;
        if (a == MEASURE_ACTION_HALT)
            return MEASURE_KIND_HALT;
        if (ar->takes_limit_pct) {
            *limit_pct = order_pct;
            return MEASURE_KIND_LIMIT;
        }
        if (ar->reduction_pct >= 100)
            return MEASURE_KIND_HALT;
        if (ar->reduction_pct <= 0)
            return MEASURE_KIND_VOLUNTARY;
        *limit_pct = ar->reduction_pct;
        return MEASURE_KIND_LIMIT;
    }
    return MEASURE_KIND_VOLUNTARY;
}

/* The truck ban applies when a measure's text names China-IV trucks, or at
 * red to any order that curtails a line (see README "Compliance"). */
static bool
mentions_old_trucks(const char *text)
{
    static const char *const words[] = { "国四", "国Ⅳ", "国IV", "China IV", "China-IV",
                                         "china iv", "CN4" };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(text, words[i]))
            return true;
    return false;
}

static json_t *
time_json(int64_t ms, int tz_min)
{
    char t[32];

    return ms ? json_string(sm_time_format(ms, tz_min, t)) : json_null();
}

static json_t *
line_evidence(const struct line_judgement *j, json_t *measure, double power_kw, int tz_min)
{
    json_t *hours = json_array();
    json_t *ev;

    for (size_t i = 0; i < j->n_evidence; i++)
        json_array_append_new(hours, json_pack("{s:o,s:f}", "hour_end",
                                               time_json(j->evidence[i].hour_end_ms, tz_min),
                                               "kw", j->evidence[i].kw));
    ev = json_pack("{s:s,s:O,s:f,s:f,s:o,s:I,s:o,s:I,s:o,s:s,s:s}", "state",
                   compliance_state_name(j->state), "measure", measure, "power_kw", power_kw,
                   "threshold_kw", j->threshold_kw, "judged_from",
                   time_json(j->judged_from_ms, tz_min), "hours_judged",
                   (json_int_t)j->n_hours_judged, "last_hour_end",
                   time_json(j->last_hour_end_ms, tz_min), "violating_hours",
                   (json_int_t)j->n_violating_hours, "violating", hours, "rule", j->rule,
                   "reason", j->reason);
    json_object_set_new(ev, "inspection",
                        j->has_inspection
                            ? json_pack("{s:o,s:s}", "at", time_json(j->inspection_at_ms, tz_min),
                                        "result",
                                        j->inspection_result == INSPECTION_VIOLATION ? "violation"
                                                                                     : "compliant")
                            : json_null());
    return ev;
}

static enum sm_err
put_judgement(struct app *app, int64_t order_id, const char *line, const char *state,
              double threshold, json_t *evidence_take, int64_t now)
{
    char *text = json_dumps(evidence_take, JSON_COMPACT);
    enum sm_err err;

    json_decref(evidence_take);
    err = store_judgement_put(app->store, order_id, line, state, threshold, text ? text : "{}",
                              now);
    free(text);
    return err;
}

/* Judges one line of an order and stores it; *j receives the judgement. */
static enum sm_err
judge_line(struct app *app, const struct order_copy *o, json_t *measure, int64_t now,
           struct line_judgement *j)
{
    const struct compliance_rules *r = &app->rules->compliance;
    const char *line = json_string_value(json_object_get(measure, "line"));
    const char *action = json_string_value(json_object_get(measure, "action"));
    json_t *pct = json_object_get(measure, "limit_pct");
    struct sample_set ss = { 0 };
    struct insp_set is = { 0 };
    struct line_facts lf;
    enum sm_err err;

    if (!line || !action)
        return SM_ERR_INVAL;
    err = store_line_facts(app->store, o->list_id, o->enterprise, line, &lf);
    if (err == SM_ERR_NOTFOUND)
        lf.power_kw = 0; /* judged unknown below: no normal load to compare with */
    else if (err)
        return err;
    err = store_hourly_means(app->store, o->enterprise, line, "power_kw", o->effective_from_ms,
                             now, collect_hour, &ss);
    if (!err)
        err = store_inspections_of(app->store, o->enterprise, line, o->effective_from_ms, now,
                                   collect_inspection, &is);
    if (!err) {
        double cut;
        enum measure_kind kind = ops_measure_kind(
            app->rules, action, json_is_number(pct) ? json_number_value(pct) : 0, &cut);
        compliance_judge_line(r, kind, cut, lf.power_kw, o->effective_from_ms, now, ss.s, ss.n, is.i, is.n, j);
        err = put_judgement(app, o->id, line, compliance_state_name(j->state), j->threshold_kw,
                            line_evidence(j, measure, lf.power_kw, app->cfg.tz_min), now);
    }
    free(ss.s);
    free(is.i);
    return err;
}

/* The truck ban as a judgement: violation when a banned truck entered after
 * the grace period; compliant when trucks were seen and none was banned;
 * unknown without gate records. Only a violation counts for the order. */
static enum sm_err
judge_trucks(struct app *app, const struct order_copy *o, int64_t now, struct line_judgement *j)
{
    const struct compliance_rules *r = &app->rules->compliance;
    int64_t from = o->effective_from_ms + r->grace_ms;
    struct gate_scan g = { r, app->cfg.tz_min, 0, 0, json_array() };
    const char *state;
    enum sm_err err;

    memset(j, 0, sizeof(*j));
    j->judged_from_ms = from;
    err = store_gate_of(app->store, o->enterprise, from, now, scan_gate, &g);
    if (err) {
        json_decref(g.evidence);
        return err;
    }
    j->state = g.banned ? COMPLIANCE_VIOLATION : g.seen ? COMPLIANCE_COMPLIANT : COMPLIANCE_UNKNOWN;
    snprintf(j->rule, sizeof(j->rule),
             "no heavy truck of China stage %d or older may enter after the grace period",
             r->banned_truck_stage);
    if (g.banned)
        snprintf(j->reason, sizeof(j->reason), "%zu banned truck entr%s of %zu gate records",
                 g.banned, g.banned == 1 ? "y" : "ies", g.seen);
    else if (g.seen)
        snprintf(j->reason, sizeof(j->reason), "%zu gate records, none of a banned stage", g.seen);
    else
        snprintf(j->reason, sizeof(j->reason), "no gate records after the grace period");
    state = compliance_state_name(j->state);
    return put_judgement(app, o->id, TRUCKS_LINE, state, 0,
                         json_pack("{s:s,s:o,s:I,s:I,s:o,s:s,s:s}", "state", state, "judged_from",
                                   time_json(from, app->cfg.tz_min), "gate_records",
                                   (json_int_t)g.seen, "banned", (json_int_t)g.banned,
                                   "banned_entries", g.evidence, "rule", j->rule, "reason",
                                   j->reason),
                         now);
}

static enum sm_err
record_change(struct app *app, const struct order_copy *o, enum compliance_state to,
              const struct line_judgement *lines, const char *const *names, size_t n,
              int64_t now)
{
    const char *to_name = compliance_state_name(to);
    char object[48], detail[160];
    enum sm_err err;

    snprintf(object, sizeof(object), "order:%lld", (long long)o->id);
    err = store_order_compliance_set(app->store, o->id, to_name);
    if (!err) {
        snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"to\":\"%s\"}", o->compliance, to_name);
        err = ops_audit(app, now, "system", "system", "order.compliance", object, to_name, detail);
    }
    if (err || to != COMPLIANCE_VIOLATION)
        return err;
    /* every turn to violation alerts the officers once, numbered so a
     * relapse after a correction alerts again */
    int64_t nth = 0;
    err = store_order_violation_next(app->store, o->id, &nth);
    if (err)
        return err;
    json_t *bad = json_array();
    for (size_t i = 0; i < n; i++)
        if (lines[i].state == COMPLIANCE_VIOLATION)
            json_array_append_new(bad, json_pack("{s:s,s:s}", "line", names[i], "reason",
                                                 lines[i].reason));
    json_t *payload = json_pack("{s:I,s:s,s:s,s:b,s:o}", "order_id", (json_int_t)o->id,
                                "enterprise", o->enterprise, "compliance", to_name, "drill",
                                o->drill, "lines", bad);
    char *text = json_dumps(payload, JSON_COMPACT);
    char event_id[96];
    json_decref(payload);
    snprintf(event_id, sizeof(event_id), "order:%lld:violation:%lld", (long long)o->id,
             (long long)nth);
    err = store_outbox_add(app->store, event_id, "officer_alert", o->id, NULL, o->drill,
                           text ? text : "{}", now, 0);
    free(text);
    return err;
}

static enum sm_err
judge_order(struct app *app, const struct order_copy *o, int64_t now, json_t *judged)
{
    json_error_t je;
    json_t *measures = json_loads(o->measures, 0, &je);
    struct line_judgement *lines = NULL;
    const char **names = NULL;
    size_t n = 0, nm;
    bool curtails = false, trucks = false;
    enum compliance_state to;
    enum sm_err err = SM_OK;

    if (!json_is_array(measures)) {
        json_decref(measures);
        return SM_OK; /* nothing judgeable; the order view shows the stored text */
    }
    nm = json_array_size(measures);
    for (size_t i = 0; i < nm; i++) {
        json_t *m = json_array_get(measures, i);
        const char *action = json_string_value(json_object_get(m, "action"));
        const char *text = json_string_value(json_object_get(m, "text"));
        double cut;
        if (action && ops_measure_kind(app->rules, action, 0, &cut) != MEASURE_KIND_VOLUNTARY)
            curtails = true;
        if (text && mentions_old_trucks(text))
            trucks = true;
    }
    if (o->level == LEVEL_RED && curtails)
        trucks = true;
    if (!curtails && !trucks)
        goto out;
    lines = xcalloc(nm + 1, sizeof(*lines));
    names = xcalloc(nm + 1, sizeof(*names));
    for (size_t i = 0; !err && i < nm; i++) {
        json_t *m = json_array_get(measures, i);
        if (!json_string_value(json_object_get(m, "line")) ||
            !json_string_value(json_object_get(m, "action")))
            continue;
        names[n] = json_string_value(json_object_get(m, "line"));
        err = judge_line(app, o, m, now, &lines[n]);
        n++;
    }
    if (!err && trucks) {
        names[n] = TRUCKS_LINE;
        err = judge_trucks(app, o, now, &lines[n]);
        /* trucks seen and none banned says nothing about the lines */
        if (!err && lines[n].state != COMPLIANCE_VIOLATION)
            lines[n].state = COMPLIANCE_NOT_JUDGED;
        n++;
    }
    if (err)
        goto out;
    to = compliance_combine(lines, n);
    if (strcmp(compliance_state_name(to), o->compliance) != 0)
        err = record_change(app, o, to, lines, names, n, now);
    if (!err && judged)
        json_array_append_new(judged, json_pack("{s:I,s:s}", "id", (json_int_t)o->id,
                                                "compliance", compliance_state_name(to)));
out:
    free(lines);
    free(names);
    json_decref(measures);
    return err;
}

enum sm_err
ops_judge_in_tx(struct app *app, int64_t now_ms, const struct judge_filter *f, json_t *judged)
{
    struct order_set os = { 0 };
    enum sm_err err = SM_OK;

    if (f && f->n_enterprises) {
        for (size_t i = 0; !err && i < f->n_enterprises; i++)
            err = store_orders_to_judge(app->store, f->order_id, f->enterprises[i],
                                        f->with_evidence_only, collect_order, &os);
    } else {
        err = store_orders_to_judge(app->store, f ? f->order_id : 0, NULL,
                                    f && f->with_evidence_only, collect_order, &os);
    }
    for (size_t i = 0; !err && i < os.n; i++)
        err = judge_order(app, &os.o[i], now_ms, judged);
    for (size_t i = 0; i < os.n; i++)
        free(os.o[i].measures);
    free(os.o);
    return err;
}

enum sm_err
ops_judge_hourly(struct app *app, int64_t now_ms)
{
    bool due = false;
    enum sm_err err = store_compliance_hour_due(app->store, now_ms, &due);

    if (err || !due)
        return err;
    struct judge_filter hourly = { .with_evidence_only = true };
    return ops_judge_in_tx(app, now_ms, &hourly, NULL);
}

enum sm_err
ops_judge_orders(struct app *app, int64_t now_ms, const struct judge_filter *filter)
{
    enum sm_err err = store_begin(app->store);

    if (err)
        return err;
    err = ops_judge_in_tx(app, now_ms, filter, NULL);
    if (!err)
        err = store_commit(app->store);
    if (err)
        store_rollback(app->store);
    return err;
}
