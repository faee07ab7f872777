/* What officers read about compliance: the evidence behind one order and
 * the reduction and compliance figures of an episode. Reads only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
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

/* One measure of an order, as the figures read it. */
struct ep_measure {
    char *line, *action;
    double limit_pct; /* 0 when absent */
};

/* The parsed measures of one distinct measures text: the orders of a
 * decision share a few texts per list line, so each is parsed once where
 * a json_loads per order was most of the figures' time. */
struct ep_measures {
    char *text;
    struct ep_measure *m;
    size_t n;
};

struct ep_order {
    int64_t id, list_id, effective_from_ms, ended_ms;
    char enterprise[24], town[16], compliance[16];
    size_t measures; /* index into ep_orders.texts */
};

struct ep_orders {
    struct ep_order *o;
    size_t n, cap;
    struct ep_measures *texts;
    size_t ntexts, captexts;
    size_t *slot; /* open addressing over texts: index + 1, 0 empty */
    size_t capslot;
};

static void
parse_measures(struct ep_measures *pm)
{
    json_t *arr = json_loads(pm->text, 0, NULL), *m;
    size_t i;

    pm->m = xcalloc(json_array_size(arr) + 1, sizeof(*pm->m));
    pm->n = 0;
    json_array_foreach(arr, i, m) {
        const char *line = json_string_value(json_object_get(m, "line"));
        const char *action = json_string_value(json_object_get(m, "action"));
        json_t *pct = json_object_get(m, "limit_pct");

        if (!line || !action)
            continue;
        pm->m[pm->n].line = xstrdup(line);
        pm->m[pm->n].action = xstrdup(action);
        pm->m[pm->n].limit_pct = json_is_number(pct) ? json_number_value(pct) : 0;
        pm->n++;
    }
    json_decref(arr);
}

/* The index of text among eo's parsed texts, parsing it when new. */
static size_t
intern_measures(struct ep_orders *eo, const char *text)
{
    size_t i;

    if ((eo->ntexts + 1) * 2 > eo->capslot) {
        size_t cap = eo->capslot ? eo->capslot * 2 : 64;
        size_t *slot = xcalloc(cap, sizeof(*slot));
        for (size_t t = 0; t < eo->ntexts; t++) {
            i = (size_t)sm_str_hash(eo->texts[t].text) & (cap - 1);
            while (slot[i])
                i = (i + 1) & (cap - 1);
            slot[i] = t + 1;
        }
        free(eo->slot);
        eo->slot = slot;
        eo->capslot = cap;
    }
    i = (size_t)sm_str_hash(text) & (eo->capslot - 1);
    while (eo->slot[i]) {
        if (strcmp(eo->texts[eo->slot[i] - 1].text, text) == 0)
            return eo->slot[i] - 1;
        i = (i + 1) & (eo->capslot - 1);
    }
    if (eo->ntexts == eo->captexts) {
        eo->captexts = eo->captexts ? eo->captexts * 2 : 16;
        eo->texts = xrealloc(eo->texts, eo->captexts * sizeof(*eo->texts));
    }
    eo->texts[eo->ntexts].text = xstrdup(text);
    parse_measures(&eo->texts[eo->ntexts]);
    eo->slot[i] = eo->ntexts + 1;
    return eo->ntexts++;
}

static void
ep_orders_release(struct ep_orders *eo)
{
    for (size_t t = 0; t < eo->ntexts; t++) {
        for (size_t k = 0; k < eo->texts[t].n; k++) {
            free(eo->texts[t].m[k].line);
            free(eo->texts[t].m[k].action);
        }
        free(eo->texts[t].m);
        free(eo->texts[t].text);
    }
    free(eo->texts);
    free(eo->slot);
    free(eo->o);
}

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
    c->measures = intern_measures(eo, v->measures);
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
/* The lines of one enterprise in one list, read once per order. */
struct ent_line {
    char *line;
    struct line_facts lf;
    bool has_power;
};

struct ent_lines {
    struct ent_line *e;
    size_t n, cap;
    int64_t first_id; /* the lowest list_lines id seen; its line is e[first] */
    size_t first;
};

static void
collect_ent_line(void *arg, int64_t id, const char *line, const struct line_facts *lf,
                 bool has_power)
{
    struct ent_lines *el = arg;

    if (!el->n || id < el->first_id) {
        el->first_id = id;
        el->first = el->n;
    }

    if (el->n == el->cap) {
        el->cap = el->cap ? el->cap * 2 : 8;
        el->e = xrealloc(el->e, el->cap * sizeof(*el->e));
    }
    el->e[el->n].line = xstrdup(line);
    el->e[el->n].lf = *lf;
    el->e[el->n].has_power = has_power;
    el->n++;
}

static void
ent_lines_clear(struct ent_lines *el)
{
    for (size_t i = 0; i < el->n; i++)
        free(el->e[i].line);
    el->n = 0;
}

/* The industry of the first line of each (list, enterprise) whose lines
 * the figures read, for the city report's groups (it read them again). */
struct industry_key {
    int64_t list_id;
    char uscc[24];
    size_t industry; /* index into names */
};

struct ops_industry_map {
    struct industry_key *k;
    size_t n, cap;
    size_t *slot; /* index + 1, 0 empty */
    size_t capslot;
    char **names;
    size_t nnames, capnames;
};

static size_t
industry_key_hash(int64_t list_id, const char *uscc)
{
    return (size_t)sm_str_hash(uscc) ^ ((size_t)list_id * 0x9E3779B97F4A7C15ULL);
}

/* The slot holding (list_id, uscc) or the empty one where it belongs. */
static size_t
industry_slot(const struct ops_industry_map *m, int64_t list_id, const char *uscc)
{
    size_t i = industry_key_hash(list_id, uscc) & (m->capslot - 1);

    while (m->slot[i] && (m->k[m->slot[i] - 1].list_id != list_id ||
                          strcmp(m->k[m->slot[i] - 1].uscc, uscc) != 0))
        i = (i + 1) & (m->capslot - 1);
    return i;
}

static size_t
industry_name(struct ops_industry_map *m, const char *name)
{
    for (size_t i = 0; i < m->nnames; i++)
        if (strcmp(m->names[i], name) == 0)
            return i;
    if (m->nnames == m->capnames) {
        m->capnames = m->capnames ? m->capnames * 2 : 16;
        m->names = xrealloc(m->names, m->capnames * sizeof(*m->names));
    }
    m->names[m->nnames] = xstrdup(name);
    return m->nnames++;
}

static void
industry_map_put(struct ops_industry_map *m, int64_t list_id, const char *uscc,
                 const char *industry)
{
    size_t i;

    /* ep_order keeps 23 bytes: a key that long may have been cut, so it is
     * not kept and looked up again */
    if (strlen(uscc) >= sizeof(m->k->uscc) - 1)
        return;
    if ((m->n + 1) * 2 > m->capslot) {
        size_t cap = m->capslot ? m->capslot * 2 : 1024;
        free(m->slot);
        m->slot = xcalloc(cap, sizeof(*m->slot));
        m->capslot = cap;
        for (size_t k = 0; k < m->n; k++)
            m->slot[industry_slot(m, m->k[k].list_id, m->k[k].uscc)] = k + 1;
    }
    i = industry_slot(m, list_id, uscc);
    if (m->slot[i])
        return;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->k = xrealloc(m->k, m->cap * sizeof(*m->k));
    }
    m->k[m->n].list_id = list_id;
    snprintf(m->k[m->n].uscc, sizeof(m->k[m->n].uscc), "%s", uscc);
    m->k[m->n].industry = industry_name(m, industry);
    m->slot[i] = ++m->n;
}

const char *
ops_industry_map_get(void *arg, int64_t list_id, const char *uscc)
{
    const struct ops_industry_map *m = arg;
    size_t i;

    if (!m || !m->capslot || strlen(uscc) >= sizeof(m->k->uscc) - 1)
        return NULL;
    i = industry_slot(m, list_id, uscc);
    return m->slot[i] ? m->names[m->k[m->slot[i] - 1].industry] : NULL;
}

void
ops_industry_map_free(struct ops_industry_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nnames; i++)
        free(m->names[i]);
    free(m->names);
    free(m->slot);
    free(m->k);
    free(m);
}

/* Adds the lines of one order to fl (grown as needed) and fills its group
 * keys from the first line the list knows. el is scratch space; map (may
 * be NULL) learns the industry of the enterprise's first line. */
/* the end of the span an order's figures look at */
static int64_t
order_until(const struct ep_order *o, int64_t now)
{
    return o->ended_ms && o->ended_ms < now ? o->ended_ms : now;
}

static enum sm_err
order_lines(struct app *app, struct store_lines_walk *walk, const struct ep_order *o,
            const struct ep_measures *pm, int64_t now, struct ent_lines *el,
            struct ops_industry_map *map, struct figures_line **fl, size_t *n, size_t *cap,
            char *industry, size_t industry_len, char *grade, size_t grade_len)
{
    int64_t from = o->effective_from_ms + app->rules->compliance.grace_ms;
    int64_t to = order_until(o, now);
    enum sm_err err = SM_OK;

    if (!pm->n)
        return SM_OK;
    ent_lines_clear(el);
    err = walk ? store_lines_walk_enterprise(walk, o->enterprise, o->effective_from_ms, to,
                                             collect_ent_line, el)
               : store_enterprise_lines(app->store, o->list_id, o->enterprise,
                                        o->effective_from_ms, to, collect_ent_line, el);
    if (!err && map)
        industry_map_put(map, o->list_id, o->enterprise,
                         el->n ? el->e[el->first].lf.industry : "");
    for (size_t i = 0; !err && i < pm->n; i++) {
        const struct ep_measure *m = &pm->m[i];
        const struct ent_line *l = NULL;
        struct mean_ctx mc = { from, to, 0, 0 };

        for (size_t k = 0; !l && k < el->n; k++)
            if (strcmp(el->e[k].line, m->line) == 0)
                l = &el->e[k];
        if (!l)
            continue; /* a line the list no longer has carries no baseline */
        /* without samples in the span the means would be none */
        if (l->has_power)
            err = store_hourly_means(app->store, o->enterprise, m->line, "power_kw",
                                     o->effective_from_ms, to, add_mean, &mc);
        if (err)
            break;
        if (!industry[0]) {
            snprintf(industry, industry_len, "%s", l->lf.industry);
            snprintf(grade, grade_len, "%s", l->lf.grade);
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *fl = xrealloc(*fl, *cap * sizeof(**fl));
        }
        struct figures_line *f = &(*fl)[(*n)++];
        memset(f, 0, sizeof(*f));
        f->baseline[RULESET_POLLUTANT_SO2] = l->lf.so2;
        f->baseline[RULESET_POLLUTANT_NOX] = l->lf.nox;
        f->baseline[RULESET_POLLUTANT_PM] = l->lf.pm;
        f->baseline[RULESET_POLLUTANT_VOCS] = l->lf.vocs;
        f->kind = ops_measure_kind(app->rules, m->action, m->limit_pct, &f->limit_pct);
        f->power_kw = l->lf.power_kw;
        f->has_load = mc.n > 0;
        f->mean_load_kw = mc.n ? mc.sum / (double)mc.n : 0;
    }
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
    return ops_episode_figures_map(app, episode_id, episode, NULL);
}

enum sm_err
ops_episode_figures_map(struct app *app, int64_t episode_id, json_t *episode,
                        struct ops_industry_map **map)
{
    struct ops_industry_map *m = map ? xcalloc(1, sizeof(*m)) : NULL;
    int64_t now = clock_now(&app->clock);
    struct ep_orders eo = { 0 };
    struct ent_lines el = { 0 };
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
    /* the orders come in enterprise order: when they share one list (the
     * common case), its lines are read in one walk beside them */
    struct store_lines_walk *walk = NULL;
    int64_t first = INT64_MAX, last = 0;
    bool one_list = true;
    for (size_t i = 0; i < eo.n; i++) {
        one_list = one_list && eo.o[i].list_id == eo.o[0].list_id;
        if (eo.o[i].effective_from_ms < first)
            first = eo.o[i].effective_from_ms;
        if (order_until(&eo.o[i], now) > last)
            last = order_until(&eo.o[i], now);
    }
    if (!err && eo.n && one_list)
        err = store_lines_walk_open(app->store, eo.o[0].list_id, first, last, &walk);
    for (size_t i = 0; !err && i < eo.n; i++) {
        err = order_lines(app, walk, &eo.o[i], &eo.texts[eo.o[i].measures], now, &el, m, &fl,
                          &nl, &capl, industry[i], sizeof(industry[i]), grade[i],
                          sizeof(grade[i]));
        fo[i].town = eo.o[i].town;
        fo[i].industry = industry[i];
        fo[i].grade = grade[i];
        fo[i].state = state_of(eo.o[i].compliance);
    }
    store_lines_walk_close(walk);
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
    if (map && !err)
        *map = m;
    else
        ops_industry_map_free(m);
    ep_orders_release(&eo);
    ent_lines_clear(&el);
    free(el.e);
    free(fl);
    free(fo);
    free(industry);
    free(grade);
    return err;
}
