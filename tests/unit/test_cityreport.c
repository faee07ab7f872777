/* The report to the city: cut-off times, figures from hand-made input,
 * officers' remarks, and the CSV, HTML and .xlsx renderings (the workbook
 * is unzipped and its sheets parsed back). */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "base/xalloc.h"
#include "check.h"
#include "cityreport/cityreport.h"

#define H  3600000LL
#define C  1764576000000LL /* 2025-12-01T16:00:00+08:00, the cut-off */
#define OP (C - 10 * H)    /* the episode opened at 06:00 */

/* ---- cut-off ---- */

static void
cutoff_local_hour(void)
{
    /* 2025-12-01T08:00+08:00 -> 16:00 the same day */
    CHECK_INT(cityreport_next_cutoff(1764547200000LL, 16, 480), 1764576000000LL);
    /* exactly at a cut-off: the next is tomorrow's */
    CHECK_INT(cityreport_next_cutoff(1764576000000LL, 16, 480), 1764662400000LL);
    /* a millisecond before: this one */
    CHECK_INT(cityreport_next_cutoff(1764575999999LL, 16, 480), 1764576000000LL);
}

static void
cutoff_across_midnight(void)
{
    /* 23:30 local, hour 16: tomorrow 16:00 */
    CHECK_INT(cityreport_next_cutoff(1764603000000LL, 16, 480), 1764662400000LL);
    /* 23:30 local, hour 0: the coming midnight, 2025-12-02T00:00+08:00 */
    CHECK_INT(cityreport_next_cutoff(1764603000000LL, 0, 480), 1764604800000LL);
}

static void
cutoff_zone_matters(void)
{
    /* 2025-11-30T23:00Z is already 07:00 on 12-01 in +08:00: the 06:00
     * cut-off of 12-01 has passed there, not yet in UTC */
    CHECK_INT(cityreport_next_cutoff(1764543600000LL, 6, 480), 1764626400000LL);
    CHECK_INT(cityreport_next_cutoff(1764543600000LL, 6, 0), 1764568800000LL);
    /* UTC, hour 16 from midnight */
    CHECK_INT(cityreport_next_cutoff(1764547200000LL, 16, 0), 1764604800000LL);
}

/* ---- figures ---- */

static json_t *
order(int id, const char *ent, const char *town, const char *ind, const char *level, int version,
      const char *status, int64_t issued, int64_t deadline, int64_t acked, int64_t ended,
      const char *compliance)
{
    json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:I,s:I,s:s}", "id", id, "enterprise",
                          ent, "enterprise_name", ent, "town", town, "industry", ind, "level",
                          level, "version", version, "status", status, "issued_ms",
                          (json_int_t)issued, "ack_deadline_ms", (json_int_t)deadline,
                          "compliance", compliance);

    json_object_set_new(o, "acknowledged_ms", acked ? json_integer(acked) : json_null());
    json_object_set_new(o, "ended_ms", ended ? json_integer(ended) : json_null());
    return o;
}

static json_t *
sample_input(void)
{
    json_t *orders = json_array();

    /* A: orange acknowledged on time, superseded by red, that acknowledged late */
    json_array_append_new(orders, order(1, "A", "140826100", "铁合金", "orange", 1, "superseded",
                                        OP, OP + H, OP + H / 2, OP + 2 * H, "compliant"));
    json_array_append_new(orders, order(2, "A", "140826100", "铁合金", "red", 2, "acknowledged",
                                        OP + 2 * H, OP + 3 * H, OP + 4 * H, 0, "violation"));
    /* B: never acknowledged, deadline long past */
    json_array_append_new(orders, order(3, "B", "140826101", "水泥", "orange", 1, "issued", OP,
                                        OP + H, 0, 0, "unknown"));
    /* C: acknowledged 10 minutes after the cut-off: still pending at it */
    json_array_append_new(orders, order(4, "C", "140826100", "铁合金", "orange", 1,
                                        "acknowledged", C - H / 2, C + H / 2, C + H / 6, 0,
                                        "compliant"));
    /* D: issued after the cut-off: not in the report */
    json_array_append_new(orders, order(5, "D", "140826100", "铁合金", "orange", 1, "issued",
                                        C + H, C + 2 * H, 0, 0, "unknown"));
    /* E: lifted before its deadline, never acknowledged */
    json_array_append_new(orders, order(6, "E", "140826101", "水泥", "orange", 1, "lifted", OP,
                                        OP + H, 0, OP + H / 2, "compliant"));
    return json_pack(
        "{s:s,s:i,s:i,s:I,s:I,s:I,s:{s:s,s:s},s:{s:i,s:b,s:I,s:n,s:s},"
        "s:[{s:I,s:s,s:s,s:s,s:s},{s:I,s:s,s:s,s:s,s:s}],s:o,"
        "s:[{s:s,s:s,s:s,s:I},{s:s,s:s,s:s,s:I},{s:s,s:s,s:s,s:I},{s:s,s:s,s:s,s:I}],"
        "s:[{s:i,s:s,s:s,s:s,s:s,s:I,s:{s:s,s:i,s:f,s:{s:s,s:s}}}],"
        "s:{s:s,s:i,s:i,s:{s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:b}}}",
        "kind", "daily", "number", 3, "tz_min", 480, "cutoff_ms", (json_int_t)C, "from_ms",
        (json_int_t)(C - 2 * H), "generated_ms", (json_int_t)(C - H / 2), "county", "code",
        "140826", "name", "绛县", "episode", "id", 7, "drill", 0, "opened_ms", (json_int_t)OP,
        "closed_ms", "max_level", "red", "timeline", "at_ms", (json_int_t)OP, "from", "none",
        "to", "orange", "source", "municipal", "reason", "C-1", "at_ms", (json_int_t)(C + H),
        "from", "red", "to", "none", "source", "municipal", "reason", "after", "orders", orders,
        "inspections", "uscc", "A", "line", "1#矿热炉", "result", "violation", "at_ms",
        (json_int_t)(OP + H), "uscc", "C", "line", "x", "result", "compliant", "at_ms",
        (json_int_t)(C - H), "uscc", "C", "line", "x", "result", "compliant", "at_ms",
        (json_int_t)(C + H), "uscc", "B", "line", "y", "result", "violation", "at_ms",
        (json_int_t)(OP - H), "violations", "order_id", 2, "enterprise", "A", "enterprise_name",
        "绛县甲铁合金有限公司", "town", "140826100", "line", "1#矿热炉", "judged_ms",
        (json_int_t)(C - H), "evidence", "reason", "load above threshold", "violating_hours", 2,
        "threshold_kw", 300.0, "inspection", "at", "2025-12-01T07:00:00+08:00", "result",
        "violation", "reductions", "level", "red", "lines", 3, "measured", 1, "so2", "baseline",
        30.0, "promised", 20.0, "achieved", 10.0, "promised_pct", 66.7, "achieved_pct", 33.3,
        "required_pct", 50.0, "promised_meets_required", 1, "achieved_meets_required", 0);
}

static long long
geti(const json_t *o, const char *path)
{
    char key[64];
    const char *dot;

    while ((dot = strchr(path, '.'))) {
        snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return (long long)json_integer_value(json_object_get(o, path));
}

static json_t *
built(void)
{
    json_t *in = sample_input(), *rep = NULL;
    struct sm_diag d = { 0 };

    CHECK(in != NULL);
    CHECK_INT(cityreport_build(in, &rep, &d), SM_OK);
    json_decref(in);
    return rep;
}

static void
figures_orders_and_acks(void)
{
    json_t *r = built(), *lv;

    CHECK_STR(json_string_value(json_object_get(r, "title")), CITYREPORT_TITLE_DAILY);
    CHECK_STR(json_string_value(json_object_get(r, "cutoff")), "2025-12-01T16:00:00+08:00");
    CHECK_STR(json_string_value(json_object_get(r, "as_of")), "2025-12-01T16:00:00+08:00");
    CHECK_INT(geti(r, "orders.versions"), 5);
    CHECK_INT(geti(r, "orders.enterprises"), 4);
    lv = json_array_get(json_object_get(json_object_get(r, "orders"), "by_level"), 1);
    CHECK_STR(json_string_value(json_object_get(lv, "level")), "orange");
    CHECK_INT(geti(lv, "issued"), 2);
    CHECK_INT(geti(lv, "acknowledged"), 0);
    CHECK_INT(geti(lv, "superseded"), 1);
    CHECK_INT(geti(lv, "lifted"), 1);
    CHECK_INT(geti(lv, "total"), 4);
    lv = json_array_get(json_object_get(json_object_get(r, "orders"), "by_level"), 2);
    CHECK_INT(geti(lv, "acknowledged"), 1);
    CHECK_INT(geti(lv, "total"), 1);
    CHECK_INT(geti(r, "orders.by_status.issued"), 2);
    CHECK_INT(geti(r, "acknowledgements.on_time"), 1);
    CHECK_INT(geti(r, "acknowledgements.late"), 1);
    CHECK_INT(geti(r, "acknowledgements.missing"), 1);
    CHECK_INT(geti(r, "acknowledgements.pending"), 1);
    CHECK_INT(geti(r, "acknowledgements.withdrawn"), 1);
    json_decref(r);
}

static void
figures_compliance_inspections_reductions(void)
{
    json_t *r = built(), *g, *v, *p;

    /* each enterprise by its latest order: A violation (v2), B unknown, C and E compliant */
    CHECK_INT(geti(r, "compliance.enterprises"), 4);
    CHECK_INT(geti(r, "compliance.compliant"), 2);
    CHECK_INT(geti(r, "compliance.violation"), 1);
    CHECK_INT(geti(r, "compliance.unknown"), 1);
    g = json_array_get(json_object_get(json_object_get(r, "compliance"), "by_town"), 0);
    CHECK_STR(json_string_value(json_object_get(g, "town")), "140826100");
    CHECK_INT(geti(g, "enterprises"), 2);
    CHECK_INT(geti(g, "violation"), 1);
    CHECK_INT(geti(g, "compliant"), 1);
    g = json_array_get(json_object_get(json_object_get(r, "compliance"), "by_industry"), 1);
    CHECK_STR(json_string_value(json_object_get(g, "industry")), "铁合金");
    g = json_array_get(json_object_get(json_object_get(r, "compliance"), "by_industry"), 0);
    CHECK_STR(json_string_value(json_object_get(g, "industry")), "水泥");
    CHECK_INT(geti(g, "unknown"), 1);
    CHECK_INT(geti(g, "compliant"), 1);
    /* period (14:00, 16:00]: one; episode: two (before the opening and after the cut-off not) */
    CHECK_INT(geti(r, "inspections.period.total"), 1);
    CHECK_INT(geti(r, "inspections.period.compliant"), 1);
    CHECK_INT(geti(r, "inspections.episode.total"), 2);
    CHECK_INT(geti(r, "inspections.episode.violation"), 1);
    v = json_array_get(json_object_get(r, "violations"), 0);
    CHECK_INT(json_array_size(json_object_get(r, "violations")), 1);
    CHECK_INT(geti(v, "order_id"), 2);
    CHECK_STR(json_string_value(json_object_get(v, "line")), "1#矿热炉");
    CHECK_STR(json_string_value(json_object_get(v, "evidence")),
              "load above threshold；超限小时数 2；用电阈值 300.0 kW；现场检查 "
              "2025-12-01T07:00:00+08:00：违规");
    CHECK_STR(json_string_value(json_object_get(v, "action_taken")), "");
    p = json_array_get(json_object_get(json_object_get(r, "reductions"), "pollutants"), 0);
    CHECK_INT(json_array_size(json_object_get(json_object_get(r, "reductions"), "pollutants")), 1);
    CHECK_STR(json_string_value(json_object_get(p, "pollutant")), "so2");
    CHECK_NEAR(json_real_value(json_object_get(p, "achieved_pct")), 33.3, 1e-9);
    CHECK_NEAR(json_real_value(json_object_get(p, "required_pct")), 50.0, 1e-9);
    CHECK(json_is_true(json_object_get(p, "promised_meets_required")));
    CHECK(json_is_false(json_object_get(p, "achieved_meets_required")));
    /* the decision after the cut-off is not in the timeline */
    CHECK_INT(json_array_size(json_object_get(r, "timeline")), 1);
    CHECK(json_object_get(r, "lessons") == NULL);
    json_decref(r);
}

static void
figures_as_of_a_draft(void)
{
    json_t *in = sample_input(), *r = NULL;
    struct sm_diag d = { 0 };

    /* drafted at 15:30: C's order was issued then but its acknowledgement not yet */
    json_object_set_new(in, "as_of_ms", json_integer(C - H / 2));
    CHECK_INT(cityreport_build(in, &r, &d), SM_OK);
    CHECK_INT(geti(r, "orders.versions"), 5);
    CHECK_INT(geti(r, "acknowledgements.pending"), 1);
    CHECK_INT(geti(r, "inspections.period.total"), 1);
    json_decref(r);
    /* at 14:00 C's order did not exist yet */
    json_object_set_new(in, "as_of_ms", json_integer(C - 2 * H));
    CHECK_INT(cityreport_build(in, &r, &d), SM_OK);
    CHECK_INT(geti(r, "orders.versions"), 4);
    CHECK_INT(geti(r, "acknowledgements.pending"), 0);
    CHECK_INT(geti(r, "inspections.period.total"), 0);
    json_decref(r);
    json_decref(in);
}

static void
build_refuses_bad_input(void)
{
    json_t *in = sample_input(), *r = NULL;
    struct sm_diag d = { 0 };

    json_object_del(in, "cutoff_ms");
    CHECK_INT(cityreport_build(in, &r, &d), SM_ERR_INVAL);
    CHECK(r == NULL);
    CHECK_STR(d.code, "missing_field");
    CHECK_STR(d.text, "input.cutoff_ms: is missing");
    json_object_set_new(in, "cutoff_ms", json_integer(C));
    json_object_set_new(json_array_get(json_object_get(in, "orders"), 2), "level",
                        json_string("purple"));
    CHECK_INT(cityreport_build(in, &r, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_value");
    CHECK_STR(d.text, "orders[2].level: 'purple' is not yellow, orange or red");
    json_object_set_new(in, "kind", json_string("weekly"));
    CHECK_INT(cityreport_build(in, &r, &d), SM_ERR_INVAL);
    CHECK_STR(d.text, "input.kind: 'weekly' is not daily or summary");
    json_decref(in);
}

/* ---- remarks ---- */

static void
remarks_strict_and_lenient(void)
{
    json_t *r = built(), *body;
    struct sm_diag d = { 0 };

    body = json_pack("{s:s,s:[{s:i,s:s,s:s}]}", "remarks", "已督促整改", "actions", "order_id", 2,
                     "line", "1#矿热炉", "action", "责令停产并立案调查");
    CHECK_INT(cityreport_apply_remarks(r, body, 1, &d), SM_OK);
    CHECK_STR(json_string_value(json_object_get(r, "remarks")), "已督促整改");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(r, "violations"), 0),
                                                "action_taken")),
              "责令停产并立案调查");
    json_decref(body);

    body = json_pack("{s:s}", "lessons", "x");
    CHECK_INT(cityreport_apply_remarks(r, body, 1, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "lessons_only_in_summary");
    json_decref(body);

    body = json_pack("{s:s}", "remark", "typo");
    CHECK_INT(cityreport_apply_remarks(r, body, 1, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_key");
    json_decref(body);

    body = json_pack("{s:[{s:i,s:s,s:s}]}", "actions", "order_id", 3, "line", "1#矿热炉", "action",
                     "x");
    CHECK_INT(cityreport_apply_remarks(r, body, 1, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "not_a_violation");
    CHECK_STR(d.text, "actions[0]: order 3 line '1#矿热炉' is not among the report's violations");
    /* lenient (a refreshed report): what no longer fits is skipped */
    CHECK_INT(cityreport_apply_remarks(r, body, 0, &d), SM_OK);
    json_decref(body);

    body = json_pack("{s:i}", "remarks", 5);
    CHECK_INT(cityreport_apply_remarks(r, body, 1, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_type");
    json_decref(body);
    json_decref(r);

    /* a summary has lessons */
    json_t *in = sample_input();
    json_object_set_new(in, "kind", json_string("summary"));
    CHECK_INT(cityreport_build(in, &r, &d), SM_OK);
    CHECK_STR(json_string_value(json_object_get(r, "title")), CITYREPORT_TITLE_SUMMARY);
    body = json_pack("{s:s}", "lessons", "提前研判");
    CHECK_INT(cityreport_apply_remarks(r, body, 1, &d), SM_OK);
    CHECK_STR(json_string_value(json_object_get(r, "lessons")), "提前研判");
    json_decref(body);
    json_decref(in);
    json_decref(r);
}

/* ---- renderings ---- */

static void
csv_has_every_figure(void)
{
    json_t *r = built();
    struct buf b;

    json_object_set_new(r, "remarks", json_string("含逗号, 和\"引号\""));
    buf_init(&b, 0);
    CHECK_INT(cityreport_csv(r, &b), SM_OK);
    CHECK(strncmp(b.data, "\xEF\xBB\xBFsection,name,field,value\r\n", 27) == 0);
    CHECK(strstr(b.data, "\r\nacknowledgements,,missing,1\r\n") != NULL);
    CHECK(strstr(b.data, "\r\norders_by_level,red,acknowledged,1\r\n") != NULL);
    CHECK(strstr(b.data, "\r\ncompliance_by_town,140826100,violation,1\r\n") != NULL);
    CHECK(strstr(b.data, "\r\ninspections,episode,total,2\r\n") != NULL);
    CHECK(strstr(b.data, "\r\nreductions,so2,achieved_pct,33.3\r\n") != NULL);
    CHECK(strstr(b.data, "\r\nviolation,2/1#矿热炉,enterprise,A\r\n") != NULL);
    CHECK(strstr(b.data, "\r\nreport,remarks,,\"含逗号, 和\"\"引号\"\"\"\r\n") != NULL);
    buf_release(&b);
    /* the cap is honoured */
    buf_init(&b, 100);
    CHECK_INT(cityreport_csv(r, &b), SM_ERR_LIMIT);
    buf_release(&b);
    json_decref(r);
}

static void
html_is_printable_and_escaped(void)
{
    json_t *r = built();
    struct buf b;

    json_object_set_new(r, "remarks", json_string("<script>x</script>"));
    buf_init(&b, 0);
    CHECK_INT(cityreport_html(r, &b), SM_OK);
    CHECK(strstr(b.data, "<h1>绛县重污染天气应急减排措施落实情况日报</h1>") != NULL);
    CHECK(strstr(b.data, "<tr><td>超期未确认</td><td class=n>1</td></tr>") != NULL);
    CHECK(strstr(b.data, "&lt;script&gt;x&lt;/script&gt;") != NULL);
    CHECK(strstr(b.data, "<script>") == NULL);
    CHECK(strstr(b.data, "@media print") != NULL);
    buf_release(&b);
    json_decref(r);
}

/* The rows of a sheet, each cell's text (inline string or value), joined
 * with '|' per row. */
static char *
sheet_rows(zip_t *za, const char *name)
{
    zip_stat_t st;
    zip_file_t *f;
    char *xml;
    xmlDocPtr doc;
    struct buf out;

    if (zip_stat(za, name, 0, &st) != 0)
        return NULL;
    xml = xmalloc(st.size + 1);
    f = zip_fopen(za, name, 0);
    CHECK(f != NULL);
    CHECK_INT(zip_fread(f, xml, st.size), (long long)st.size);
    zip_fclose(f);
    doc = xmlReadMemory(xml, (int)st.size, name, NULL, XML_PARSE_NONET);
    free(xml);
    CHECK(doc != NULL);
    buf_init(&out, 0);
    for (xmlNodePtr sd = xmlDocGetRootElement(doc)->children; sd; sd = sd->next)
        for (xmlNodePtr row = sd->children; row; row = row->next) {
            for (xmlNodePtr c = row->children; c; c = c->next) {
                xmlChar *t = xmlNodeGetContent(c);
                CHECK(buf_addstr(&out, (const char *)t) && buf_addstr(&out, "|"));
                xmlFree(t);
            }
            CHECK(buf_addstr(&out, "\n"));
        }
    xmlFreeDoc(doc);
    return buf_detach(&out);
}

static void
xlsx_reads_back(void)
{
    static const char *const parts[] = { "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                         "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                         "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                                         "xl/worksheets/sheet3.xml" };
    json_t *r = built();
    unsigned char *data = NULL;
    size_t len = 0;
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    char *s1, *s2, *wb;

    json_object_set_new(json_array_get(json_object_get(r, "violations"), 0), "action_taken",
                        json_string("立案 & 处罚"));
    CHECK_INT(cityreport_xlsx(r, &data, &len), SM_OK);
    CHECK(len > 0 && data[0] == 'P' && data[1] == 'K');
    zip_error_init(&ze);
    src = zip_source_buffer_create(data, len, 0, &ze);
    za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    CHECK(za != NULL);
    CHECK_INT(zip_get_num_entries(za, 0), (long long)SM_ARRAY_LEN(parts));
    for (size_t i = 0; i < SM_ARRAY_LEN(parts); i++)
        CHECK(zip_name_locate(za, parts[i], 0) >= 0);
    wb = sheet_rows(za, "xl/workbook.xml");
    CHECK(wb != NULL);
    free(wb);
    s1 = sheet_rows(za, "xl/worksheets/sheet1.xml");
    s2 = sheet_rows(za, "xl/worksheets/sheet2.xml");
    CHECK(s1 && s2);
    /* the same numbers as the JSON */
    CHECK(strncmp(s1, CITYREPORT_TITLE_DAILY "|\n", strlen(CITYREPORT_TITLE_DAILY) + 2) == 0);
    CHECK(strstr(s1, "\n按时确认|1|\n") != NULL);
    CHECK(strstr(s1, "\n超期未确认|1|\n") != NULL);
    CHECK(strstr(s1, "\n橙色|2|0|1|1|4|\n") != NULL);
    CHECK(strstr(s1, "\n合计|2|1|1|1|5|\n") != NULL);
    CHECK(strstr(s1, "\n140826100|2|1|1|0|\n") != NULL);
    CHECK(strstr(s1, "\n应急过程累计|2|1|1|\n") != NULL);
    CHECK(strstr(s1, "\n二氧化硫|30|20|10|66.7|33.3|50|是|否|\n") != NULL);
    CHECK(strstr(s2, "指令编号|企业名称|") == s2);
    CHECK(strstr(s2, "\n2|绛县甲铁合金有限公司|A|140826100|1#矿热炉|") != NULL);
    CHECK(strstr(s2, "|立案 & 处罚|\n") != NULL);
    free(s1);
    free(s2);
    zip_close(za);
    zip_error_fini(&ze);
    free(data);
    json_decref(r);
}

CHECK_MAIN(CHECK_CASE(cutoff_local_hour), CHECK_CASE(cutoff_across_midnight),
           CHECK_CASE(cutoff_zone_matters), CHECK_CASE(figures_orders_and_acks),
           CHECK_CASE(figures_compliance_inspections_reductions),
           CHECK_CASE(figures_as_of_a_draft), CHECK_CASE(build_refuses_bad_input),
           CHECK_CASE(remarks_strict_and_lenient), CHECK_CASE(csv_has_every_figure),
           CHECK_CASE(html_is_printable_and_escaped), CHECK_CASE(xlsx_reads_back))
