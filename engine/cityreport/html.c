/* A report as one printable HTML page (inline CSS, no scripts, no external
 * resources), for officers to read, print and sign. */
#include <stdio.h>
#include <string.h>

#include "cityreport/cityreport_int.h"

static const char style[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",SimSun,sans-serif;margin:2em;"
    "color:#111}h1{font-size:1.5em;text-align:center;margin-bottom:.2em}"
    ".sub{text-align:center;color:#444;margin-bottom:1.5em}h2{font-size:1.1em;margin:1.2em 0 .4em;"
    "border-left:4px solid #b22;padding-left:.4em}table{border-collapse:collapse;width:100%;"
    "margin-bottom:.8em}th,td{border:1px solid #999;padding:.25em .5em;font-size:.9em;"
    "vertical-align:top}th{background:#eee}td.n{text-align:right}"
    ".drill{color:#b22;font-weight:bold;text-align:center}"
    "@media print{body{margin:1cm}h2{page-break-after:avoid}tr{page-break-inside:avoid}}";

static bool
esc(struct buf *b, const char *s)
{
    bool ok = true;

    for (const char *p = s ? s : ""; *p && ok; p++) {
        switch (*p) {
        case '&': ok = buf_addstr(b, "&amp;"); break;
        case '<': ok = buf_addstr(b, "&lt;"); break;
        case '>': ok = buf_addstr(b, "&gt;"); break;
        case '"': ok = buf_addstr(b, "&quot;"); break;
        case '\n': ok = buf_addstr(b, "<br>"); break;
        default: ok = buf_add(b, p, 1);
        }
    }
    return ok;
}

static bool
cell(struct buf *b, const json_t *v)
{
    char n[64];

    if (json_is_integer(v)) {
        snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
        return buf_printf(b, "<td class=n>%s</td>", n);
    }
    if (json_is_real(v))
        return buf_printf(b, "<td class=n>%.1f</td>", json_real_value(v));
    return buf_addstr(b, "<td>") && esc(b, json_string_value(v)) && buf_addstr(b, "</td>");
}

static bool
table_html(struct buf *b, const json_t *t)
{
    const json_t *h, *row, *v;
    size_t i, k;
    bool ok = buf_addstr(b, "<h2>") && esc(b, json_string_value(json_object_get(t, "caption"))) &&
              buf_addstr(b, "</h2>\n<table><tr>");

    json_array_foreach(json_object_get(t, "header"), i, h)
        ok = ok && buf_addstr(b, "<th>") && esc(b, json_string_value(h)) && buf_addstr(b, "</th>");
    ok = ok && buf_addstr(b, "</tr>\n");
    json_array_foreach(json_object_get(t, "rows"), i, row) {
        ok = ok && buf_addstr(b, "<tr>");
        json_array_foreach(row, k, v) ok = ok && cell(b, v);
        ok = ok && buf_addstr(b, "</tr>\n");
    }
    if (json_array_size(json_object_get(t, "rows")) == 0)
        ok = ok && buf_printf(b, "<tr><td colspan=%zu>无</td></tr>\n",
                              json_array_size(json_object_get(t, "header")));
    return ok && buf_addstr(b, "</table>\n");
}

enum sm_err
cityreport_html(const json_t *report, struct buf *out)
{
    json_t *lay = cityreport_layout(report), *t;
    const json_t *county = json_object_get(report, "county");
    const char *title = json_string_value(json_object_get(report, "title"));
    size_t i;
    bool ok;

    ok = buf_addstr(out, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                         "<title>") &&
         esc(out, title) && buf_printf(out, "</title><style>%s</style></head><body>\n", style) &&
         buf_addstr(out, "<h1>") && esc(out, json_string_value(json_object_get(county, "name"))) &&
         esc(out, title) && buf_addstr(out, "</h1>\n<div class=sub>第 ") &&
         buf_printf(out, "%lld", (long long)json_integer_value(json_object_get(report, "number"))) &&
         buf_addstr(out, " 期　截止时间 ") &&
         esc(out, json_string_value(json_object_get(report, "cutoff"))) &&
         buf_addstr(out, "</div>\n");
    if (ok && json_is_true(json_object_get(report, "drill")))
        ok = buf_addstr(out, "<div class=drill>演练 — 不计入实际应急统计</div>\n");
    json_array_foreach(json_object_get(lay, "main"), i, t) ok = ok && table_html(out, t);
    ok = ok && table_html(out, json_object_get(lay, "violations"));
    ok = ok && table_html(out, json_object_get(lay, "timeline"));
    ok = ok && buf_addstr(out, "</body></html>\n");
    json_decref(lay);
    return ok ? SM_OK : SM_ERR_LIMIT;
}
