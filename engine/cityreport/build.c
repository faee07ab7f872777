/* The figures of a report to the city, from the gathered input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/hash.h"
#include "base/xalloc.h"
#include "cityreport/cityreport.h"

static const char *const levels[] = { "yellow", "orange", "red" };
static const char *const statuses[] = { "issued", "acknowledged", "superseded", "lifted" };
static const char *const states[] = { "compliant", "violation", "unknown" };
static const char *const pollutants[] = { "so2", "nox", "pm", "vocs" };

/* ---- reading the input ---- */

struct reader {
    struct sm_diag *diag;
    enum sm_err err;
};

static json_t *
need(struct reader *r, const json_t *obj, const char *key, const char *where, json_type type)
{
    json_t *v = json_object_get(obj, key);

    if (r->err)
        return NULL;
    if (!v || json_typeof(v) != type) {
        sm_diag_set(r->diag, v ? "bad_value" : "missing_field", "%s.%s: %s", where, key,
                    v ? "has the wrong type" : "is missing");
        r->err = SM_ERR_INVAL;
        return NULL;
    }
    return v;
}

static int64_t
need_ms(struct reader *r, const json_t *obj, const char *key, const char *where)
{
    return json_integer_value(need(r, obj, key, where, JSON_INTEGER));
}

/* a time or 0 when null or absent */
static int64_t
opt_ms(const json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

static const char *
str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s ? s : "";
}

static json_t *
time_or_null(int64_t ms, int tz)
{
    char t[32];

    return ms ? json_string(sm_time_format(ms, tz, t)) : json_null();
}

static int
index_of(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static void
bump(json_t *obj, const char *key)
{
    json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + 1));
}

/* ---- orders and acknowledgements ---- */

/* An order's status as it was at the cut-off. */
static const char *
status_at(const struct cityreport_order *o, int64_t cutoff)
{
    if (o->ended_ms && o->ended_ms <= cutoff &&
        (strcmp(o->status, "superseded") == 0 || strcmp(o->status, "lifted") == 0))
        return o->status;
    return o->acknowledged_ms && o->acknowledged_ms <= cutoff ? "acknowledged" : "issued";
}

/* on_time, late, missing (deadline passed unacknowledged), pending (still
 * within its deadline) or withdrawn (superseded or lifted before it fell
 * due, never acknowledged): an index into ack_classes. */
static const char *const ack_classes[] = { "on_time", "late", "missing", "pending", "withdrawn" };

static size_t
ack_class(const struct cityreport_order *o, int64_t cutoff)
{
    int64_t acked = o->acknowledged_ms, ended = o->ended_ms, deadline = o->ack_deadline_ms;

    if (acked && acked <= cutoff)
        return acked <= deadline ? 0 : 1;
    if (ended && ended <= cutoff && ended < deadline)
        return 4;
    return deadline <= cutoff ? 2 : 3;
}

/* new: {names[i]: counts[i]} in the order of names */
static json_t *
counts_json(const char *const *names, const json_int_t *counts, size_t n)
{
    json_t *o = json_object();

    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, names[i], json_integer(counts[i]));
    return o;
}

/* A string-keyed open-addressing table of indexes (keys borrowed): the
 * latest order of each enterprise and the town and industry groups, where
 * a JSON object per order cost an allocation per count. */
struct key_index {
    const char **key;
    size_t *val;
    size_t cap, n;
};

static void
key_index_init(struct key_index *t, size_t expect)
{
    t->cap = 16;
    while (t->cap < expect * 2)
        t->cap *= 2;
    t->key = xcalloc(t->cap, sizeof(*t->key));
    t->val = xcalloc(t->cap, sizeof(*t->val));
    t->n = 0;
}

static void
key_index_release(struct key_index *t)
{
    free(t->key);
    free(t->val);
}

/* The slot of key: holding it, or empty where it belongs. */
static size_t
key_index_slot(const struct key_index *t, const char *key)
{
    size_t i = (size_t)sm_str_hash(key) & (t->cap - 1);

    while (t->key[i] && strcmp(t->key[i], key) != 0)
        i = (i + 1) & (t->cap - 1);
    return i;
}

static void
key_index_grow(struct key_index *t)
{
    struct key_index bigger;

    key_index_init(&bigger, t->cap);
    for (size_t i = 0; i < t->cap; i++)
        if (t->key[i]) {
            size_t j = key_index_slot(&bigger, t->key[i]);
            bigger.key[j] = t->key[i];
            bigger.val[j] = t->val[i];
        }
    bigger.n = t->n;
    key_index_release(t);
    *t = bigger;
}

/* The value of key, after adding it with value fresh when absent (*added
 * says which). */
static size_t
key_index_get_or_add(struct key_index *t, const char *key, size_t fresh, int *added)
{
    size_t i;

    if ((t->n + 1) * 2 > t->cap)
        key_index_grow(t);
    i = key_index_slot(t, key);
    *added = !t->key[i];
    if (*added) {
        t->key[i] = key;
        t->val[i] = fresh;
        t->n++;
    }
    return t->val[i];
}

/* Compliance counts of a town or an industry. */
struct group {
    const char *key;
    json_int_t state[SM_ARRAY_LEN(states)], enterprises;
};

struct groups {
    struct key_index index;
    struct group *g;
    size_t n, cap;
};

static void
count_group(struct groups *gs, const char *key, size_t state)
{
    int added;
    size_t i = key_index_get_or_add(&gs->index, key, gs->n, &added);

    if (added) {
        if (gs->n == gs->cap) {
            gs->cap = gs->cap ? gs->cap * 2 : 16;
            gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
        }
        memset(&gs->g[gs->n], 0, sizeof(gs->g[gs->n]));
        gs->g[gs->n++].key = key;
    }
    if (!gs->g)
        return; /* not reached: a group was added above or before */
    gs->g[i].enterprises++;
    gs->g[i].state[state]++;
}

static int
cmp_groups(const void *a, const void *b)
{
    return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

/* new: the groups as an array sorted by key, each with "<keyname>" */
static json_t *
groups_array(struct groups *gs, const char *keyname)
{
    json_t *arr = json_array();

    if (gs->n)
        qsort(gs->g, gs->n, sizeof(*gs->g), cmp_groups);
    for (size_t i = 0; i < gs->n; i++) {
        json_t *g = counts_json(states, gs->g[i].state, SM_ARRAY_LEN(states));
        json_object_set_new(g, "enterprises", json_integer(gs->g[i].enterprises));
        json_object_set_new(g, keyname, json_string(gs->g[i].key));
        json_array_append_new(arr, g);
    }
    key_index_release(&gs->index);
    free(gs->g);
    return arr;
}

static enum sm_err
order_figures(struct reader *r, const struct cityreport_order *orders, size_t n, int64_t cutoff,
              json_t *out)
{
    json_int_t by_level[SM_ARRAY_LEN(levels)][SM_ARRAY_LEN(statuses) + 1] = { { 0 } };
    json_int_t by_status[SM_ARRAY_LEN(statuses)] = { 0 }, acks[SM_ARRAY_LEN(ack_classes)] = { 0 };
    json_int_t total[SM_ARRAY_LEN(states)] = { 0 }, versions = 0;
    struct key_index latest; /* enterprise -> its latest order by cut-off */
    struct groups towns = { 0 }, industries = { 0 };
    json_t *levels_arr, *compliance;
    size_t i;

    key_index_init(&latest, n);
    key_index_init(&towns.index, 16);
    key_index_init(&industries.index, 16);
    for (i = 0; i < n; i++) {
        const struct cityreport_order *o = &orders[i];
        int lv, added;
        size_t prev;

        if (o->issued_ms > cutoff)
            continue; /* not yet issued at the cut-off */
        versions++;
        lv = index_of(levels, SM_ARRAY_LEN(levels), o->level);
        if (lv < 0) {
            sm_diag_set(r->diag, "bad_value", "orders[%zu].level: '%s' is not yellow, orange or red",
                        i, o->level);
            r->err = SM_ERR_INVAL;
            break;
        }
        int st = index_of(statuses, SM_ARRAY_LEN(statuses), status_at(o, cutoff));
        by_level[lv][st]++;
        by_level[lv][SM_ARRAY_LEN(statuses)]++;
        by_status[st]++;
        acks[ack_class(o, cutoff)]++;
        prev = key_index_get_or_add(&latest, o->enterprise, i, &added);
        if (!added && orders[prev].version < o->version)
            latest.val[key_index_slot(&latest, o->enterprise)] = i;
    }
    for (i = 0; !r->err && i < latest.cap; i++) {
        const struct cityreport_order *o;
        int state;

        if (!latest.key[i])
            continue;
        o = &orders[latest.val[i]];
        state = index_of(states, SM_ARRAY_LEN(states), o->compliance);
        if (state < 0)
            state = index_of(states, SM_ARRAY_LEN(states), "unknown");
        total[state]++;
        count_group(&towns, o->town, (size_t)state);
        count_group(&industries, o->industry, (size_t)state);
    }
    levels_arr = json_array();
    for (i = 0; i < SM_ARRAY_LEN(levels); i++) {
        json_t *row = counts_json(statuses, by_level[i], SM_ARRAY_LEN(statuses));
        json_object_set_new(row, "total", json_integer(by_level[i][SM_ARRAY_LEN(statuses)]));
        json_object_set_new(row, "level", json_string(levels[i]));
        json_array_append_new(levels_arr, row);
    }
    json_object_set_new(out, "orders",
                        json_pack("{s:I,s:I,s:o,s:o}", "versions", versions, "enterprises",
                                  (json_int_t)latest.n, "by_level", levels_arr, "by_status",
                                  counts_json(statuses, by_status, SM_ARRAY_LEN(statuses))));
    json_object_set_new(out, "acknowledgements",
                        counts_json(ack_classes, acks, SM_ARRAY_LEN(ack_classes)));
    compliance = counts_json(states, total, SM_ARRAY_LEN(states));
    json_object_set_new(compliance, "enterprises", json_integer((json_int_t)latest.n));
    json_object_set_new(compliance, "by_town", groups_array(&towns, "town"));
    json_object_set_new(compliance, "by_industry", groups_array(&industries, "industry"));
    json_object_set_new(out, "compliance", compliance);
    key_index_release(&latest);
    return r->err;
}

/* Reads in's "orders" (JSON) into *orders (new; strings borrowed from
 * in), checking each field as the figures need it; the first order in
 * error is reported, a level only when the order counts at cutoff. */
static enum sm_err
orders_of_json(struct reader *r, const json_t *arr, int64_t cutoff,
               struct cityreport_order **orders, size_t *n)
{
    size_t i;
    json_t *o;

    *n = 0;
    *orders = xcalloc(json_array_size(arr) + 1, sizeof(**orders));
    json_array_foreach(arr, i, o) {
        struct cityreport_order *c = &(*orders)[i];
        char where[48];

        snprintf(where, sizeof(where), "orders[%zu]", i);
        need(r, o, "enterprise", where, JSON_STRING);
        need(r, o, "level", where, JSON_STRING);
        need(r, o, "status", where, JSON_STRING);
        need_ms(r, o, "issued_ms", where);
        need_ms(r, o, "ack_deadline_ms", where);
        need(r, o, "version", where, JSON_INTEGER);
        if (r->err)
            break;
        c->enterprise = str(o, "enterprise");
        c->town = str(o, "town");
        c->industry = str(o, "industry");
        c->level = str(o, "level");
        c->status = str(o, "status");
        c->compliance = str(o, "compliance");
        c->version = json_integer_value(json_object_get(o, "version"));
        c->issued_ms = opt_ms(o, "issued_ms");
        c->ack_deadline_ms = opt_ms(o, "ack_deadline_ms");
        c->acknowledged_ms = opt_ms(o, "acknowledged_ms");
        c->ended_ms = opt_ms(o, "ended_ms");
        if (c->issued_ms <= cutoff && index_of(levels, SM_ARRAY_LEN(levels), c->level) < 0) {
            sm_diag_set(r->diag, "bad_value", "%s.level: '%s' is not yellow, orange or red",
                        where, c->level);
            r->err = SM_ERR_INVAL;
            break;
        }
        *n = i + 1;
    }
    return r->err;
}

/* ---- inspections, violations, reductions, timeline ---- */

static json_t *
inspection_counts(const json_t *inspections, int64_t from, int64_t to)
{
    json_t *c = json_pack("{s:i,s:i,s:i}", "total", 0, "compliant", 0, "violation", 0), *i_;
    size_t i;

    json_array_foreach(inspections, i, i_) {
        int64_t at = opt_ms(i_, "at_ms");
        const char *res = str(i_, "result");

        if (at <= from || at > to)
            continue;
        bump(c, "total");
        if (strcmp(res, "compliant") == 0 || strcmp(res, "violation") == 0)
            bump(c, res);
    }
    return c;
}

/* new: a short account of why a line is judged in violation */
static json_t *
evidence_summary(const json_t *ev)
{
    char text[1024];
    int n = snprintf(text, sizeof(text), "%s", str(ev, "reason"));
    json_t *hours = json_object_get(ev, "violating_hours");
    json_t *thr = json_object_get(ev, "threshold_kw");
    json_t *insp = json_object_get(ev, "inspection");

    if (json_integer_value(hours) > 0 && n >= 0 && (size_t)n < sizeof(text))
        n += snprintf(text + n, sizeof(text) - (size_t)n, "；超限小时数 %lld",
                      (long long)json_integer_value(hours));
    if (json_is_number(thr) && json_number_value(thr) > 0 && n >= 0 && (size_t)n < sizeof(text))
        n += snprintf(text + n, sizeof(text) - (size_t)n, "；用电阈值 %.1f kW",
                      json_number_value(thr));
    if (json_is_object(insp) && n >= 0 && (size_t)n < sizeof(text))
        snprintf(text + n, sizeof(text) - (size_t)n, "；现场检查 %s：%s", str(insp, "at"),
                 strcmp(str(insp, "result"), "violation") == 0 ? "违规" : "合规");
    return json_string(text);
}

static json_t *
violations_json(struct reader *r, const json_t *in, int tz)
{
    json_t *arr = json_array(), *v;
    size_t i;

    json_array_foreach(json_object_get(in, "violations"), i, v) {
        char where[48];

        snprintf(where, sizeof(where), "violations[%zu]", i);
        need(r, v, "order_id", where, JSON_INTEGER);
        need(r, v, "line", where, JSON_STRING);
        if (r->err)
            break;
        json_array_append_new(
            arr, json_pack("{s:O,s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "order_id",
                           json_object_get(v, "order_id"), "enterprise", str(v, "enterprise"),
                           "enterprise_name", str(v, "enterprise_name"), "town", str(v, "town"),
                           "line", str(v, "line"), "judged_at",
                           time_or_null(opt_ms(v, "judged_ms"), tz), "evidence",
                           evidence_summary(json_object_get(v, "evidence")), "action_taken",
                           ""));
    }
    return arr;
}

static double
num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static json_t *
reductions_json(const json_t *red)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < SM_ARRAY_LEN(pollutants); i++) {
        json_t *p = json_object_get(red, pollutants[i]);
        if (!json_is_object(p))
            continue;
        json_array_append_new(
            arr, json_pack("{s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:b}", "pollutant", pollutants[i],
                           "baseline_kg_d", num(p, "baseline"), "promised_kg_d",
                           num(p, "promised"), "achieved_kg_d", num(p, "achieved"),
                           "promised_pct", num(p, "promised_pct"), "achieved_pct",
                           num(p, "achieved_pct"), "required_pct", num(p, "required_pct"),
                           "promised_meets_required",
                           json_is_true(json_object_get(p, "promised_meets_required")),
                           "achieved_meets_required",
                           json_is_true(json_object_get(p, "achieved_meets_required"))));
    }
    return json_pack("{s:s,s:I,s:I,s:o}", "level",
                     json_is_string(json_object_get(red, "level")) ? str(red, "level") : "none",
                     "lines", json_integer_value(json_object_get(red, "lines")), "measured",
                     json_integer_value(json_object_get(red, "measured")), "pollutants", arr);
}

static json_t *
timeline_json(const json_t *in, int64_t cutoff, int tz)
{
    json_t *arr = json_array(), *d;
    size_t i;

    json_array_foreach(json_object_get(in, "timeline"), i, d) {
        if (opt_ms(d, "at_ms") > cutoff)
            continue;
        json_array_append_new(arr, json_pack("{s:o,s:s,s:s,s:s,s:s}", "at",
                                             time_or_null(opt_ms(d, "at_ms"), tz), "from",
                                             str(d, "from"), "to", str(d, "to"), "source",
                                             str(d, "source"), "reason", str(d, "reason")));
    }
    return arr;
}

/* The report from in and its orders: from orders/n when json_orders is
 * NULL, else read from json_orders. */
static enum sm_err
build(const json_t *in, const json_t *json_orders, const struct cityreport_order *orders,
      size_t n, json_t **out, struct sm_diag *diag)
{
    struct reader r = { diag, SM_OK };
    struct cityreport_order *read = NULL;
    const char *kind;
    json_t *rep, *ep, *county;
    int64_t cutoff, from, opened, as_of;
    int tz;

    *out = NULL;
    kind = json_string_value(need(&r, in, "kind", "input", JSON_STRING));
    if (!r.err && strcmp(kind, "daily") != 0 && strcmp(kind, "summary") != 0) {
        sm_diag_set(diag, "bad_value", "input.kind: '%s' is not daily or summary", kind);
        return SM_ERR_INVAL;
    }
    need(&r, in, "number", "input", JSON_INTEGER);
    tz = (int)json_integer_value(need(&r, in, "tz_min", "input", JSON_INTEGER));
    cutoff = need_ms(&r, in, "cutoff_ms", "input");
    from = need_ms(&r, in, "from_ms", "input");
    ep = need(&r, in, "episode", "input", JSON_OBJECT);
    county = need(&r, in, "county", "input", JSON_OBJECT);
    need(&r, ep, "id", "input.episode", JSON_INTEGER);
    opened = need_ms(&r, ep, "opened_ms", "input.episode");
    if (json_orders)
        need(&r, json_orders, "orders", "input", JSON_ARRAY);
    if (r.err)
        return r.err;
    /* a draft made before its cut-off shows the orders as they are now */
    as_of = opt_ms(in, "as_of_ms");
    if (!as_of || as_of > cutoff)
        as_of = cutoff;
    if (json_orders) {
        if (orders_of_json(&r, json_object_get(json_orders, "orders"), as_of, &read, &n)) {
            free(read);
            return r.err;
        }
        orders = read;
    }

    rep = json_pack("{s:s,s:s,s:O,s:b,s:{s:s,s:s}}", "title",
                    strcmp(kind, "daily") == 0 ? CITYREPORT_TITLE_DAILY : CITYREPORT_TITLE_SUMMARY,
                    "kind", kind, "number", json_object_get(in, "number"), "drill",
                    json_is_true(json_object_get(ep, "drill")), "county", "code",
                    str(county, "code"), "name", str(county, "name"));
    json_object_set_new(rep, "episode",
                        json_pack("{s:O,s:o,s:o,s:s}", "id", json_object_get(ep, "id"),
                                  "opened_at", time_or_null(opened, tz), "closed_at",
                                  time_or_null(opt_ms(ep, "closed_ms"), tz), "max_level",
                                  str(ep, "max_level")));
    json_object_set_new(rep, "period", json_pack("{s:o,s:o}", "from", time_or_null(from, tz), "to",
                                                 time_or_null(cutoff, tz)));
    json_object_set_new(rep, "cutoff", time_or_null(cutoff, tz));
    json_object_set_new(rep, "as_of", time_or_null(as_of, tz));
    json_object_set_new(rep, "generated_at", time_or_null(opt_ms(in, "generated_ms"), tz));
    if (order_figures(&r, orders, n, as_of, rep))
        goto fail;
    json_object_set_new(
        rep, "inspections",
        json_pack("{s:o,s:o}", "period",
                  inspection_counts(json_object_get(in, "inspections"), from, as_of), "episode",
                  inspection_counts(json_object_get(in, "inspections"), opened - 1, as_of)));
    json_object_set_new(rep, "violations", violations_json(&r, in, tz));
    if (r.err)
        goto fail;
    json_object_set_new(rep, "reductions", reductions_json(json_object_get(in, "reductions")));
    json_object_set_new(rep, "timeline", timeline_json(in, as_of, tz));
    json_object_set_new(rep, "remarks", json_string(""));
    if (strcmp(kind, "summary") == 0)
        json_object_set_new(rep, "lessons", json_string(""));
    *out = rep;
    free(read);
    return SM_OK;
fail:
    json_decref(rep);
    free(read);
    return r.err;
}

enum sm_err
cityreport_build(const json_t *in, json_t **out, struct sm_diag *diag)
{
    return build(in, in, NULL, 0, out, diag);
}

enum sm_err
cityreport_build_orders(const json_t *in, const struct cityreport_order *orders, size_t n,
                        json_t **out, struct sm_diag *diag)
{
    return build(in, NULL, orders, n, out, diag);
}

char *
cityreport_canonical(const json_t *report)
{
    return json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
}
