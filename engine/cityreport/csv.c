/* A report as CSV: one figure per row (section,name,field,value), so a
 * spreadsheet or a script at the city reads every number the same way. */
#include <stdio.h>
#include <string.h>

#include "cityreport/cityreport.h"

struct csv {
    struct buf *b;
    bool ok;
};

static void
field(struct csv *c, const char *s, bool last)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n")) {
        c->ok = c->ok && buf_addstr(c->b, "\"");
        for (const char *p = s; *p && c->ok; p++)
            c->ok = *p == '"' ? buf_addstr(c->b, "\"\"") : buf_add(c->b, p, 1);
        c->ok = c->ok && buf_addstr(c->b, "\"");
    } else {
        c->ok = c->ok && buf_addstr(c->b, s);
    }
    c->ok = c->ok && buf_addstr(c->b, last ? "\r\n" : ",");
}

static void
value_text(const json_t *v, char *out, size_t cap)
{
    if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, cap, "%.10g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(out, cap, "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_string(v))
        snprintf(out, cap, "%s", json_string_value(v));
    else
        out[0] = '\0';
}

static void
row(struct csv *c, const char *section, const char *name, const char *fld, const json_t *v)
{
    char text[CITYREPORT_TEXT_MAX + 1];

    value_text(v, text, sizeof(text));
    field(c, section, false);
    field(c, name, false);
    field(c, fld, false);
    field(c, text, true);
}

/* every member of obj but keyname as one row each */
static void
object_rows(struct csv *c, const char *section, const char *name, const json_t *obj,
            const char *keyname)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)obj, k, v) {
        if (keyname && strcmp(k, keyname) == 0)
            continue;
        row(c, section, name, k, v);
    }
}

static void
group_rows(struct csv *c, const char *section, const json_t *arr, const char *keyname)
{
    json_t *g;
    size_t i;

    json_array_foreach(arr, i, g)
        object_rows(c, section, json_string_value(json_object_get(g, keyname)), g, keyname);
}

enum sm_err
cityreport_csv(const json_t *report, struct buf *out)
{
    static const char *const head[] = { "title", "kind", "number", "drill", "cutoff",
                                        "generated_at" };
    struct csv c = { out, true };
    const json_t *ep = json_object_get(report, "episode"), *county;
    const json_t *orders = json_object_get(report, "orders");
    const json_t *comp = json_object_get(report, "compliance");
    const json_t *insp = json_object_get(report, "inspections"), *v;
    size_t i;

    c.ok = buf_addstr(out, "\xEF\xBB\xBF"); /* BOM: spreadsheets then read UTF-8 */
    field(&c, "section", false);
    field(&c, "name", false);
    field(&c, "field", false);
    field(&c, "value", true);
    for (i = 0; i < SM_ARRAY_LEN(head); i++)
        row(&c, "report", head[i], "", json_object_get(report, head[i]));
    county = json_object_get(report, "county");
    row(&c, "report", "county", "code", json_object_get(county, "code"));
    row(&c, "report", "county", "name", json_object_get(county, "name"));
    object_rows(&c, "episode", "", ep, NULL);
    object_rows(&c, "period", "", json_object_get(report, "period"), NULL);
    row(&c, "orders", "versions", "", json_object_get(orders, "versions"));
    row(&c, "orders", "enterprises", "", json_object_get(orders, "enterprises"));
    group_rows(&c, "orders_by_level", json_object_get(orders, "by_level"), "level");
    object_rows(&c, "orders_by_status", "", json_object_get(orders, "by_status"), NULL);
    object_rows(&c, "acknowledgements", "", json_object_get(report, "acknowledgements"), NULL);
    for (i = 0; i < 4; i++) {
        static const char *const keys[] = { "enterprises", "compliant", "violation", "unknown" };
        row(&c, "compliance", "all", keys[i], json_object_get(comp, keys[i]));
    }
    group_rows(&c, "compliance_by_town", json_object_get(comp, "by_town"), "town");
    group_rows(&c, "compliance_by_industry", json_object_get(comp, "by_industry"), "industry");
    object_rows(&c, "inspections", "period", json_object_get(insp, "period"), NULL);
    object_rows(&c, "inspections", "episode", json_object_get(insp, "episode"), NULL);
    row(&c, "reductions", "level", "", json_object_get(json_object_get(report, "reductions"), "level"));
    group_rows(&c, "reductions", json_object_get(json_object_get(report, "reductions"), "pollutants"),
               "pollutant");
    json_array_foreach(json_object_get(report, "violations"), i, v) {
        char name[256];
        snprintf(name, sizeof(name), "%lld/%s",
                 (long long)json_integer_value(json_object_get(v, "order_id")),
                 json_string_value(json_object_get(v, "line")));
        object_rows(&c, "violation", name, v, NULL);
    }
    json_array_foreach(json_object_get(report, "timeline"), i, v)
        object_rows(&c, "timeline", json_string_value(json_object_get(v, "at")), v, "at");
    row(&c, "report", "remarks", "", json_object_get(report, "remarks"));
    if (json_object_get(report, "lessons"))
        row(&c, "report", "lessons", "", json_object_get(report, "lessons"));
    return c.ok ? SM_OK : SM_ERR_LIMIT;
}
