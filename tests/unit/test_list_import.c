/* list: CSV and XML import, every validation rule with its exact message,
 * the report figures, the demo list and a generated 100,000-line list. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "check.h"
#include "list/gen.h"
#include "list/import.h"
#include "list/uscc.h"

static char path_buf[4096];

static const char *
data_path(const char *name)
{
    const char *src = getenv("SMOGD_SOURCE_DIR");

    snprintf(path_buf, sizeof(path_buf), "%s/tests/data/list/%s",
             src ? src : SMOGD_SOURCE_DIR, name);
    return path_buf;
}

static void
opts_jiang(struct list_import_opts *o)
{
    list_import_opts_init(o);
    o->county = "140826";
}

/* imports tests/data/list/NAME and checks the result code and that the
 * only error reads "<path>:<rest>" */
static void
expect_error(const char *name, enum sm_err want, const char *code,
             const char *rest)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char want_text[5200], got[1024];
    const char *path = data_path(name);
    enum sm_err err;

    opts_jiang(&o);
    err = list_import_file(path, &o, NULL, NULL, &rep, &d);
    snprintf(want_text, sizeof(want_text), "%s:%s", path, rest);
    if (err != want || d.error_total != 1)
        fprintf(stderr, "in %s:\n", name);
    CHECK_INT(err, want);
    CHECK_INT(d.error_total, 1);
    if (d.error_count >= 1) {
        CHECK_STR(d.errors[0].code, code);
        CHECK_STR(list_diags_format(&d, &d.errors[0], got, sizeof(got)),
                  want_text);
    }
    list_report_release(&rep);
    list_diags_release(&d);
}

struct counter {
    long rows;
    struct list_doc doc;
    bool keep;
};

static enum sm_err
count_row(void *arg, const struct list_row *row)
{
    struct counter *c = arg;

    c->rows++;
    if (c->keep)
        list_doc_add(&c->doc, row);
    return SM_OK;
}

static void
check_good_report(const struct list_report *rep)
{
    /* hand-computed from good.csv (see the row comments in good.xml) */
    CHECK_INT(rep->rows, 4);
    CHECK_INT(list_report_enterprises(rep), 3);
    CHECK_NEAR(rep->baseline_kg_day[LIST_SO2], 100, 1e-9);
    CHECK_NEAR(rep->baseline_kg_day[LIST_NOX], 100, 1e-9);
    CHECK_NEAR(rep->baseline_kg_day[LIST_PM], 50, 1e-9);
    CHECK_NEAR(rep->baseline_kg_day[LIST_VOCS], 20, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[0][LIST_SO2], 54, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[0][LIST_NOX], 48, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[0][LIST_PM], 33.5, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[0][LIST_VOCS], 11.8, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[1][LIST_SO2], 58, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[1][LIST_NOX], 56, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[1][LIST_PM], 37, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[1][LIST_VOCS], 13.6, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[2][LIST_SO2], 90, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[2][LIST_NOX], 80, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[2][LIST_PM], 45, 1e-9);
    CHECK_NEAR(rep->reduced_kg_day[2][LIST_VOCS], 20, 1e-9);
    CHECK_NEAR(list_report_share_pct(rep, 1, LIST_PM), 67.0, 1e-9);
    CHECK_NEAR(list_report_share_pct(rep, 2, LIST_VOCS), 68.0, 1e-9);
    CHECK(list_report_all_pass(rep));
    CHECK_INT(rep->grade_count[GRADE_A], 1);
    CHECK_INT(rep->grade_count[GRADE_B], 2);
    CHECK_INT(rep->grade_count[GRADE_D], 1);
}

static void
test_good_csv(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct counter c = { 0 };
    const struct list_row *r;

    opts_jiang(&o);
    c.keep = true;
    list_doc_init(&c.doc);
    CHECK_INT(list_import_file(data_path("good.csv"), &o, count_row, &c, &rep, &d),
              SM_OK);
    CHECK_INT(d.error_total, 0);
    CHECK_INT(d.warning_total, 0);
    CHECK_INT(c.rows, 4);
    check_good_report(&rep);
    r = &c.doc.rows[1];
    CHECK_STR(r->uscc, "91140826MA0K20002K");
    CHECK_STR(r->name, "绛县鑫达铸造有限公司");
    CHECK_STR(r->town, "140826102");
    CHECK_STR(r->industry, "铸造");
    CHECK_INT(r->grade, GRADE_B);
    CHECK_STR(r->line, "熔炼线");
    CHECK_NEAR(r->so2, 40, 1e-9);
    CHECK_NEAR(r->vocs, 8, 1e-9);
    CHECK_NEAR(r->power_kw, 2000, 1e-9);
    CHECK_STR(r->measures[0].action, "limit");
    CHECK_NEAR(r->measures[0].limit_pct, 10, 1e-9);
    CHECK_STR(r->measures[2].action, "halt");
    CHECK_INT(r->source_line, 3);
    list_doc_release(&c.doc);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_chinese_bom_crlf_quotes_notes(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct counter c = { 0 };

    opts_jiang(&o);
    c.keep = true;
    list_doc_init(&c.doc);
    CHECK_INT(list_import_file(data_path("good_zh_bom_crlf.csv"), &o, count_row,
                               &c, &rep, &d),
              SM_OK);
    CHECK_INT(d.error_total, 0);
    CHECK_INT(c.rows, 4);
    check_good_report(&rep);
    if (c.doc.count == 4) {
        CHECK_STR(c.doc.rows[0].uscc, "91140826MA0K10001Q");
        CHECK_INT(c.doc.rows[0].note_count, 1);
        CHECK_STR(c.doc.rows[0].notes[0].key, "备注");
        CHECK_STR(c.doc.rows[0].notes[0].value, "分表计电，已安装");
        /* a quoted CRLF inside a field is one line break, a doubled quote one quote */
        CHECK_STR(c.doc.rows[1].notes[0].value, "第一行\n第二行 \"加引号\"");
        CHECK_INT(c.doc.rows[1].source_line, 3);
        CHECK_INT(c.doc.rows[2].source_line, 5); /* after the two-line field */
        CHECK_INT(c.doc.rows[2].note_count, 0);  /* an empty extra cell is no note */
        CHECK_INT(c.doc.rows[3].source_line, 6);
    }
    list_doc_release(&c.doc);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_good_xml(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct counter c = { 0 };

    opts_jiang(&o);
    c.keep = true;
    list_doc_init(&c.doc);
    CHECK_INT(list_import_file(data_path("good.xml"), &o, count_row, &c, &rep, &d),
              SM_OK);
    CHECK_INT(d.error_total, 0);
    check_good_report(&rep);
    CHECK_INT(rep.year, 2025);
    if (c.doc.count == 4) {
        CHECK_STR(c.doc.rows[2].line, "涂装线");
        CHECK_STR(c.doc.rows[2].name, "绛县鑫达铸造有限公司");
        CHECK_INT(c.doc.rows[2].source_line, 10);
        CHECK_INT(c.doc.rows[2].note_count, 1);
        CHECK_STR(c.doc.rows[2].notes[0].key, "sensor");
        CHECK_INT(c.doc.rows[3].source_line, 13);
    }
    list_doc_release(&c.doc);
    list_report_release(&rep);
    list_diags_release(&d);

    /* the year of the file must be the year imported */
    o.year = 2026;
    CHECK_INT(list_import_file(data_path("good.xml"), &o, NULL, NULL, &rep, &d),
              SM_ERR_INVAL);
    CHECK_INT(d.error_total, 1);
    CHECK_STR(d.errors[0].code, "year_mismatch");
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_rule_errors(void)
{
    char rest[512];
    char bad_region[19] = "91AB0826MA0K20002";

    expect_error("bad_uscc_checksum.csv", SM_ERR_INVAL, "uscc_checksum",
                 "3: uscc: check character of \"91140826MA0K200020\" is '0', expected 'K' (GB 32100-2015)");
    expect_error("bad_uscc_character.csv", SM_ERR_INVAL, "uscc_character",
                 "3: uscc: character 11 of \"91140826MAIK20002K\" is not one of 0-9 A-H J-N P-R T U W X Y");
    bad_region[17] = uscc_check_char(bad_region);
    snprintf(rest, sizeof(rest),
             "3: uscc: registration region \"AB0826\" (characters 3-8 of \"%s\") is not a 6-digit code",
             bad_region);
    expect_error("bad_uscc_region.csv", SM_ERR_INVAL, "uscc_region", rest);
    expect_error("bad_uscc_length.csv", SM_ERR_INVAL, "uscc_length",
                 "3: uscc: a unified social credit code has 18 characters, \"91140826MA0K20002\" has 17");
    expect_error("bad_name_mismatch.csv", SM_ERR_INVAL, "uscc_name_mismatch",
                 "4: name: 91140826MA0K20002K is named \"绛县鑫达铸造有限公司\" on line 3, here \"绛县鑫达机械有限公司\"");
    expect_error("bad_town_county.csv", SM_ERR_INVAL, "town_outside_county",
                 "5: town: town 140827101 is not in county 140826");
    expect_error("bad_town_format.csv", SM_ERR_INVAL, "town_format",
                 "5: town: \"1408262\" is not a 9-digit town code");
    expect_error("bad_grade.csv", SM_ERR_INVAL, "grade_unknown",
                 "5: grade: \"E\" is not a grade: A, B, B-, C, D, 引领性, 非引领性 or 保障类");
    expect_error("bad_line_duplicate.csv", SM_ERR_INVAL, "line_duplicate",
                 "4: line: line \"熔炼线\" of 91140826MA0K20002K is already listed on line 3");
    expect_error("bad_number_syntax.csv", SM_ERR_INVAL, "number_syntax",
                 "3: so2: \"四十\" is not a number");
    expect_error("bad_number_negative.csv", SM_ERR_INVAL, "number_negative",
                 "3: nox: -3 is negative");
    expect_error("bad_power_missing.csv", SM_ERR_INVAL, "value_missing",
                 "3: power_kw: required value is empty");
    expect_error("bad_measure_syntax.csv", SM_ERR_INVAL, "measure_syntax",
                 "3: orange: \"半停\" is not a measure: expected 停产, 限产N%, 自主减排 (or halt, limit N%, voluntary), then optional text after ';'");
    expect_error("bad_measure_range.csv", SM_ERR_INVAL, "measure_range",
                 "3: yellow: \"限产120%\": a limit must be more than 0% and less than 100% (use 停产 for a halt)");
    expect_error("bad_measure_decimals.csv", SM_ERR_INVAL, "measure_syntax",
                 "3: yellow: \"限产12.55%\": a limit is 限产N% or \"limit N%\" with N a number with at most one decimal");
    expect_error("bad_field_count.csv", SM_ERR_INVAL, "field_count",
                 "3: 13 fields, the header has 14");
}

static void
test_syntax_errors(void)
{
    expect_error("bad_quote.csv", SM_ERR_PARSE, "csv_quote",
                 "3: name: '\"' inside an unquoted field (quote the whole field and double the '\"')");
    expect_error("bad_unterminated.csv", SM_ERR_PARSE, "csv_unterminated",
                 "5: name: quoted field is not closed before the end of the file");
    expect_error("bad_utf8.csv", SM_ERR_PARSE, "utf8_invalid",
                 "4: name: invalid UTF-8 (byte 0xFF)");
}

static void
test_missing_columns(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char got[1024], want[5200];
    const char *path = data_path("bad_missing_column.csv");

    opts_jiang(&o);
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_INVAL);
    CHECK_INT(d.error_total, 2);
    if (d.error_count == 2) {
        snprintf(want, sizeof(want), "%s:1: vocs: required column missing (挥发性有机物)", path);
        CHECK_STR(list_diags_format(&d, &d.errors[0], got, sizeof(got)), want);
        snprintf(want, sizeof(want), "%s:1: red: required column missing (红色预警措施)", path);
        CHECK_STR(list_diags_format(&d, &d.errors[1], got, sizeof(got)), want);
    }
    CHECK_INT(rep.rows, 0);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_warnings(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char got[1024], want[5200];
    const char *path = data_path("warn_measure_weaker.csv");

    opts_jiang(&o);
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_OK);
    CHECK_INT(d.error_total, 0);
    CHECK_INT(d.warning_total, 1);
    if (d.warning_count == 1) {
        snprintf(want, sizeof(want), "%s:5: red: red measure 限产50%% removes less than the orange measure 停产", path);
        CHECK_STR(list_diags_format(&d, &d.warnings[0], got, sizeof(got)), want);
        CHECK_STR(d.warnings[0].code, "measure_weaker");
    }
    CHECK_INT(rep.rows, 4);
    list_report_release(&rep);
    list_diags_release(&d);

    path = data_path("warn_voluntary.csv");
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_OK);
    CHECK_INT(d.warning_total, 2);
    if (d.warning_count == 2) {
        snprintf(want, sizeof(want), "%s:3: red: red measure 自主减排 removes less than the orange measure 限产20%%", path);
        CHECK_STR(list_diags_format(&d, &d.warnings[0], got, sizeof(got)), want);
        snprintf(want, sizeof(want), "%s:3: red: voluntary measure at red for grade B (only A and 保障类 rows may stay voluntary)", path);
        CHECK_STR(list_diags_format(&d, &d.warnings[1], got, sizeof(got)), want);
        CHECK_STR(d.warnings[1].code, "voluntary_not_allowed");
    }
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_all_errors_collected(void)
{
    /* three rows, each with two problems, and a bad header-less tail */
    static const char csv[] =
        "uscc,name,town,industry,grade,line,so2,nox,pm,vocs,power_kw,yellow,orange,red\n"
        "91140826MA0K10001X,a,140826101,x,A,l1,1,1,1,1,1,停产,停产,停产\n"
        "91140826MA0K10001Q,a,999,x,Q,l1,1,1,1,1,1,停产,停产,停产\n"
        "91140826MA0K10001Q,a,140826101,x,A,l2,-1,1,1,1,1,停产,停产,限产\n";
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;

    opts_jiang(&o);
    o.max_listed = 3;
    CHECK_INT(list_import_memory(csv, strlen(csv), "mem.csv", &o, NULL, NULL,
                                 &rep, &d),
              SM_ERR_INVAL);
    CHECK_INT(d.error_total, 5);
    CHECK_INT(d.error_count, 3); /* listed up to the cap, all counted */
    CHECK_INT(d.errors[0].line, 2);
    CHECK_STR(d.errors[1].code, "town_format");
    CHECK_STR(d.errors[2].code, "grade_unknown");
    CHECK_INT(rep.rows, 0);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_xml_errors(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    char got[1024], want[5200];
    const char *path = data_path("bad_rules.xml");

    opts_jiang(&o);
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_INVAL);
    CHECK_INT(d.error_total, 4);
    if (d.error_count == 4) {
        snprintf(want, sizeof(want), "%s:5: so2: \"x\" is not a number", path);
        CHECK_STR(list_diags_format(&d, &d.errors[0], got, sizeof(got)), want);
        snprintf(want, sizeof(want), "%s:5: power_kw: required value is empty", path);
        CHECK_STR(list_diags_format(&d, &d.errors[1], got, sizeof(got)), want);
        snprintf(want, sizeof(want), "%s:7: unexpected element <plant>", path);
        CHECK_STR(list_diags_format(&d, &d.errors[2], got, sizeof(got)), want);
        snprintf(want, sizeof(want), "%s:9: grade: \"Z\" is not a grade: A, B, B-, C, D, 引领性, 非引领性 or 保障类", path);
        CHECK_STR(list_diags_format(&d, &d.errors[3], got, sizeof(got)), want);
    }
    CHECK_INT(rep.rows, 1);
    list_report_release(&rep);
    list_diags_release(&d);

    path = data_path("bad_doctype.xml");
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_PARSE);
    CHECK_INT(d.error_total, 1);
    CHECK_STR(d.errors[0].code, "xml_doctype");
    CHECK_INT(rep.rows, 0);
    list_report_release(&rep);
    list_diags_release(&d);

    path = data_path("bad_malformed.xml");
    CHECK_INT(list_import_file(path, &o, NULL, NULL, &rep, &d), SM_ERR_PARSE);
    CHECK_INT(d.error_total, 1);
    CHECK_STR(d.errors[0].code, "xml_malformed");
    CHECK_INT(d.errors[0].line, 6);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_report_render_and_json(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct buf out;
    json_t *j, *po;

    opts_jiang(&o);
    o.year = 2025;
    CHECK_INT(list_import_file(data_path("fail_shares.csv"), &o, NULL, NULL, &rep, &d),
              SM_OK); /* importable, yet the report says it falls short */
    CHECK(!list_report_all_pass(&rep));
    CHECK(list_report_passes(&rep, 1, LIST_SO2));
    CHECK(!list_report_passes(&rep, 2, LIST_SO2));
    CHECK(!list_report_passes(&rep, 3, LIST_VOCS));
    CHECK_NEAR(list_report_share_pct(&rep, 3, LIST_VOCS), 20, 1e-9);
    buf_init(&out, 0);
    CHECK(list_report_render_text(&rep, &out));
    CHECK(strstr(out.data, "*** THE LIST DOES NOT MEET THE REQUIRED REDUCTION SHARES ***") != NULL);
    CHECK(strstr(out.data, "*** orange nox: 10.0 % < required 20.0 %") != NULL);
    CHECK(strstr(out.data, "yellow  so2            10.00           1.00   10.0 %    10.0 %  pass") != NULL);
    CHECK(strstr(out.data, "Emission-reduction list 2025: 1 lines, 1 enterprises") != NULL);
    buf_release(&out);

    j = list_report_to_json(&rep);
    CHECK_INT(json_integer_value(json_object_get(j, "year")), 2025);
    CHECK(json_is_false(json_object_get(j, "pass")));
    po = json_object_get(json_object_get(json_object_get(json_object_get(j, "levels"),
                                                         "red"), "pollutants"), "pm");
    CHECK_NEAR(json_real_value(json_object_get(po, "reduced_kg_day")), 2, 1e-9);
    CHECK_NEAR(json_real_value(json_object_get(po, "share_pct")), 20, 1e-9);
    CHECK(json_is_false(json_object_get(po, "pass")));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "grades"), "non_leading")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "towns"), "140826105")), 1);
    json_decref(j);
    list_report_release(&rep);
    list_diags_release(&d);
}

/* each pollutant against its own required share: NOx asked 40 % at yellow
 * while SO2 is asked 10 %, so a 10 % NOx cut falls short */
static void
test_report_shares_per_pollutant(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct buf out;
    json_t *j, *yellow;

    opts_jiang(&o);
    o.required.pct[0][LIST_NOX] = 40;
    o.required.pct[1][LIST_PM] = 5;
    CHECK_INT(list_import_file(data_path("fail_shares.csv"), &o, NULL, NULL, &rep, &d), SM_OK);
    CHECK_NEAR(list_report_required_pct(&rep, 1, LIST_SO2), 10, 0);
    CHECK_NEAR(list_report_required_pct(&rep, 1, LIST_NOX), 40, 0);
    CHECK(list_report_passes(&rep, 1, LIST_SO2));
    CHECK(!list_report_passes(&rep, 1, LIST_NOX));
    CHECK(list_report_passes(&rep, 1, LIST_PM));
    /* orange: 10 % achieved; SO2 asked 20 % fails, PM asked 5 % passes */
    CHECK(!list_report_passes(&rep, 2, LIST_SO2));
    CHECK(list_report_passes(&rep, 2, LIST_PM));
    buf_init(&out, 0);
    CHECK(list_report_render_text(&rep, &out));
    CHECK(strstr(out.data, "*** yellow nox: 10.0 % < required 40.0 %") != NULL);
    CHECK(strstr(out.data, "*** yellow so2") == NULL);
    CHECK(strstr(out.data, "*** orange pm") == NULL);
    CHECK(strstr(out.data, "yellow  nox            10.00           1.00   10.0 %    40.0 %  FAIL") != NULL);
    buf_release(&out);

    j = list_report_to_json(&rep);
    yellow = json_object_get(json_object_get(j, "levels"), "yellow");
    CHECK(json_is_false(json_object_get(yellow, "pass")));
    CHECK_NEAR(json_real_value(json_object_get(yellow, "required_pct")), 40, 0);
    CHECK_NEAR(json_real_value(json_object_get(
                   json_object_get(json_object_get(yellow, "pollutants"), "so2"), "required_pct")),
               10, 0);
    CHECK(json_is_false(json_object_get(
        json_object_get(json_object_get(yellow, "pollutants"), "nox"), "pass")));
    json_decref(j);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_demo_list(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    const char *src = getenv("SMOGD_SOURCE_DIR");

    snprintf(path_buf, sizeof(path_buf), "%s/scenarios/jiang-county/list.csv",
             src ? src : SMOGD_SOURCE_DIR);
    opts_jiang(&o);
    CHECK_INT(list_import_file(path_buf, &o, NULL, NULL, &rep, &d), SM_OK);
    CHECK_INT(d.error_total, 0);
    CHECK_INT(d.warning_total, 0);
    CHECK_INT(rep.rows, 95);
    CHECK_INT(list_report_enterprises(&rep), 60);
    CHECK(list_report_all_pass(&rep));
    CHECK_INT(rep.towns.count, 10);
    list_report_release(&rep);
    list_diags_release(&d);
}

static void
test_generated_100k(void)
{
    char path[] = "/tmp/smogd-list-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;
    struct counter c = { 0 };

    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_INT(list_generate_csv(f, 100000, 42, "140826"), SM_OK);
    fclose(f);
    opts_jiang(&o);
    CHECK_INT(list_import_file(path, &o, count_row, &c, &rep, &d), SM_OK);
    CHECK_INT(d.error_total, 0);
    CHECK_INT(c.rows, 100000);
    CHECK_INT(rep.rows, 100000);
    CHECK(list_report_all_pass(&rep));
    list_report_release(&rep);
    list_diags_release(&d);
    unlink(path);
}

static void
test_generator_deterministic(void)
{
    char *a = NULL, *b = NULL, *x = NULL;
    size_t na = 0, nb = 0, nx = 0;
    FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb),
         *fx = open_memstream(&x, &nx);

    CHECK_INT(list_generate_csv(fa, 500, 7, NULL), SM_OK);
    CHECK_INT(list_generate_csv(fb, 500, 7, NULL), SM_OK);
    CHECK_INT(list_generate_csv(fx, 500, 8, NULL), SM_OK);
    fclose(fa);
    fclose(fb);
    fclose(fx);
    CHECK(na == nb && memcmp(a, b, na) == 0);
    CHECK(na != nx || memcmp(a, x, na) != 0);
    free(a);
    free(b);
    free(x);
}

static void
test_size_cap_and_missing_file(void)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;

    opts_jiang(&o);
    o.max_bytes = 100;
    CHECK_INT(list_import_file(data_path("good.csv"), &o, NULL, NULL, &rep, &d),
              SM_ERR_LIMIT);
    CHECK_STR(d.errors[d.error_count - 1].code, "input_too_large");
    list_report_release(&rep);
    list_diags_release(&d);

    CHECK_INT(list_import_file(data_path("nope.csv"), NULL, NULL, NULL, &rep, &d),
              SM_ERR_IO);
    CHECK_STR(d.errors[0].code, "open_failed");
    list_report_release(&rep);
    list_diags_release(&d);

    CHECK_INT(list_import_memory("", 0, "empty.csv", NULL, NULL, NULL, &rep, &d),
              SM_ERR_INVAL);
    CHECK_STR(d.errors[0].code, "empty");
    list_report_release(&rep);
    list_diags_release(&d);
}

static enum sm_err
refuse_second(void *arg, const struct list_row *row)
{
    long *n = arg;

    (void)row;
    return ++*n == 2 ? SM_ERR_DB : SM_OK;
}

static void
test_callback_failure_stops(void)
{
    struct list_report rep;
    struct list_diags d;
    long n = 0;

    CHECK_INT(list_import_file(data_path("good.csv"), NULL, refuse_second, &n,
                               &rep, &d),
              SM_ERR_DB);
    CHECK_INT(n, 2);
    list_report_release(&rep);
    list_diags_release(&d);
}

CHECK_MAIN(CHECK_CASE(test_good_csv), CHECK_CASE(test_chinese_bom_crlf_quotes_notes),
           CHECK_CASE(test_good_xml), CHECK_CASE(test_rule_errors),
           CHECK_CASE(test_syntax_errors), CHECK_CASE(test_missing_columns),
           CHECK_CASE(test_warnings), CHECK_CASE(test_all_errors_collected),
           CHECK_CASE(test_xml_errors), CHECK_CASE(test_report_render_and_json),
           CHECK_CASE(test_report_shares_per_pollutant),
           CHECK_CASE(test_demo_list), CHECK_CASE(test_generated_100k),
           CHECK_CASE(test_generator_deterministic),
           CHECK_CASE(test_size_cap_and_missing_file),
           CHECK_CASE(test_callback_failure_stops))
