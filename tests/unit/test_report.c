/* Report rendering from known figures: SVG geometry, HTML structure and
 * escaping, histogram bins; and the scenario parser's line-precise errors. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report/report.h"
#include "report/svg.h"
#include "scenario/jsonpos.h"
#include "scenario/scenario.h"

static size_t
count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void
histogram_geometry(void)
{
    struct buf b;
    struct rout o = { &b, true };
    const char *labels[] = { "0-10", "10-20", "20-30" };
    const double counts[] = { 5, 10, 0 };

    buf_init(&b, 0);
    svg_histogram(&o, labels, counts, 3, "minutes", "orders");
    CHECK(o.ok);
    /* max 10 -> the scale tops out at 10; plot height 160, bottom at y=170 */
    CHECK(strstr(b.data, "height=\"160.0\" class=\"bar\"") != NULL);
    CHECK(strstr(b.data, "y=\"90.0\" width=\"222.7\" height=\"80.0\" class=\"bar\"") != NULL);
    CHECK(strstr(b.data, "height=\"0.0\" class=\"bar\"") != NULL);
    CHECK_INT((long)count_of(b.data, "class=\"bar\""), 3);
    CHECK(strncmp(b.data, "<svg ", 5) == 0);
    CHECK(strstr(b.data, "</svg>") != NULL);
    buf_release(&b);
}

static void
text_is_escaped(void)
{
    struct buf b;
    struct rout o = { &b, true };

    buf_init(&b, 0);
    rout_text(&o, "<script>alert('x')</script> & \"q\"");
    CHECK(o.ok);
    CHECK_STR(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    buf_release(&b);
}

static void
level_timeline_spans(void)
{
    struct buf b;
    struct rout o = { &b, true };
    struct svg_time_axis ax = { 0, 4 * 3600000LL, 480 };
    struct svg_level_span spans[] = { { 0, 3600000, LEVEL_YELLOW },
                                      { 3600000, 4 * 3600000LL, LEVEL_RED } };

    buf_init(&b, 0);
    svg_level_timeline(&o, &ax, spans, 2, NULL, 0);
    CHECK(o.ok);
    /* plot 680 wide from x=60: a quarter is 170 */
    CHECK(strstr(b.data, "x=\"60.0\" y=\"10.0\" width=\"170.0\" height=\"60.0\" fill=\"#f2c200\"") != NULL);
    CHECK(strstr(b.data, "x=\"230.0\" y=\"10.0\" width=\"510.0\" height=\"60.0\" fill=\"#d7191c\"") != NULL);
    buf_release(&b);
}

static void
bin_widths(void)
{
    CHECK_INT(report_bin_minutes(0), 1);
    CHECK_INT(report_bin_minutes(11.9), 1);
    CHECK_INT(report_bin_minutes(45), 5);
    CHECK_INT(report_bin_minutes(90), 10);
    CHECK_INT(report_bin_minutes(2000), 240);
}

static json_t *
known_figures(bool with_aqi)
{
    json_error_t je;
    json_t *f = json_loads(
        "{\"title\": \"绛县 <test> episode\", \"description\": \"\", \"tz_min\": 480,"
        " \"generated_at\": \"2025-12-02T00:00:00+08:00\", \"generated_at_ms\": 1764604800000,"
        " \"county\": {\"code\": \"140826\", \"name\": \"绛县\"},"
        " \"episode\": {\"id\": 1, \"drill\": false, \"opened_at\": \"2025-12-01T20:00:00+08:00\","
        "   \"closed_at\": \"2025-12-01T23:00:00+08:00\", \"max_level\": \"orange\","
        "   \"opened_ms\": 1764590400000, \"closed_ms\": 1764601200000},"
        " \"levels\": [{\"at\": \"2025-12-01T20:00:00+08:00\", \"at_ms\": 1764590400000, \"from\": \"none\","
        "   \"to\": \"orange\", \"source\": \"municipal\", \"reason\": \"r\", \"issued\": 2, \"superseded\": 0, \"lifted\": 0},"
        "  {\"at\": \"2025-12-01T23:00:00+08:00\", \"at_ms\": 1764601200000, \"from\": \"orange\","
        "   \"to\": \"none\", \"source\": \"municipal\", \"reason\": \"c\", \"issued\": 0, \"superseded\": 0, \"lifted\": 2}],"
        " \"warnings\": [{\"at\": \"x\", \"at_ms\": 1764590400000, \"identifier\": \"W-1\", \"msg_type\": \"alert\","
        "   \"level\": \"orange\", \"reason\": \"applied\", \"headline\": \"<b>h</b>\"}],"
        " \"aqi\": {\"available\": false, \"county\": []},"
        " \"orders\": {\"versions\": 2, \"acknowledged\": 1},"
        " \"orders_over_time\": [{\"at_ms\": 1764590400000, \"issued\": 2, \"acknowledged\": 0, \"overdue\": 0},"
        "   {\"at_ms\": 1764591000000, \"issued\": 2, \"acknowledged\": 1, \"overdue\": 0}],"
        " \"ack_minutes\": {\"bin_minutes\": 10, \"bins\": [{\"from\": 0, \"to\": 10, \"count\": 1}],"
        "   \"count\": 1, \"on_time\": 1, \"late\": 0, \"never\": 1, \"median\": 10.0, \"p90\": 10.0, \"max\": 10.0},"
        " \"compliance\": {\"by_town\": [{\"key\": \"140826100\", \"orders\": 2, \"compliant\": 1,"
        "   \"violation\": 1, \"unknown\": 0}], \"by_industry\": []},"
        " \"reductions\": {\"level\": \"orange\", \"judged\": true, \"pollutants\": [{\"pollutant\": \"so2\","
        "   \"baseline_kg_day\": 100.0, \"required_pct\": 20.0, \"required_kg_day\": 20.0,"
        "   \"promised_kg_day\": 35.5, \"achieved_kg_day\": 30.0}]},"
        " \"enterprises\": []}",
        0, &je);
    if (f && with_aqi) {
        int64_t t[] = { 1764590400000LL, 1764594000000LL };
        double v[] = { 150, 300 };
        report_set_aqi(f, t, v, 2);
    }
    return f;
}

static void
html_is_self_contained(void)
{
    json_t *f = known_figures(false);
    struct buf b;

    CHECK(f != NULL);
    buf_init(&b, 0);
    CHECK(report_render_html(f, &b));
    CHECK(strncmp(b.data, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(b.data, "<style>") != NULL);
    CHECK(strstr(b.data, "<script") == NULL);
    CHECK(strstr(b.data, "http://") == NULL);
    CHECK(strstr(b.data, "https://") == NULL);
    CHECK(strstr(b.data, "绛县 &lt;test&gt; episode") != NULL);
    CHECK(strstr(b.data, "&lt;b&gt;h&lt;/b&gt;") != NULL);
    /* no readings: said so, and no AQI chart */
    CHECK(strstr(b.data, "No station readings") != NULL);
    CHECK(strstr(b.data, "aria-label=\"AQI\"") == NULL);
    /* level timeline, orders, histogram, compliance bars, reductions bars */
    CHECK_INT((long)count_of(b.data, "<svg "), 5);
    CHECK(strstr(b.data, "<td class=\"n\">35.5</td>") != NULL);
    CHECK(strstr(b.data, "<td class=\"n\">30.0</td>") != NULL);
    /* each table's rows, to the byte: text escaped, levels as badges */
    CHECK(strstr(b.data, "<tr><td>2025-12-01T20:00:00+08:00</td><td><span class=\"lvl \">none</span>"
                         "</td><td><span class=\"lvl orange\">orange</span></td><td>municipal</td>"
                         "<td>r</td><td class=\"n\">2</td><td class=\"n\">0</td>"
                         "<td class=\"n\">0</td></tr>") != NULL);
    CHECK(strstr(b.data, "<tr><td>x</td><td>W-1</td><td>alert</td><td><span class=\"lvl orange\">"
                         "orange</span></td><td>applied</td><td>&lt;b&gt;h&lt;/b&gt;</td></tr>") != NULL);
    CHECK(strstr(b.data, "<tr><td>140826100</td><td class=\"n\">2</td><td class=\"n\">1</td>"
                         "<td class=\"n\">1</td><td class=\"n\">0</td></tr>") != NULL);
    CHECK(strstr(b.data, "<tr><td>so2</td><td class=\"n\">100.0</td>") != NULL);
    CHECK(strstr(b.data, "<table><tr><th>uscc</th><th>name</th><th>town</th><th>industry</th>"
                         "<th>level</th><th>status</th><th>acknowledged_at</th><th>channel</th>"
                         "<th>compliance</th><th>overdue</th></tr></table>") != NULL);
    buf_release(&b);
    json_decref(f);
}

static void
html_with_aqi(void)
{
    json_t *f = known_figures(true);
    struct buf b;

    buf_init(&b, 0);
    CHECK(report_render_html(f, &b));
    CHECK(strstr(b.data, "No station readings") == NULL);
    CHECK(strstr(b.data, "aria-label=\"AQI\"") != NULL);
    CHECK_INT((long)count_of(b.data, "<svg "), 6);
    /* 300 tops a 500 scale? no: nice max of 300 is 500; 150 sits at y = 210 - 60 */
    CHECK(strstr(b.data, "60.0,150.0") != NULL);
    buf_release(&b);
    json_decref(f);
}

static void
html_rejects_missing_parts(void)
{
    json_t *f = json_object();
    struct buf b;

    buf_init(&b, 0);
    CHECK(!report_render_html(f, &b));
    buf_release(&b);
    json_decref(f);
}

static void
jsonpos_paths(void)
{
    const char *t = "{\n  \"a\": 1,\n  \"steps\": [\n    {\"at\": \"+PT1H\"},\n    {\"at\": 3,\n     \"x\": {\"y\": true}}\n  ]\n}\n";
    int line, col;

    CHECK(jsonpos_find(t, strlen(t), "a", &line, &col));
    CHECK_INT(line, 2);
    CHECK_INT(col, 3);
    CHECK(jsonpos_find(t, strlen(t), "steps[1]", &line, &col));
    CHECK_INT(line, 5);
    CHECK_INT(col, 5);
    CHECK(jsonpos_find(t, strlen(t), "steps[1].x.y", &line, &col));
    CHECK_INT(line, 6);
    CHECK(!jsonpos_find(t, strlen(t), "steps[2]", &line, &col));
}

static enum sm_err
parse(const char *text, struct sm_diag *d)
{
    struct scenario *sc = NULL;
    enum sm_err err;

    memset(d, 0, sizeof(*d));
    err = scenario_parse(text, strlen(text), "t.json", ".", &sc, d);
    scenario_free(sc);
    return err;
}

#define HEAD "{\"title\": \"t\", \"start\": \"2025-12-01T08:00:00+08:00\",\n" \
             " \"county\": {\"code\": \"140826\", \"name\": \"绛县\"}, \"list\": \"l.csv\",\n"

static void
scenario_errors_name_lines(void)
{
    struct sm_diag d;

    CHECK_INT(parse(HEAD " \"steps\": [{\"at\": \"+PT1H\"}]}", &d), SM_OK);
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT1H\"},\n  {\"at\": \"+PT2H\", \"acks\": {}}]}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_key");
    CHECK_INT(d.line, 5);
    CHECK(strstr(d.text, "steps[1].acks") != NULL);
    CHECK_STR(d.source, "t.json");
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT1H\", \"at\": \"+PT2H\"}]}", &d), SM_ERR_PARSE);
    CHECK_INT(d.line, 4);
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT2H\"},\n  {\"at\": \"+PT1H\"}]}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "steps_out_of_order");
    CHECK_INT(d.line, 5);
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"2025-12-01T09:00:00\"}]}", &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "time_without_offset");
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT1H\",\n   \"ack\": {\"enterprises\": [\"9114082601234567CX\"]}}]}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "uscc_checksum");
    CHECK_INT(d.line, 5);
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT1H\", \"expect\": {\"orders\": {\"active\": -1}}}]}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "not_a_count");
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT1H\", \"readings\": [{\"station\": \"s9\", \"pollutant\": \"pm25\", \"value\": 1}]}]}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_station");
    CHECK_INT(parse(HEAD " \"steps\": [\n  {\"at\": \"+PT1H\", \"escalate\": {\"level\": \"red\", \"reason\": \"x\"}, \"expect\": {\"level\": \"red\"}}]}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "two_actions");
}

CHECK_MAIN(CHECK_CASE(histogram_geometry), CHECK_CASE(text_is_escaped),
           CHECK_CASE(level_timeline_spans), CHECK_CASE(bin_widths),
           CHECK_CASE(html_is_self_contained), CHECK_CASE(html_with_aqi),
           CHECK_CASE(html_rejects_missing_parts), CHECK_CASE(jsonpos_paths),
           CHECK_CASE(scenario_errors_name_lines))
