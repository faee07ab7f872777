/* The report page: one HTML document with inline CSS and inline SVG; no
 * scripts, fonts or links to anywhere. Rendered from the figures alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/svg.h"

#define MAX_MARKS 32

static const char CSS[] =
    "body{font-family:sans-serif;margin:2em auto;max-width:800px;color:#222;line-height:1.4}"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
    "td.n{text-align:right}.chart{width:100%;height:auto;display:block}"
    ".axis{font-size:11px;fill:#444}.tick{stroke:#888}.frame{fill:none;stroke:#999}"
    ".bar{fill:#4a7bb7}.mark{stroke:#333;stroke-dasharray:3 2}.marklabel{font-size:10px;fill:#333}"
    ".note{color:#555;font-style:italic}.lvl{padding:0 .4em;border-radius:3px}"
    ".yellow{background:#f2c200}.orange{background:#f28500}.red{background:#d7191c;color:#fff}"
    ".drill{background:#333;color:#fff;padding:0 .4em}";

static const char *
s_get(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static double
n_get(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static int64_t
i_get(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static void
level_badge(struct rout *o, const char *level)
{
    rout_printf(o, "<span class=\"lvl %s\">", strcmp(level, "none") ? level : "");
    rout_text(o, level);
    rout_printf(o, "</span>");
}

/* One column of a table row: the member key of the row's object, shown as
 * escaped text or, for a level, as its badge. */
struct column {
    const char *key;
    bool level;
};

/* "<tr>" and a "<td>" per column of row; the caller adds any other cells
 * and closes the row */
static void
row_cells(struct rout *o, const json_t *row, const struct column *cols, size_t n)
{
    rout_printf(o, "<tr>");
    for (size_t k = 0; k < n; k++) {
        rout_printf(o, "<td>");
        if (cols[k].level)
            level_badge(o, s_get(row, cols[k].key));
        else
            rout_text(o, s_get(row, cols[k].key));
        rout_printf(o, "</td>");
    }
}

static void
row_kv(struct rout *o, const char *k, const json_t *v)
{
    rout_printf(o, "<tr><th>");
    rout_text(o, k);
    rout_printf(o, "</th><td class=\"n\">");
    if (json_is_integer(v))
        rout_printf(o, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        rout_printf(o, "%.2f", json_real_value(v));
    else if (json_is_string(v))
        rout_text(o, json_string_value(v));
    else
        rout_printf(o, "&ndash;");
    rout_printf(o, "</td></tr>");
}

static enum level
lvl(const char *s)
{
    enum level l = LEVEL_NONE;
    return level_parse(s, &l) ? l : LEVEL_NONE;
}

static size_t
warning_marks(const json_t *warnings, struct svg_mark *marks)
{
    size_t i, n = 0;
    json_t *w;

    json_array_foreach(warnings, i, w) {
        if (n == MAX_MARKS)
            break;
        marks[n].at_ms = i_get(w, "at_ms");
        marks[n].label = s_get(w, "identifier");
        n++;
    }
    return n;
}

static void
section_levels(struct rout *o, const json_t *fig, const struct svg_time_axis *ax)
{
    static const struct column cols[] = { { "at", false },     { "from", true },
                                          { "to", true },      { "source", false },
                                          { "reason", false } };
    const json_t *levels = json_object_get(fig, "levels");
    size_t n = json_array_size(levels), i;
    struct svg_level_span *spans = calloc(n + 1, sizeof(*spans));
    struct svg_mark marks[MAX_MARKS];
    size_t nm = warning_marks(json_object_get(fig, "warnings"), marks);
    json_t *d;

    if (!spans) {
        o->ok = false;
        return;
    }
    for (i = 0; i < n; i++) {
        d = json_array_get(levels, i);
        spans[i].from_ms = i_get(d, "at_ms");
        spans[i].to_ms = i + 1 < n ? i_get(json_array_get(levels, i + 1), "at_ms") : ax->to_ms;
        spans[i].level = lvl(s_get(d, "to"));
    }
    rout_printf(o, "<h2>Level timeline</h2>");
    svg_level_timeline(o, ax, spans, n, marks, nm);
    free(spans);
    rout_printf(o, "<table><tr><th>time</th><th>from</th><th>to</th><th>source</th><th>reason</th>"
                   "<th>issued</th><th>superseded</th><th>lifted</th></tr>");
    json_array_foreach(levels, i, d) {
        row_cells(o, d, cols, SM_ARRAY_LEN(cols));
        rout_printf(o, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>",
                    (long long)i_get(d, "issued"), (long long)i_get(d, "superseded"),
                    (long long)i_get(d, "lifted"));
    }
    rout_printf(o, "</table>");
}

static void
section_aqi(struct rout *o, const json_t *fig, const struct svg_time_axis *ax)
{
    const json_t *aqi = json_object_get(fig, "aqi");
    const json_t *county = json_object_get(aqi, "county");
    size_t n = json_array_size(county), i;

    rout_printf(o, "<h2>County AQI</h2>");
    if (!json_is_true(json_object_get(aqi, "available")) || n == 0) {
        rout_printf(o, "<p class=\"note\">No station readings were recorded for this episode, so "
                       "there is no AQI chart: the level timeline below is the whole story.</p>");
        return;
    }
    int64_t *t = calloc(n, sizeof(*t));
    double *v = calloc(n, sizeof(*v));
    struct svg_mark marks[MAX_MARKS];
    size_t nm = warning_marks(json_object_get(fig, "warnings"), marks);
    if (!t || !v) {
        free(t);
        free(v);
        o->ok = false;
        return;
    }
    for (i = 0; i < n; i++) {
        t[i] = i_get(json_array_get(county, i), "at_ms");
        v[i] = n_get(json_array_get(county, i), "aqi");
    }
    struct svg_series s = { "county AQI (hourly)", "#333", t, v, n };
    svg_time_lines(o, ax, &s, 1, "AQI", true, marks, nm);
    free(t);
    free(v);
}

static void
section_orders(struct rout *o, const json_t *fig, const struct svg_time_axis *ax)
{
    const json_t *ot = json_object_get(fig, "orders_over_time");
    const json_t *orders = json_object_get(fig, "orders");
    size_t n = json_array_size(ot), i;
    const char *key;
    json_t *v;

    rout_printf(o, "<h2>Orders</h2><table>");
    json_object_foreach((json_t *)orders, key, v)
        row_kv(o, key, v);
    rout_printf(o, "</table>");
    if (n == 0) {
        rout_printf(o, "<p class=\"note\">No orders were issued in this episode.</p>");
        return;
    }
    int64_t *t = calloc(n, sizeof(*t));
    double *vals = calloc(n * 3, sizeof(*vals));
    if (!t || !vals) {
        free(t);
        free(vals);
        o->ok = false;
        return;
    }
    for (i = 0; i < n; i++) {
        const json_t *p = json_array_get(ot, i);
        t[i] = i_get(p, "at_ms");
        vals[i] = (double)i_get(p, "issued");
        vals[n + i] = (double)i_get(p, "acknowledged");
        vals[2 * n + i] = (double)i_get(p, "overdue");
    }
    struct svg_series s[3] = {
        { "issued (versions)", "#4a7bb7", t, vals, n },
        { "acknowledged", "#2e8b57", t, vals + n, n },
        { "overdue now", "#d7191c", t, vals + 2 * n, n },
    };
    rout_printf(o, "<p>Orders issued, acknowledged and overdue over time.</p>");
    svg_time_lines(o, ax, s, 3, "orders", false, NULL, 0);
    free(t);
    free(vals);
}

static void
section_acks(struct rout *o, const json_t *fig)
{
    const json_t *am = json_object_get(fig, "ack_minutes");
    const json_t *bins = json_object_get(am, "bins");
    size_t n = json_array_size(bins), i;

    rout_printf(o, "<h2>Time to acknowledge</h2>");
    rout_printf(o, "<table>");
    row_kv(o, "acknowledged", json_object_get(am, "count"));
    row_kv(o, "on time", json_object_get(am, "on_time"));
    row_kv(o, "late", json_object_get(am, "late"));
    row_kv(o, "never (overdue)", json_object_get(am, "never"));
    row_kv(o, "median, minutes", json_object_get(am, "median"));
    row_kv(o, "90th percentile, minutes", json_object_get(am, "p90"));
    row_kv(o, "slowest, minutes", json_object_get(am, "max"));
    rout_printf(o, "</table>");
    if (n == 0) {
        rout_printf(o, "<p class=\"note\">No order was acknowledged.</p>");
        return;
    }
    char (*labels)[24] = calloc(n, sizeof(*labels));
    const char **lp = calloc(n, sizeof(*lp));
    double *counts = calloc(n, sizeof(*counts));
    if (!labels || !lp || !counts) {
        o->ok = false;
    } else {
        for (i = 0; i < n; i++) {
            const json_t *b = json_array_get(bins, i);
            snprintf(labels[i], sizeof(labels[i]), "%lld-%lld", (long long)i_get(b, "from"),
                     (long long)i_get(b, "to"));
            lp[i] = labels[i];
            counts[i] = (double)i_get(b, "count");
        }
        svg_histogram(o, lp, counts, n, "minutes from issue to acknowledgement", "orders");
    }
    free(labels);
    free(lp);
    free(counts);
}

static void
compliance_group(struct rout *o, const char *title, const json_t *rows)
{
    static const char *const names[3] = { "compliant", "violation", "unknown" };
    static const struct column key = { "key", false };
    static const char *const colors[3] = { "#2e8b57", "#d7191c", "#bbbbbb" };
    size_t n = json_array_size(rows), i;
    struct svg_bar_row *bars = calloc(n + 1, sizeof(*bars));
    json_t *r;

    if (!bars) {
        o->ok = false;
        return;
    }
    rout_printf(o, "<h3>");
    rout_text(o, title);
    rout_printf(o, "</h3><table><tr><th></th><th>orders</th><th>compliant</th><th>violation</th>"
                   "<th>unknown</th></tr>");
    json_array_foreach(rows, i, r) {
        bars[i].label = s_get(r, "key");
        for (int k = 0; k < 3; k++)
            bars[i].part[k] = (double)i_get(r, names[k]);
        row_cells(o, r, &key, 1);
        rout_printf(o, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                       "<td class=\"n\">%lld</td></tr>",
                    (long long)i_get(r, "orders"), (long long)i_get(r, "compliant"),
                    (long long)i_get(r, "violation"), (long long)i_get(r, "unknown"));
    }
    rout_printf(o, "</table>");
    if (n)
        svg_bars(o, bars, n, names, colors, 3, true, NULL);
    free(bars);
}

static void
section_compliance(struct rout *o, const json_t *fig)
{
    const json_t *c = json_object_get(fig, "compliance");
    rout_printf(o, "<h2>Compliance</h2><p>Each enterprise counted once, by its last order.</p>");
    compliance_group(o, "By town", json_object_get(c, "by_town"));
    compliance_group(o, "By industry", json_object_get(c, "by_industry"));
}

static void
section_reductions(struct rout *o, const json_t *fig)
{
    static const char *const names[3] = { "required", "promised", "achieved" };
    static const struct column pollutant = { "pollutant", false };
    static const char *const colors[3] = { "#999999", "#4a7bb7", "#2e8b57" };
    const json_t *red = json_object_get(fig, "reductions");
    const json_t *rows = json_object_get(red, "pollutants");
    struct svg_bar_row bars[4];
    size_t i, n = 0;
    json_t *r;

    rout_printf(o, "<h2>Reductions</h2>");
    if (!json_is_object(red)) {
        rout_printf(o, "<p class=\"note\">No orders, so no reductions to show.</p>");
        return;
    }
    rout_printf(o, "<p>At the episode's highest level, ");
    level_badge(o, s_get(red, "level"));
    rout_printf(o, ", in kg/day: required by the level's share of the list's baseline, promised by "
                   "the measures ordered, achieved as estimated from the measured loads of halted and "
                   "limited lines.</p>");
    if (!json_is_true(json_object_get(red, "judged")))
        rout_printf(o, "<p class=\"note\">No load measurements yet: achieved reductions are not "
                       "measured.</p>");
    rout_printf(o, "<table><tr><th>pollutant</th><th>baseline</th><th>required</th><th>promised</th>"
                   "<th>achieved</th></tr>");
    json_array_foreach(rows, i, r) {
        json_t *ach = json_object_get(r, "achieved_kg_day");
        if (n < 4) {
            bars[n].label = s_get(r, "pollutant");
            bars[n].part[0] = n_get(r, "required_kg_day");
            bars[n].part[1] = n_get(r, "promised_kg_day");
            bars[n].part[2] = json_is_number(ach) ? json_number_value(ach) : 0;
            n++;
        }
        row_cells(o, r, &pollutant, 1);
        rout_printf(o, "<td class=\"n\">%.1f</td><td class=\"n\">%.1f (%.0f%%)</td>"
                       "<td class=\"n\">%.1f</td><td class=\"n\">",
                    n_get(r, "baseline_kg_day"), n_get(r, "required_kg_day"),
                    n_get(r, "required_pct"), n_get(r, "promised_kg_day"));
        if (json_is_number(ach))
            rout_printf(o, "%.1f", json_number_value(ach));
        else
            rout_printf(o, "not measured");
        rout_printf(o, "</td></tr>");
    }
    rout_printf(o, "</table>");
    svg_bars(o, bars, n, names, colors, json_is_true(json_object_get(red, "judged")) ? 3 : 2,
             false, "kg/d");
}

static void
section_warnings(struct rout *o, const json_t *fig)
{
    static const struct column cols[] = { { "at", false },       { "identifier", false },
                                          { "msg_type", false }, { "level", true },
                                          { "reason", false },   { "headline", false } };
    size_t i;
    json_t *w;

    rout_printf(o, "<h2>Municipal warnings</h2><table><tr><th>received</th><th>identifier</th>"
                   "<th>type</th><th>level</th><th>result</th><th>headline</th></tr>");
    json_array_foreach(json_object_get(fig, "warnings"), i, w) {
        row_cells(o, w, cols, SM_ARRAY_LEN(cols));
        rout_printf(o, "</tr>");
    }
    rout_printf(o, "</table>");
}

static void
section_enterprises(struct rout *o, const json_t *fig)
{
    static const struct column cols[] = { { "uscc", false },     { "name", false },
                                          { "town", false },     { "industry", false },
                                          { "level", false },    { "status", false },
                                          { "acknowledged_at", false }, { "channel", false },
                                          { "compliance", false } };
    size_t i;
    json_t *e;

    rout_printf(o, "<h2>Enterprises</h2><table><tr>");
    for (size_t k = 0; k < SM_ARRAY_LEN(cols); k++)
        rout_printf(o, "<th>%s</th>", cols[k].key);
    rout_printf(o, "<th>overdue</th></tr>");
    json_array_foreach(json_object_get(fig, "enterprises"), i, e) {
        row_cells(o, e, cols, SM_ARRAY_LEN(cols));
        rout_printf(o, "<td>%s</td></tr>",
                    json_is_true(json_object_get(e, "ever_overdue")) ? "yes" : "");
    }
    rout_printf(o, "</table>");
}

bool
report_render_html(const json_t *fig, struct buf *out)
{
    struct rout o = { out, true };
    const json_t *ep = json_object_get(fig, "episode");
    const json_t *county = json_object_get(fig, "county");
    struct svg_time_axis ax;

    if (!json_is_object(ep) || !json_is_object(county))
        return false;
    ax.tz_min = (int)i_get(fig, "tz_min");
    ax.from_ms = i_get(ep, "opened_ms");
    ax.to_ms = json_is_integer(json_object_get(ep, "closed_ms")) ? i_get(ep, "closed_ms")
                                                                 : i_get(fig, "generated_at_ms");
    /* the first warning may arrive before the episode opens */
    const json_t *w0 = json_array_get(json_object_get(fig, "warnings"), 0);
    if (w0 && i_get(w0, "at_ms") < ax.from_ms)
        ax.from_ms = i_get(w0, "at_ms");
    if (ax.to_ms <= ax.from_ms)
        ax.to_ms = ax.from_ms + 3600000;

    rout_printf(&o, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    rout_text(&o, s_get(fig, "title"));
    rout_printf(&o, "</title><style>%s</style></head><body>\n<h1>", CSS);
    rout_text(&o, s_get(fig, "title"));
    rout_printf(&o, "</h1><p>");
    rout_text(&o, s_get(county, "name"));
    rout_printf(&o, " (");
    rout_text(&o, s_get(county, "code"));
    rout_printf(&o, ") &middot; episode %lld &middot; opened ", (long long)i_get(ep, "id"));
    rout_text(&o, s_get(ep, "opened_at"));
    rout_printf(&o, " &middot; %s", json_is_string(json_object_get(ep, "closed_at")) ? "closed " : "still open");
    rout_text(&o, s_get(ep, "closed_at"));
    rout_printf(&o, " &middot; highest level ");
    level_badge(&o, s_get(ep, "max_level"));
    if (json_is_true(json_object_get(ep, "drill")))
        rout_printf(&o, " <span class=\"drill\">DRILL</span>");
    rout_printf(&o, "</p>");
    if (s_get(fig, "description")[0]) {
        rout_printf(&o, "<p>");
        rout_text(&o, s_get(fig, "description"));
        rout_printf(&o, "</p>");
    }
    rout_printf(&o, "<p class=\"note\">Generated at ");
    rout_text(&o, s_get(fig, "generated_at"));
    rout_printf(&o, ".</p>\n");
    section_aqi(&o, fig, &ax);
    section_levels(&o, fig, &ax);
    section_orders(&o, fig, &ax);
    section_acks(&o, fig);
    section_compliance(&o, fig);
    section_reductions(&o, fig);
    section_warnings(&o, fig);
    section_enterprises(&o, fig);
    rout_printf(&o, "\n</body></html>\n");
    return o.ok;
}
