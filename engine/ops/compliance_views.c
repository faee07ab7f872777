/* What officers read about compliance: the evidence behind one order and
 * the reduction and compliance figures of an episode. Reads only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "compliance/compliance.h"
#include "compliance/figures.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_compliance.h"
#include "store/store_orders.h"

static const char *const emission_metrics[] = { "so2_mg_m3", "nox_mg_m3", "pm_mg_m3" };

/* ---- evidence of one order ---- */

struct hours_ctx {
    json_t *arr;
    int tz_min;
    int64_t counted_from, counted_to; /* hours that count for the judgement */
};

static void
add_hour(void *arg, int64_t hour_end_ms, double mean, int64_t samples)
{
    struct hours_ctx *h = arg;
    char t[32];

    json_array_append_new(
        h->arr, json_pack("{s:s,s:f,s:I,s:b}", "hour_end", sm_time_format(hour_end_ms, h->tz_min, t),
                          "mean", mean, "samples", (json_int_t)samples, "counted",
                          hour_end_ms - SM_MS_PER_HOUR >= h->counted_from &&
                              hour_end_ms <= h->counted_to));
}

struct insp_ctx {
    json_t *arr;
    int tz_min;
};

static void
add_inspection(void *arg, int64_t at_ms, const char *result, const char *note, const char *photo,
               const char *inspector)
{
    struct insp_ctx *c = arg;
    char t[32];

    json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:s,s:s?}", "at",
                                            sm_time_format(at_ms, c->tz_min, t), "result", result,
                                            "note", note, "inspector", inspector, "photo", photo));
}

struct gate_ctx {
    json_t *arr;
    int tz_min;
    const struct compliance_rules *rules;
    int64_t counted_from;
};

static void
add_gate(void *arg, int64_t at_ms, const char *plate, const char *stage, int stage_num)
{
    struct gate_ctx *c = arg;
    char t[32];

    json_array_append_new(c->arr, json_pack("{s:s,s:s,s:s,s:b,s:b}", "at",
                                            sm_time_format(at_ms, c->tz_min, t), "plate", plate,
                                            "stage", stage, "banned",
                                            compliance_truck_banned(c->rules, stage_num),
                                            "after_grace", at_ms >= c->counted_from));
}

static json_t *
judgement_of(json_t *detail, const char *line)
{
    size_t i;
    json_t *j;

    json_array_foreach(detail, i, j) {
        const char *l = json_string_value(json_object_get(j, "line"));
        if (l && strcmp(l, line) == 0)
            return j;
    }
    return NULL;
}

static enum sm_err
evidence_line(struct app *app, const char *uscc, int64_t list_id, json_t *measure, json_t *detail,
              int64_t eff, int64_t judged_from, int64_t to, json_t *lines)
{
    const char *line = json_string_value(json_object_get(measure, "line"));
    int tz = app->cfg.tz_min;
    struct line_facts lf;
    json_t *j, *out, *emissions;
    enum sm_err err;

    if (!line)
        return SM_OK;
    err = store_line_facts(app->store, list_id, uscc, line, &lf);
    if (err && err != SM_ERR_NOTFOUND)
        return err;
    j = judgement_of(detail, line);
    out = json_pack("{s:s,s:O,s:f}", "line", line, "measure", measure, "power_kw", lf.power_kw);
    json_object_set_new(out, "state", j ? json_incref(json_object_get(j, "state"))
                                        : json_string("unknown"));
    json_object_set_new(out, "threshold_kw", j ? json_incref(json_object_get(j, "threshold_kw"))
                                               : json_null());
    json_object_set_new(out, "judged_at", j ? json_incref(json_object_get(j, "judged_at"))
                                            : json_null());
    json_object_set_new(out, "judgement", j ? json_incref(json_object_get(j, "evidence"))
                                            : json_null());
    struct hours_ctx h = { json_array(), tz, judged_from, to };
    json_object_set_new(out, "hours", h.arr);
    err = store_hourly_means(app->store, uscc, line, "power_kw", eff, to, add_hour, &h);
    emissions = json_object();
    json_object_set_new(out, "emissions", emissions);
    for (size_t m = 0; !err && m < SM_ARRAY_LEN(emission_metrics); m++) {
        struct hours_ctx e = { json_array(), tz, judged_from, to };
        err = store_hourly_means(app->store, uscc, line, emission_metrics[m], eff, to, add_hour,
                                 &e);
        if (json_array_size(e.arr))
            json_object_set_new(emissions, emission_metrics[m], e.arr);
        else
            json_decref(e.arr);
    }
    struct insp_ctx ic = { json_array(), tz };
    json_object_set_new(out, "inspections", ic.arr);
    if (!err)
        err = store_inspections_of(app->store, uscc, line, eff, to, add_inspection, &ic);
    json_array_append_new(lines, out);
    return err;
}

enum sm_err
ops_order_evidence(struct app *app, int64_t order_id, json_t **out)
{
    int64_t now = clock_now(&app->clock), eff = 0, ended = 0, to;
    const struct compliance_rules *r = &app->rules->compliance;
    json_t *order = NULL, *detail = NULL, *lines, *measures, *m, *ev = NULL;
    const char *uscc;
    struct sm_diag d = { 0 };
    enum sm_err err;
    size_t i;

    *out = NULL;
    err = store_order_json(app->store, order_id, app->cfg.tz_min, 0, &order);
    if (err)
        return err;
    uscc = json_string_value(json_object_get(order, "enterprise"));
    if (sm_time_parse(json_string_value(json_object_get(order, "effective_from")), &eff, &d) ||
        (json_is_string(json_object_get(order, "ended_at")) &&
         sm_time_parse(json_string_value(json_object_get(order, "ended_at")), &ended, &d))) {
        json_decref(order);
        return SM_ERR_DB;
    }
    /* an ended order's evidence stops where the order did */
    to = ended && ended < now ? ended : now;
    err = store_order_compliance_detail(app->store, order_id, app->cfg.tz_min, &detail);
    if (err) {
        json_decref(order);
        return err;
    }
    char t[32];
    ev = json_pack("{s:I,s:O,s:O,s:O,s:O,s:O,s:O,s:s,s:s}", "order_id", (json_int_t)order_id,
                   "enterprise", json_object_get(order, "enterprise"), "enterprise_name",
                   json_object_get(order, "enterprise_name"), "level",
                   json_object_get(order, "level"), "status", json_object_get(order, "status"),
                   "compliance", json_object_get(order, "compliance"), "effective_from",
                   json_object_get(order, "effective_from"), "judged_from",
                   sm_time_format(eff + r->grace_ms, app->cfg.tz_min, t), "exported_at",
                   sm_time_format(now, app->cfg.tz_min, t));
    lines = json_array();
    json_object_set_new(ev, "lines", lines);
    measures = json_object_get(order, "measures");
    json_array_foreach(measures, i, m) {
        err = evidence_line(app, uscc, json_integer_value(json_object_get(order, "list_id")), m,
                            detail, eff, eff + r->grace_ms, to, lines);
        if (err)
            break;
    }
    if (!err) {
        json_t *tj = judgement_of(detail, "(trucks)");
        struct gate_ctx g = { json_array(), app->cfg.tz_min, r, eff + r->grace_ms };
        json_t *trucks = json_pack("{s:o,s:o,s:o}", "state",
                                   tj ? json_incref(json_object_get(tj, "state")) : json_null(),
                                   "judgement",
                                   tj ? json_incref(json_object_get(tj, "evidence")) : json_null(),
                                   "gate_records", g.arr);
        json_object_set_new(ev, "trucks", trucks);
        err = store_gate_of(app->store, uscc, eff, to, add_gate, &g);
    }
    json_decref(detail);
    json_decref(order);
    if (err) {
        json_decref(ev);
        return err;
    }
    *out = ev;
    return SM_OK;
}

/* ---- episode figures ---- */

struct ep_order {
    int64_t id, list_id, effective_from_ms, ended_ms;
    char enterprise[24], town[16], compliance[16];
    char *measures;
};

struct ep_orders {
    struct ep_order *o;
    size_t n, cap;
};

static void
collect_ep_order(void *arg, const struct judge_order_view *v)
{
    struct ep_orders *eo = arg;
    struct ep_order *c;

    if (eo->n == eo->cap) {
        eo->cap = eo->cap ? eo->cap * 2 : 16;
        eo->o = xrealloc(eo->o, eo->cap * sizeof(*eo->o));
    }
    c = &eo->o[eo->n++];
    memset(c, 0, sizeof(*c));
    c->id = v->id;
    c->list_id = v->list_id;
    c->effective_from_ms = v->effective_from_ms;
    c->ended_ms = v->ended_ms;
    snprintf(c->enterprise, sizeof(c->enterprise), "%s", v->enterprise);
    snprintf(c->town, sizeof(c->town), "%s", v->town);
    snprintf(c->compliance, sizeof(c->compliance), "%s", v->compliance);
    c->measures = xstrdup(v->measures);
}

/* The mean of the hourly means that count for the judgement. */
struct mean_ctx {
    int64_t from, to;
    double sum;
    size_t n;
};

static void
add_mean(void *arg, int64_t hour_end_ms, double mean, int64_t samples)
{
    struct mean_ctx *c = arg;

    (void)samples;
    if (hour_end_ms - SM_MS_PER_HOUR >= c->from && hour_end_ms <= c->to && mean >= 0) {
        c->sum += mean;
        c->n++;
    }
}

static enum compliance_state
state_of(const char *s)
{
    if (strcmp(s, "compliant") == 0)
        return COMPLIANCE_COMPLIANT;
    if (strcmp(s, "violation") == 0)
        return COMPLIANCE_VIOLATION;
    return COMPLIANCE_UNKNOWN;
}

/* Adds the lines of one order to fl (grown as needed) and fills its group
 * keys from the first line the list knows. */
static enum sm_err
order_lines(struct app *app, const struct ep_order *o, int64_t now, struct figures_line **fl,
            size_t *n, size_t *cap, char *industry, size_t industry_len, char *grade,
            size_t grade_len)
{
    json_error_t je;
    json_t *measures = json_loads(o->measures, 0, &je), *m;
    int64_t from = o->effective_from_ms + app->rules->compliance.grace_ms;
    int64_t to = o->ended_ms && o->ended_ms < now ? o->ended_ms : now;
    enum sm_err err = SM_OK;
    size_t i;

    json_array_foreach(measures, i, m) {
        const char *line = json_string_value(json_object_get(m, "line"));
        const char *action = json_string_value(json_object_get(m, "action"));
        json_t *pct = json_object_get(m, "limit_pct");
        struct line_facts lf;
        struct mean_ctx mc = { from, to, 0, 0 };

        if (!line || !action)
            continue;
        err = store_line_facts(app->store, o->list_id, o->enterprise, line, &lf);
        if (err == SM_ERR_NOTFOUND) {
            err = SM_OK;
            continue; /* a line the list no longer has carries no baseline */
        }
        if (!err)
            err = store_hourly_means(app->store, o->enterprise, line, "power_kw",
                                     o->effective_from_ms, to, add_mean, &mc);
        if (err)
            break;
        if (!industry[0]) {
            snprintf(industry, industry_len, "%s", lf.industry);
            snprintf(grade, grade_len, "%s", lf.grade);
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *fl = xrealloc(*fl, *cap * sizeof(**fl));
        }
        struct figures_line *f = &(*fl)[(*n)++];
        memset(f, 0, sizeof(*f));
        f->baseline[RULESET_POLLUTANT_SO2] = lf.so2;
        f->baseline[RULESET_POLLUTANT_NOX] = lf.nox;
        f->baseline[RULESET_POLLUTANT_PM] = lf.pm;
        f->baseline[RULESET_POLLUTANT_VOCS] = lf.vocs;
        f->kind = ops_measure_kind(app->rules, action, json_is_number(pct) ? json_number_value(pct) : 0,
                                   &f->limit_pct);
        f->power_kw = lf.power_kw;
        f->has_load = mc.n > 0;
        f->mean_load_kw = mc.n ? mc.sum / (double)mc.n : 0;
    }
    json_decref(measures);
    return err;
}

static json_t *
groups_json(const struct figures_order *fo, size_t n, enum figures_dim dim)
{
    struct figures_group *g = NULL;
    size_t ng = 0;
    json_t *obj = json_object();

    figures_group_by(fo, n, dim, &g, &ng);
    for (size_t i = 0; i < ng; i++)
        json_object_set_new(obj, g[i].key,
                            json_pack("{s:I,s:I,s:I}", "compliant", (json_int_t)g[i].compliant,
                                      "violation", (json_int_t)g[i].violation, "unknown",
                                      (json_int_t)g[i].unknown));
    free(g);
    return obj;
}

enum sm_err
ops_episode_figures(struct app *app, int64_t episode_id, json_t *episode)
{
    int64_t now = clock_now(&app->clock);
    struct ep_orders eo = { 0 };
    struct figures_line *fl = NULL;
    struct figures_order *fo = NULL;
    char (*industry)[128] = NULL, (*grade)[32] = NULL;
    size_t nl = 0, capl = 0;
    enum level level = LEVEL_NONE;
    struct reduction_figures rf;
    enum sm_err err;

    err = store_orders_latest_of_episode(app->store, episode_id, collect_ep_order, &eo);
    if (!err && eo.n) {
        fo = xcalloc(eo.n, sizeof(*fo));
        industry = xcalloc(eo.n, sizeof(*industry));
        grade = xcalloc(eo.n, sizeof(*grade));
    }
    for (size_t i = 0; !err && i < eo.n; i++) {
        err = order_lines(app, &eo.o[i], now, &fl, &nl, &capl, industry[i], sizeof(industry[i]),
                          grade[i], sizeof(grade[i]));
        fo[i].town = eo.o[i].town;
        fo[i].industry = industry[i];
        fo[i].grade = grade[i];
        fo[i].state = state_of(eo.o[i].compliance);
    }
    if (err)
        goto out;
    /* the share the rules require at the highest level the episode reached */
    (void)level_parse(json_string_value(json_object_get(episode, "max_level")), &level);
    figures_reductions(fl, nl, level > LEVEL_NONE ? app->rules->ratios.required_pct[level] : NULL,
                       &rf);
    json_t *red = json_pack("{s:s,s:I,s:I,s:I,s:I}", "level", level_name(level), "lines",
                            (json_int_t)rf.n_lines, "curtailed", (json_int_t)rf.n_curtailed,
                            "measured", (json_int_t)rf.n_measured, "unmeasured",
                            (json_int_t)rf.n_unmeasured);
    for (int p = 0; p < RULESET_POLLUTANT_COUNT; p++) {
        double pp = figures_share_pct(rf.promised[p], rf.baseline[p]);
        double ap = figures_share_pct(rf.achieved[p], rf.baseline[p]);
        json_object_set_new(
            red, ruleset_pollutant_name((enum ruleset_pollutant)p),
            json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:b}", "baseline", rf.baseline[p], "promised",
                      rf.promised[p], "achieved", rf.achieved[p], "promised_pct", pp,
                      "achieved_pct", ap, "required_pct", rf.required_pct[p],
                      "promised_meets_required", pp >= rf.required_pct[p],
                      "achieved_meets_required", ap >= rf.required_pct[p]));
    }
    json_object_set_new(episode, "reductions", red);
    json_object_set_new(episode, "compliance_by",
                        json_pack("{s:o,s:o,s:o}", "town", groups_json(fo, eo.n, FIGURES_BY_TOWN),
                                  "industry", groups_json(fo, eo.n, FIGURES_BY_INDUSTRY), "grade",
                                  groups_json(fo, eo.n, FIGURES_BY_GRADE)));
out:
    for (size_t i = 0; i < eo.n; i++)
        free(eo.o[i].measures);
    free(eo.o);
    free(fl);
    free(fo);
    free(industry);
    free(grade);
    return err;
}
