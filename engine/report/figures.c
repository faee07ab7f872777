/* Figures of one episode, read through store views and computed here:
 * the level timeline, warnings, orders over time, time to acknowledge,
 * compliance by town and industry, and reductions per pollutant. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "report/report.h"
#include "store/store_report.h"
#include "store/store_views.h"

static const char *const pollutants[4] = { "so2", "nox", "pm", "vocs" };

struct order_copy {
    int64_t id, issued, deadline, acked, ended;
    char *enterprise, *name, *town, *industry, *status, *compliance, *channel;
    enum level level;
    int version, overdue;
    double promised[4];
};

struct order_set {
    struct order_copy *o;
    size_t n, cap;
};

static void
collect_order(void *arg, const struct report_order_row *r)
{
    struct order_set *os = arg;
    struct order_copy *c;

    if (os->n == os->cap) {
        os->cap = os->cap ? os->cap * 2 : 64;
        os->o = xrealloc(os->o, os->cap * sizeof(*os->o));
    }
    c = &os->o[os->n++];
    *c = (struct order_copy){ r->id, r->issued_ms, r->ack_deadline_ms, r->acknowledged_ms,
                              r->ended_ms, xstrdup(r->enterprise), xstrdup(r->name),
                              xstrdup(r->town), xstrdup(r->industry[0] ? r->industry : "-"),
                              xstrdup(r->status), xstrdup(r->compliance),
                              xstrdup(r->ack_channel), r->level, r->version, r->overdue,
                              { 0 } };
    memcpy(c->promised, r->promised_kg_day, sizeof(c->promised));
}

static void
order_set_release(struct order_set *os)
{
    for (size_t i = 0; i < os->n; i++) {
        struct order_copy *c = &os->o[i];
        free(c->enterprise);
        free(c->name);
        free(c->town);
        free(c->industry);
        free(c->status);
        free(c->compliance);
        free(c->channel);
    }
    free(os->o);
}

static json_t *
t_json(int64_t ms, int tz)
{
    char buf[32];
    return ms ? json_string(sm_time_format(ms, tz, buf)) : json_null();
}

struct fig_ctx {
    json_t *levels, *warnings;
    int tz;
};

static void
on_decision(void *arg, const struct decision_row *d)
{
    struct fig_ctx *c = arg;
    json_array_append_new(c->levels,
                          json_pack("{s:o,s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:i}", "at",
                                    t_json(d->at_ms, c->tz), "at_ms", (json_int_t)d->at_ms,
                                    "from", level_name(d->from), "to", level_name(d->to),
                                    "source", d->source, "reason", d->reason, "issued",
                                    d->issued, "superseded", d->superseded, "lifted",
                                    d->lifted));
}

static void
on_warning(void *arg, const struct report_warning_row *w)
{
    struct fig_ctx *c = arg;
    json_array_append_new(
        c->warnings,
        json_pack("{s:o,s:I,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:o,s:o}", "at",
                  t_json(w->received_ms, c->tz), "at_ms", (json_int_t)w->received_ms,
                  "identifier", w->identifier, "msg_type", w->msg_type, "status", w->status,
                  "level", level_name(w->level), "applied", w->applied, "reason", w->reason,
                  "headline", w->headline, "pollutant", w->pollutant, "onset",
                  t_json(w->start_ms, c->tz), "expires", t_json(w->expires_ms, c->tz)));
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Number of values in sorted v[0..n) that are <= at, starting the search
 * at *pos (the instants asked for only grow). */
static size_t
count_upto(const int64_t *v, size_t n, size_t *pos, int64_t at)
{
    while (*pos < n && v[*pos] <= at)
        (*pos)++;
    return *pos;
}

/* Cumulative issued and acknowledged versions, and the orders overdue at
 * that moment, at every instant one of them changes. An order is overdue
 * over [deadline, end) where end is its acknowledgement or its end,
 * whichever came first; so the count at an instant is the deadlines passed
 * minus the ends passed, over the orders whose end is after the deadline
 * (one sweep over sorted instants instead of a pass over every order at
 * every instant). */
static json_t *
orders_over_time(const struct order_set *os, int64_t now_ms, int tz)
{
    int64_t *t = xcalloc(os->n * 4 + 1, sizeof(*t));
    int64_t *issued = xcalloc(os->n + 1, sizeof(*issued));
    int64_t *acked = xcalloc(os->n + 1, sizeof(*acked));
    int64_t *due = xcalloc(os->n + 1, sizeof(*due));
    int64_t *ends = xcalloc(os->n + 1, sizeof(*ends));
    size_t nt = 0, na = 0, nd = 0, ne = 0;
    size_t pi = 0, pa = 0, pd = 0, pe = 0;
    json_t *arr = json_array();

    for (size_t i = 0; i < os->n; i++) {
        const struct order_copy *o = &os->o[i];
        int64_t end = INT64_MAX;
        t[nt++] = o->issued;
        if (o->acked)
            t[nt++] = o->acked;
        if (o->deadline <= now_ms)
            t[nt++] = o->deadline;
        if (o->ended)
            t[nt++] = o->ended;
        issued[i] = o->issued;
        if (o->acked) {
            acked[na++] = o->acked;
            end = o->acked;
        }
        if (o->ended && o->ended < end)
            end = o->ended;
        if (o->deadline < end) {
            due[nd++] = o->deadline;
            if (end != INT64_MAX)
                ends[ne++] = end;
        }
    }
    qsort(t, nt, sizeof(*t), cmp_i64);
    qsort(issued, os->n, sizeof(*issued), cmp_i64);
    qsort(acked, na, sizeof(*acked), cmp_i64);
    qsort(due, nd, sizeof(*due), cmp_i64);
    qsort(ends, ne, sizeof(*ends), cmp_i64);
    for (size_t k = 0; k < nt; k++) {
        int64_t at = t[k];
        if (k + 1 < nt && t[k + 1] == at)
            continue;
        size_t n_issued = count_upto(issued, os->n, &pi, at);
        size_t n_acked = count_upto(acked, na, &pa, at);
        size_t n_overdue = count_upto(due, nd, &pd, at) - count_upto(ends, ne, &pe, at);
        json_array_append_new(arr, json_pack("{s:o,s:I,s:I,s:I,s:I}", "at", t_json(at, tz),
                                             "at_ms", (json_int_t)at, "issued",
                                             (json_int_t)n_issued, "acknowledged",
                                             (json_int_t)n_acked, "overdue",
                                             (json_int_t)n_overdue));
    }
    free(t);
    free(issued);
    free(acked);
    free(due);
    free(ends);
    return arr;
}

int
report_bin_minutes(double max_minutes)
{
    static const int widths[] = { 1, 2, 5, 10, 15, 30, 60, 120, 240 };
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
        if (max_minutes < (double)widths[i] * 12)
            return widths[i];
    return 480;
}

static json_t *
ack_minutes(const struct order_set *os)
{
    double *m = xcalloc(os->n + 1, sizeof(*m));
    size_t n = 0, on_time = 0, never = 0;
    json_t *bins = json_array(), *out;
    int width;

    for (size_t i = 0; i < os->n; i++) {
        const struct order_copy *o = &os->o[i];
        if (o->acked) {
            m[n++] = (double)(o->acked - o->issued) / 60000.0;
            on_time += o->acked <= o->deadline;
        } else if (!o->ended || o->ended > o->deadline) {
            never += strcmp(o->status, "issued") == 0 || o->overdue;
        }
    }
    qsort(m, n, sizeof(*m), cmp_double);
    width = report_bin_minutes(n ? m[n - 1] : 0);
    if (n) {
        int nbins = (int)(m[n - 1] / width) + 1;
        for (int b = 0; b < nbins; b++) {
            json_int_t count = 0;
            for (size_t i = 0; i < n; i++)
                count += m[i] >= (double)(b * width) && m[i] < (double)((b + 1) * width);
            json_array_append_new(bins, json_pack("{s:i,s:i,s:I}", "from", b * width, "to",
                                                  (b + 1) * width, "count", count));
        }
    }
    out = json_pack("{s:i,s:o,s:I,s:I,s:I,s:I}", "bin_minutes", width, "bins", bins, "count",
                    (json_int_t)n, "on_time", (json_int_t)on_time, "late",
                    (json_int_t)(n - on_time), "never", (json_int_t)never);
    json_object_set_new(out, "median", n ? json_real(m[n / 2]) : json_null());
    json_object_set_new(out, "p90", n ? json_real(m[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1])
                                      : json_null());
    json_object_set_new(out, "max", n ? json_real(m[n - 1]) : json_null());
    free(m);
    return out;
}

/* What the report needs per enterprise, computed in one pass over the
 * orders grouped by enterprise (orders are by id, and a later version
 * always has a larger id). */
struct ent_facts {
    bool *last;         /* [i]: the last version of its enterprise's order */
    bool *last_at_peak; /* [i]: the last of its enterprise's orders at the peak level */
    /* for a last version i: over every version of that enterprise */
    int64_t *first_issued, *first_ack;
    bool *ever_overdue;
};

struct ent_key {
    const char *enterprise;
    size_t i;
};

static int
cmp_ent_key(const void *a, const void *b)
{
    const struct ent_key *x = a, *y = b;
    int c = strcmp(x->enterprise, y->enterprise);
    if (c)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void
ent_facts_make(const struct order_set *os, enum level peak, struct ent_facts *f)
{
    struct ent_key *k = xcalloc(os->n + 1, sizeof(*k));

    f->last = xcalloc(os->n + 1, sizeof(*f->last));
    f->last_at_peak = xcalloc(os->n + 1, sizeof(*f->last_at_peak));
    f->first_issued = xcalloc(os->n + 1, sizeof(*f->first_issued));
    f->first_ack = xcalloc(os->n + 1, sizeof(*f->first_ack));
    f->ever_overdue = xcalloc(os->n + 1, sizeof(*f->ever_overdue));
    for (size_t i = 0; i < os->n; i++)
        k[i] = (struct ent_key){ os->o[i].enterprise, i };
    qsort(k, os->n, sizeof(*k), cmp_ent_key);
    for (size_t g = 0, end; g < os->n; g = end) {
        int64_t first_issued = 0, first_ack = 0;
        bool overdue = false;
        size_t at_peak = os->n;
        for (end = g; end < os->n && strcmp(k[end].enterprise, k[g].enterprise) == 0; end++) {
            const struct order_copy *o = &os->o[k[end].i];
            /* the first acknowledgement of any version tells how fast they answered */
            if (!first_issued)
                first_issued = o->issued;
            if (o->acked && !first_ack)
                first_ack = o->acked;
            overdue |= o->overdue != 0;
            if (o->level == peak)
                at_peak = k[end].i;
        }
        size_t last = k[end - 1].i;
        f->last[last] = true;
        f->first_issued[last] = first_issued;
        f->first_ack[last] = first_ack;
        f->ever_overdue[last] = overdue;
        if (at_peak < os->n)
            f->last_at_peak[at_peak] = true;
    }
    free(k);
}

static void
ent_facts_release(struct ent_facts *f)
{
    free(f->last);
    free(f->last_at_peak);
    free(f->first_issued);
    free(f->first_ack);
    free(f->ever_overdue);
}

static void
count_group(json_t *groups, const char *key, const char *compliance)
{
    json_t *g = json_object_get(groups, key);
    if (!g) {
        g = json_pack("{s:i,s:i,s:i,s:i}", "orders", 0, "compliant", 0, "violation", 0,
                      "unknown", 0);
        json_object_set_new(groups, key, g);
    }
    json_object_set_new(g, "orders", json_integer(json_integer_value(json_object_get(g, "orders")) + 1));
    const char *slot = strcmp(compliance, "compliant") == 0   ? "compliant"
                       : strcmp(compliance, "violation") == 0 ? "violation"
                                                              : "unknown";
    json_object_set_new(g, slot, json_integer(json_integer_value(json_object_get(g, slot)) + 1));
}

static json_t *
groups_array(json_t *groups)
{
    json_t *arr = json_array(), *v;
    const char *k;
    json_object_foreach(groups, k, v) {
        json_t *row = json_deep_copy(v);
        json_object_set_new(row, "key", json_string(k));
        json_array_append_new(arr, row);
    }
    json_decref(groups);
    return arr;
}

static json_t *
reductions(const struct order_set *os, const struct ent_facts *f, enum level peak,
           json_t *list_report)
{
    json_t *lv = json_object_get(json_object_get(list_report, "levels"), level_name(peak));
    json_t *arr = json_array();
    double promised[4] = { 0 };
    bool judged = false;

    /* per enterprise, the last order at the peak level */
    for (size_t i = 0; i < os->n; i++) {
        const struct order_copy *o = &os->o[i];
        if (!f->last_at_peak[i])
            continue;
        judged |= strcmp(o->compliance, "unknown") != 0;
        for (int p = 0; p < 4; p++)
            promised[p] += o->promised[p];
    }
    for (int p = 0; p < 4; p++) {
        json_t *po = json_object_get(json_object_get(lv, "pollutants"), pollutants[p]);
        double base = json_number_value(json_object_get(po, "baseline_kg_day"));
        /* each pollutant's own share; a report stored before pollutants
         * carried their own has one per level */
        json_t *preq = json_object_get(po, "required_pct");
        double req = json_number_value(preq ? preq : json_object_get(lv, "required_pct"));
        json_t *row = json_pack("{s:s,s:f,s:f,s:f,s:f}", "pollutant", pollutants[p],
                                "baseline_kg_day", base, "required_pct", req, "required_kg_day",
                                base * req / 100.0, "promised_kg_day", promised[p]);
        /* achieved comes from measured loads: ops_report_figures fills it from
         * the compliance figures, the same numbers GET /v1/episodes shows */
        json_object_set_new(row, "achieved_kg_day", json_null());
        json_array_append_new(arr, row);
    }
    return json_pack("{s:s,s:o,s:b}", "level", level_name(peak), "pollutants", arr, "judged",
                     judged);
}

static json_t *
enterprises(const struct order_set *os, const struct ent_facts *f, int tz)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < os->n; i++) {
        const struct order_copy *o = &os->o[i];
        json_t *row;
        if (!f->last[i])
            continue;
        row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:o,s:b,s:s,s:s}", "uscc",
                        o->enterprise, "name", o->name, "town", o->town, "industry", o->industry,
                        "level", level_name(o->level), "version", o->version, "status",
                        o->status, "first_issued_at", t_json(f->first_issued[i], tz),
                        "acknowledged_at", t_json(o->acked, tz), "ever_overdue",
                        f->ever_overdue[i], "channel", o->channel, "compliance", o->compliance);
        json_array_append_new(arr, row);
    }
    return arr;
}

void
report_set_aqi(json_t *figures, const int64_t *t_ms, const double *aqi, size_t n)
{
    json_t *series = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(series, json_pack("{s:I,s:f}", "at_ms", (json_int_t)t_ms[i], "aqi",
                                                aqi[i]));
    json_object_set_new(figures, "aqi",
                        json_pack("{s:b,s:o}", "available", n > 0, "county", series));
}

enum sm_err
report_figures(struct store *s, int64_t episode_id, int64_t now_ms, const struct report_meta *meta,
               json_t **out)
{
    struct order_set os = { 0 };
    struct fig_ctx c = { json_array(), json_array(), meta->tz_min };
    json_t *ep = NULL, *list_report = NULL, *fig, *orders;
    enum level peak = LEVEL_NONE;
    enum sm_err err;

    *out = NULL;
    err = store_episode_json(s, episode_id, now_ms, meta->tz_min, &ep);
    if (!err)
        err = store_decisions_since(s, 0, episode_id, on_decision, &c);
    if (!err)
        err = store_report_warnings(s, episode_id, on_warning, &c);
    if (!err)
        err = store_report_orders(s, episode_id, collect_order, &os);
    if (!err)
        err = store_report_list(s, episode_id, &list_report);
    if (err) {
        json_decref(ep);
        json_decref(c.levels);
        json_decref(c.warnings);
        order_set_release(&os);
        return err;
    }
    if (!level_parse(json_string_value(json_object_get(ep, "max_level")), &peak))
        peak = LEVEL_NONE;
    fig = json_object();
    char title[96];
    snprintf(title, sizeof(title), "Episode %lld", (long long)episode_id);
    json_object_set_new(fig, "title", json_string(meta->title ? meta->title : title));
    json_object_set_new(fig, "description", json_string(meta->description ? meta->description : ""));
    json_object_set_new(fig, "generated_at", t_json(now_ms, meta->tz_min));
    json_object_set_new(fig, "generated_at_ms", json_integer(now_ms));
    json_object_set_new(fig, "tz_min", json_integer(meta->tz_min));
    json_object_set_new(fig, "county", json_pack("{s:s,s:s}", "code", meta->county_code, "name",
                                                 meta->county_name));
    /* the episode's own fields, with its span in ms for the charts */
    json_t *levels_arr = c.levels;
    int64_t opened = json_array_size(levels_arr)
                         ? json_integer_value(json_object_get(json_array_get(levels_arr, 0), "at_ms"))
                         : now_ms;
    int64_t closed = 0;
    json_t *last = json_array_get(levels_arr, json_array_size(levels_arr) - 1);
    if (json_is_string(json_object_get(ep, "closed_at")) && last)
        closed = json_integer_value(json_object_get(last, "at_ms"));
    json_object_set_new(ep, "opened_ms", json_integer(opened));
    json_object_set_new(ep, "closed_ms", closed ? json_integer(closed) : json_null());
    json_object_set(fig, "episode", ep);
    json_object_set_new(fig, "levels", c.levels);
    json_object_set_new(fig, "warnings", c.warnings);
    report_set_aqi(fig, NULL, NULL, 0);
    orders = json_deep_copy(json_object_get(ep, "orders"));
    if (!orders)
        orders = json_object();
    int64_t by_phone = 0, lifted = 0, superseded = 0;
    for (size_t i = 0; i < os.n; i++) {
        by_phone += strcmp(os.o[i].channel, "officer_phone") == 0;
        lifted += strcmp(os.o[i].status, "lifted") == 0;
        superseded += strcmp(os.o[i].status, "superseded") == 0;
    }
    json_object_set_new(orders, "acknowledged_by_phone", json_integer(by_phone));
    json_object_set_new(orders, "lifted", json_integer(lifted));
    json_object_set_new(orders, "superseded", json_integer(superseded));
    json_object_set_new(fig, "orders", orders);
    json_object_set_new(fig, "orders_over_time", orders_over_time(&os, now_ms, meta->tz_min));
    json_object_set_new(fig, "ack_minutes", ack_minutes(&os));
    struct ent_facts ef;
    ent_facts_make(&os, peak, &ef);
    json_t *towns = json_object(), *industries = json_object();
    for (size_t i = 0; i < os.n; i++)
        if (ef.last[i]) {
            count_group(towns, os.o[i].town, os.o[i].compliance);
            count_group(industries, os.o[i].industry, os.o[i].compliance);
        }
    json_object_set_new(fig, "compliance",
                        json_pack("{s:o,s:o,s:o}", "by_town", groups_array(towns), "by_industry",
                                  groups_array(industries), "totals",
                                  json_deep_copy(json_object_get(ep, "compliance"))));
    json_object_set_new(fig, "reductions", peak != LEVEL_NONE && json_is_object(list_report)
                                               ? reductions(&os, &ef, peak, list_report)
                                               : json_null());
    json_object_set_new(fig, "enterprises", enterprises(&os, &ef, meta->tz_min));
    ent_facts_release(&ef);
    json_decref(ep);
    json_decref(list_report);
    order_set_release(&os);
    *out = fig;
    return SM_OK;
}
