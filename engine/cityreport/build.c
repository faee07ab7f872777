/* The figures of a report to the city, from the gathered input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
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
status_at(const json_t *o, int64_t cutoff)
{
    int64_t ended = opt_ms(o, "ended_ms"), acked = opt_ms(o, "acknowledged_ms");
    const char *stored = str(o, "status");

    if (ended && ended <= cutoff &&
        (strcmp(stored, "superseded") == 0 || strcmp(stored, "lifted") == 0))
        return stored;
    return acked && acked <= cutoff ? "acknowledged" : "issued";
}

/* on_time, late, missing (deadline passed unacknowledged), pending (still
 * within its deadline) or withdrawn (superseded or lifted before it fell
 * due, never acknowledged). */
static const char *
ack_class(const json_t *o, int64_t cutoff)
{
    int64_t acked = opt_ms(o, "acknowledged_ms"), ended = opt_ms(o, "ended_ms");
    int64_t deadline = opt_ms(o, "ack_deadline_ms");

    if (acked && acked <= cutoff)
        return acked <= deadline ? "on_time" : "late";
    if (ended && ended <= cutoff && ended < deadline)
        return "withdrawn";
    return deadline <= cutoff ? "missing" : "pending";
}

static json_t *
zero_counts(const char *const *names, size_t n)
{
    json_t *o = json_object();

    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, names[i], json_integer(0));
    return o;
}

static int
cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* new: the groups of map as an array sorted by key, each with "<keyname>" */
static json_t *
groups_array(json_t *map, const char *keyname)
{
    size_t n = json_object_size(map), i = 0;
    const char **keys = xcalloc(n + 1, sizeof(*keys));
    const char *k;
    json_t *v, *arr = json_array();

    json_object_foreach(map, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cmp_keys);
    for (i = 0; i < n; i++) {
        json_t *g = json_copy(json_object_get(map, keys[i]));
        json_object_set_new(g, keyname, json_string(keys[i]));
        json_array_append_new(arr, g);
    }
    free(keys);
    return arr;
}

static void
count_group(json_t *map, const char *key, const char *state)
{
    json_t *g = json_object_get(map, key);

    if (!g) {
        g = zero_counts(states, SM_ARRAY_LEN(states));
        json_object_set_new(g, "enterprises", json_integer(0));
        json_object_set_new(map, key, g);
    }
    bump(g, "enterprises");
    bump(g, state);
}

static enum sm_err
order_figures(struct reader *r, const json_t *orders, int64_t cutoff, json_t *out)
{
    json_t *by_level = json_object(), *by_status = zero_counts(statuses, SM_ARRAY_LEN(statuses));
    json_t *acks = zero_counts((const char *const[]){ "on_time", "late", "missing", "pending",
                                                      "withdrawn" }, 5);
    json_t *latest = json_object(); /* enterprise -> its latest order by cut-off */
    json_t *towns = json_object(), *industries = json_object();
    json_t *total = zero_counts(states, SM_ARRAY_LEN(states)), *o, *lv;
    json_int_t versions = 0;
    const char *ent;
    size_t i;

    for (i = 0; i < SM_ARRAY_LEN(levels); i++) {
        json_t *row = zero_counts(statuses, SM_ARRAY_LEN(statuses));
        json_object_set_new(row, "total", json_integer(0));
        json_object_set_new(by_level, levels[i], row);
    }
    json_array_foreach(orders, i, o) {
        char where[48];
        const char *st;
        json_t *prev;

        snprintf(where, sizeof(where), "orders[%zu]", i);
        need(r, o, "enterprise", where, JSON_STRING);
        need(r, o, "level", where, JSON_STRING);
        need(r, o, "status", where, JSON_STRING);
        need_ms(r, o, "issued_ms", where);
        need_ms(r, o, "ack_deadline_ms", where);
        need(r, o, "version", where, JSON_INTEGER);
        if (r->err)
            break;
        if (opt_ms(o, "issued_ms") > cutoff)
            continue; /* not yet issued at the cut-off */
        versions++;
        st = status_at(o, cutoff);
        lv = json_object_get(by_level, str(o, "level"));
        if (!lv) {
            sm_diag_set(r->diag, "bad_value", "%s.level: '%s' is not yellow, orange or red", where,
                        str(o, "level"));
            r->err = SM_ERR_INVAL;
            break;
        }
        bump(lv, st);
        bump(lv, "total");
        bump(by_status, st);
        bump(acks, ack_class(o, cutoff));
        prev = json_object_get(latest, str(o, "enterprise"));
        if (!prev || json_integer_value(json_object_get(prev, "version")) <
                         json_integer_value(json_object_get(o, "version")))
            json_object_set(latest, str(o, "enterprise"), o);
    }
    json_object_foreach(latest, ent, o) {
        const char *state = str(o, "compliance");

        if (index_of(states, SM_ARRAY_LEN(states), state) < 0)
            state = "unknown";
        bump(total, state);
        count_group(towns, str(o, "town"), state);
        count_group(industries, str(o, "industry"), state);
    }
    json_object_set_new(total, "enterprises", json_integer((json_int_t)json_object_size(latest)));
    json_t *levels_arr = json_array();
    for (i = 0; i < SM_ARRAY_LEN(levels); i++) {
        json_t *row = json_copy(json_object_get(by_level, levels[i]));
        json_object_set_new(row, "level", json_string(levels[i]));
        json_array_append_new(levels_arr, row);
    }
    json_object_set_new(out, "orders",
                        json_pack("{s:I,s:I,s:o,s:o}", "versions", versions, "enterprises",
                                  (json_int_t)json_object_size(latest), "by_level", levels_arr,
                                  "by_status", by_status));
    json_object_set_new(out, "acknowledgements", acks);
    json_object_set_new(total, "by_town", groups_array(towns, "town"));
    json_object_set_new(total, "by_industry", groups_array(industries, "industry"));
    json_object_set_new(out, "compliance", total);
    json_decref(by_level);
    json_decref(latest);
    json_decref(towns);
    json_decref(industries);
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

enum sm_err
cityreport_build(const json_t *in, json_t **out, struct sm_diag *diag)
{
    struct reader r = { diag, SM_OK };
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
    need(&r, in, "orders", "input", JSON_ARRAY);
    if (r.err)
        return r.err;
    /* a draft made before its cut-off shows the orders as they are now */
    as_of = opt_ms(in, "as_of_ms");
    if (!as_of || as_of > cutoff)
        as_of = cutoff;

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
    if (order_figures(&r, json_object_get(in, "orders"), as_of, rep))
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
    return SM_OK;
fail:
    json_decref(rep);
    return r.err;
}

char *
cityreport_canonical(const json_t *report)
{
    return json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
}
