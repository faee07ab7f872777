/* ingest: CAP 1.2 warnings from tests/data/cap/, exact fields and exact
 * rejection codes and lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "check.h"
#include "ingest/warning.h"

/* 2025-12-01T16:00:00+08:00 and friends, in ms UTC */
#define T_SENT    1764576000000LL /* 2025-12-01T08:00:00Z */
#define T_ONSET   1764604800000LL /* 2025-12-01T16:00:00Z */
#define T_EXPIRES 1764864000000LL /* 2025-12-04T16:00:00Z */

static char *
load(const char *name, size_t *len)
{
    const char *src = getenv("SMOGD_SOURCE_DIR");
    char path[1024];
    FILE *f;
    char *data;
    long n;

    snprintf(path, sizeof(path), "%s/tests/data/cap/%s",
             src ? src : SMOGD_SOURCE_DIR, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (fread(data, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    data[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* Parses a corpus file; returns the message (or NULL) and fills rc and d. */
static struct warning_msg *
parse_file(const char *name, enum sm_err *rc, struct sm_diag *d)
{
    size_t len = 0;
    char *data = load(name, &len);
    struct warning_msg *m = NULL;

    memset(d, 0, sizeof(*d));
    *rc = data ? warning_parse_cap(data, len, &m, d) : SM_ERR_IO;
    if (*rc != SM_OK && m == NULL)
        fprintf(stderr, "  %s: %s at %d:%d: %s\n", name, d->code, d->line,
                d->column, d->text);
    free(data);
    return m;
}

static void
expect_reject(const char *name, enum sm_err want_rc, const char *want_code,
              int want_line)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file(name, &rc, &d);

    CHECK(m == NULL);
    CHECK_INT(rc, want_rc);
    CHECK_STR(d.code, want_code);
    if (want_line >= 0)
        CHECK_INT(d.line, want_line);
    CHECK(d.text[0] != '\0');
    warning_msg_free(m);
}

static void
test_yellow_alert_140826(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_yellow_140826.xml", &rc, &d);
    size_t len = 0;
    char *raw = load("good_yellow_140826.xml", &len);
    char hex[65];

    CHECK_INT(rc, SM_OK);
    if (!m)
        goto out;
    CHECK_STR(m->format, "cap");
    sm_sha256_hex(raw, len, hex);
    CHECK_STR(m->sha256, hex);
    CHECK_STR(m->identifier, "YC-AQ-2025-0012");
    CHECK_STR(m->sender, "yc-aqoffice@yuncheng.gov.cn");
    CHECK_INT(m->sent_ms, T_SENT);
    CHECK_INT(m->msg_type, WARNING_MSG_ALERT);
    CHECK_INT(m->status, WARNING_STATUS_ACTUAL);
    CHECK_INT(m->ref_count, 0);
    CHECK_INT(m->level, LEVEL_YELLOW);
    CHECK(m->level_from_parameter);
    CHECK_STR(m->severity, "Moderate");
    CHECK_INT(m->onset_ms, T_ONSET);
    CHECK_INT(m->effective_ms, 0);
    CHECK_INT(m->expires_ms, T_EXPIRES);
    CHECK_STR(m->headline, "运城市启动重污染天气黄色预警（Ⅲ级响应）");
    CHECK(strncmp(m->description, "受不利气象条件影响", strlen("受不利气象条件影响")) == 0);
    CHECK(m->has_area);
    CHECK_INT(m->area_count, 1);
    if (m->area_count == 1) {
        CHECK_STR(m->areas[0].value_name, "GB/T2260");
        CHECK_STR(m->areas[0].code, "140826");
    }
    CHECK_STR(m->primary_pollutant, "pm25");
    CHECK_INT(m->forecast_count, 0);
    CHECK(m->forecast_aqi == NULL);
out:
    free(raw);
    warning_msg_free(m);
}

static void
test_severity_only_orange(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_orange_severity_only.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    CHECK_INT(m->level, LEVEL_ORANGE);
    CHECK(!m->level_from_parameter);
    CHECK_STR(m->severity, "Severe");
    CHECK_STR(m->headline, "运城市启动重污染天气橙色预警（Ⅱ级响应）");
    warning_msg_free(m);
}

static void
test_update_with_references(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_update_references.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    CHECK_INT(m->msg_type, WARNING_MSG_UPDATE);
    CHECK_INT(m->level, LEVEL_ORANGE); /* 橙色 */
    CHECK(m->level_from_parameter);
    CHECK_INT(m->ref_count, 1);
    if (m->ref_count == 1) {
        CHECK_STR(m->refs[0].sender, "yc-aqoffice@yuncheng.gov.cn");
        CHECK_STR(m->refs[0].identifier, "YC-AQ-2025-0012");
        CHECK_INT(m->refs[0].sent_ms, T_SENT);
    }
    CHECK_INT(m->onset_ms, T_ONSET + 20 * 3600000LL);
    warning_msg_free(m);
}

static void
test_cancel(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_cancel.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    CHECK_INT(m->msg_type, WARNING_MSG_CANCEL);
    CHECK_INT(m->level, LEVEL_NONE);
    CHECK_INT(m->ref_count, 2);
    if (m->ref_count == 2) {
        CHECK_STR(m->refs[1].identifier, "YC-AQ-2025-0014");
        CHECK_INT(m->refs[1].sent_ms, 1764660600000LL); /* 12-02 07:30Z */
    }
    CHECK_INT(m->onset_ms, 0);
    CHECK_INT(m->expires_ms, 0);
    CHECK_INT(m->effective_ms, 1764820800000LL); /* 12-04 04:00Z */
    CHECK_STR(m->headline, "运城市解除重污染天气橙色预警");
    warning_msg_free(m);
}

static void
test_exercise_and_test_status(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_exercise.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (m) {
        CHECK_INT(m->status, WARNING_STATUS_EXERCISE);
        CHECK_INT(m->level, LEVEL_RED);
        CHECK_STR(m->identifier, "YC-AQ-DRILL-2025-01");
    }
    warning_msg_free(m);
    m = parse_file("good_test_status.xml", &rc, &d);
    CHECK_INT(rc, SM_OK);
    if (m) {
        CHECK_INT(m->status, WARNING_STATUS_TEST);
        CHECK_STR(warning_status_name(m->status), "test");
    }
    warning_msg_free(m);
}

static void
test_ozone_pollutant(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_ozone.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (m)
        CHECK_STR(m->primary_pollutant, "o3");
    warning_msg_free(m);
}

static void
test_areas(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_town_area.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (m && m->area_count == 1)
        CHECK_STR(m->areas[0].code, "140826101");
    else
        CHECK(0);
    warning_msg_free(m);
    m = parse_file("good_other_county.xml", &rc, &d);
    CHECK_INT(rc, SM_OK);
    if (m && m->area_count == 1) {
        CHECK_STR(m->areas[0].code, "140802");
        CHECK_STR(m->areas[0].value_name, "adcode");
        CHECK(m->has_area);
    } else {
        CHECK(0);
    }
    warning_msg_free(m);
}

static void
test_chinese_profile(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_chinese_profile.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    CHECK_INT(strlen(m->identifier), 31);
    CHECK_STR(m->identifier, "1408004160000020251201160000001");
    CHECK_STR(m->sender, "14080041600000");
    CHECK_INT(m->sent_ms, T_SENT);      /* 20251201160000 is Beijing time */
    CHECK_INT(m->effective_ms, T_SENT);
    CHECK_INT(m->onset_ms, T_ONSET);
    CHECK_INT(m->expires_ms, T_EXPIRES);
    CHECK_INT(m->level, LEVEL_YELLOW); /* 黄色 */
    CHECK_STR(m->primary_pollutant, "");
    if (m->area_count == 1) {
        CHECK_STR(m->areas[0].value_name, "GB2260");
        CHECK_STR(m->areas[0].code, "140800");
    }
    warning_msg_free(m);
}

static void
test_gb18030_document(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_gb18030.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    /* converted to UTF-8 */
    CHECK_STR(m->headline, "运城市发布重污染天气黄色预警");
    CHECK_INT(m->level, LEVEL_YELLOW);
    warning_msg_free(m);
}

static void
test_red_with_forecast(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_red_forecast.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    CHECK_INT(m->level, LEVEL_RED);
    CHECK_STR(m->primary_pollutant, "pm25"); /* 细颗粒物 */
    CHECK_INT(m->forecast_count, 3);
    if (m->forecast_count == 3) {
        CHECK_INT(m->forecast_aqi[0], 230);
        CHECK_INT(m->forecast_aqi[1], 250);
        CHECK_INT(m->forecast_aqi[2], 310);
    }
    warning_msg_free(m);
}

static void
test_first_env_info_is_used(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("good_first_env_info.xml", &rc, &d);

    CHECK_INT(rc, SM_OK);
    if (!m)
        return;
    /* the Met info before it says Extreme; the Env info says yellow */
    CHECK_INT(m->level, LEVEL_YELLOW);
    CHECK_STR(m->severity, "Moderate");
    warning_msg_free(m);
}

static void
test_rejections(void)
{
    expect_reject("bad_malformed.xml", SM_ERR_PARSE, "malformed_xml", 4);
    expect_reject("bad_wrong_namespace.xml", SM_ERR_PARSE, "wrong_namespace", 2);
    expect_reject("bad_missing_sent.xml", SM_ERR_INVAL, "missing_element", 2);
    expect_reject("bad_duplicate_sent.xml", SM_ERR_INVAL, "duplicate_element", 6);
    expect_reject("bad_enum_status.xml", SM_ERR_INVAL, "bad_enumeration", 6);
    expect_reject("bad_enum_msgtype.xml", SM_ERR_INVAL, "bad_enumeration", 7);
    expect_reject("bad_enum_severity.xml", SM_ERR_INVAL, "bad_enumeration", 14);
    expect_reject("bad_time_without_offset.xml", SM_ERR_PARSE,
                  "time_without_offset", 16);
    expect_reject("bad_identifier_space.xml", SM_ERR_INVAL, "bad_identifier", 3);
    expect_reject("bad_references.xml", SM_ERR_INVAL, "bad_references", 9);
    expect_reject("bad_no_info.xml", SM_ERR_INVAL, "missing_element", 2);
    expect_reject("bad_no_env_info.xml", SM_ERR_INVAL, "no_env_info", 2);
    expect_reject("bad_level_conflict.xml", SM_ERR_INVAL, "level_conflict", 22);
    expect_reject("bad_geocode.xml", SM_ERR_INVAL, "bad_geocode", 32);
    expect_reject("bad_forecast.xml", SM_ERR_INVAL, "bad_forecast", 26);
    expect_reject("bad_doctype.xml", SM_ERR_PARSE, "doctype_forbidden", 2);
    expect_reject("bad_deep_nesting.xml", SM_ERR_PARSE, "too_deep", 9);
    expect_reject("bad_oversize.xml", SM_ERR_LIMIT, "too_large", 0);
}

static void
test_missing_diag_names_element(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("bad_missing_sent.xml", &rc, &d);

    CHECK(m == NULL);
    CHECK(strstr(d.text, "<sent>") != NULL);
    m = parse_file("bad_level_conflict.xml", &rc, &d);
    CHECK(strstr(d.text, "Extreme") != NULL);
}

static void
test_xxe_never_leaks(void)
{
    enum sm_err rc;
    struct sm_diag d;
    struct warning_msg *m = parse_file("bad_xxe_file.xml", &rc, &d);

    CHECK(m == NULL);
    CHECK_INT(rc, SM_ERR_PARSE);
    CHECK_STR(d.code, "doctype_forbidden");
    CHECK(strstr(d.text, "root:") == NULL);
    warning_msg_free(m);
}

static void
test_billion_laughs_is_quick(void)
{
    enum sm_err rc;
    struct sm_diag d;
    clock_t t0 = clock();
    struct warning_msg *m = parse_file("bad_billion_laughs.xml", &rc, &d);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

    CHECK(m == NULL);
    CHECK_INT(rc, SM_ERR_PARSE);
    CHECK(strcmp(d.code, "doctype_forbidden") == 0 ||
          strcmp(d.code, "malformed_xml") == 0);
    CHECK(secs < 1.0);
}

/* Builds <alert> around n nested elements, so that libxml2's own limit
 * (256) and ours (32) are both exercised. */
static void
test_depth_limits(void)
{
    static const int depths[] = { 30, 33, 300 };

    for (size_t k = 0; k < 3; k++) {
        size_t cap = 1024 + (size_t)depths[k] * 16, n = 0;
        char *doc = malloc(cap);
        struct warning_msg *m = NULL;
        struct sm_diag d = { 0 };
        enum sm_err rc;

        n += (size_t)snprintf(doc + n, cap - n,
                              "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">");
        for (int i = 0; i < depths[k]; i++)
            n += (size_t)snprintf(doc + n, cap - n, "<x>");
        for (int i = 0; i < depths[k]; i++)
            n += (size_t)snprintf(doc + n, cap - n, "</x>");
        n += (size_t)snprintf(doc + n, cap - n, "</alert>");
        rc = warning_parse_cap(doc, n, &m, &d);
        if (depths[k] == 30) {
            /* shallow enough: now rejected only for the missing elements */
            CHECK_INT(rc, SM_ERR_INVAL);
            CHECK_STR(d.code, "missing_element");
        } else if (depths[k] == 33) {
            CHECK_INT(rc, SM_ERR_PARSE);
            CHECK_STR(d.code, "too_deep");
        } else {
            CHECK_INT(rc, SM_ERR_PARSE);
            CHECK_STR(d.code, "malformed_xml");
        }
        CHECK(m == NULL);
        free(doc);
    }
}

static void
test_oversize_checked_before_parsing(void)
{
    /* not even XML: the size check must come first */
    size_t n = INGEST_MAX_BYTES + 1;
    char *junk = malloc(n);
    struct warning_msg *m = NULL;
    struct sm_diag d = { 0 };

    memset(junk, '<', n);
    CHECK_INT(warning_parse_cap(junk, n, &m, &d), SM_ERR_LIMIT);
    CHECK_STR(d.code, "too_large");
    CHECK_INT(warning_parse_cap(junk, INGEST_MAX_BYTES, &m, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "malformed_xml");
    free(junk);
}

static void
test_malformed_has_column(void)
{
    static const char doc[] =
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
        "  <identifier>a</identifier>\n"
        "  <sender>b<</sender>\n"
        "</alert>\n";
    struct warning_msg *m = NULL;
    struct sm_diag d = { 0 };

    CHECK_INT(warning_parse_cap(doc, sizeof(doc) - 1, &m, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "malformed_xml");
    CHECK_INT(d.line, 3);
    CHECK(d.column > 0);
    CHECK_INT(warning_parse_cap("", 0, &m, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "malformed_xml");
}

static void
test_ack_without_info(void)
{
    static const char doc[] =
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
        "<identifier>ACK-1</identifier><sender>jiangxian@example.cn</sender>"
        "<sent>2025-12-01T16:05:00+08:00</sent><status>Actual</status>"
        "<msgType>Ack</msgType><scope>Public</scope>"
        "<references>yc-aqoffice@yuncheng.gov.cn,YC-AQ-2025-0012,2025-12-01T16:00:00Z</references>"
        "</alert>";
    struct warning_msg *m = NULL;
    struct sm_diag d = { 0 };

    CHECK_INT(warning_parse_cap(doc, sizeof(doc) - 1, &m, &d), SM_OK);
    if (m) {
        CHECK_INT(m->msg_type, WARNING_MSG_ACK);
        CHECK_INT(m->level, LEVEL_NONE);
        CHECK_INT(m->refs[0].sent_ms, T_SENT + 8 * 3600000LL);
    }
    warning_msg_free(m);
}

/* the level parameter in any ASCII case, as the JSON reader takes it
 * (test_warning_json test_level_any_case); a word that is no level is
 * refused by both with bad_enumeration */
static void
test_level_case_as_json(void)
{
    static const struct { const char *text; enum level want; } cases[] = {
        /* the document's severity is Moderate: only yellow agrees with it */
        { "Yellow", LEVEL_YELLOW }, { "YELLOW", LEVEL_YELLOW }, { "yElLoW", LEVEL_YELLOW },
    };
    size_t len = 0;
    char *raw = load("good_yellow_140826.xml", &len);
    const char *at = raw ? strstr(raw, "<value>yellow</value>") : NULL;
    char doc[8192];
    struct warning_msg *m = NULL;
    struct sm_diag d = { 0 };

    CHECK(at != NULL);
    if (!at) {
        free(raw);
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = snprintf(doc, sizeof(doc), "%.*s<value>%s</value>%s", (int)(at - raw), raw,
                         cases[i].text, at + strlen("<value>yellow</value>"));
        m = NULL;
        CHECK_INT(warning_parse_cap(doc, (size_t)n, &m, &d), SM_OK);
        if (m)
            CHECK_INT(m->level, cases[i].want);
        warning_msg_free(m);
    }
    int n = snprintf(doc, sizeof(doc), "%.*s<value>Yellowish</value>%s", (int)(at - raw), raw,
                     at + strlen("<value>yellow</value>"));
    m = NULL;
    CHECK_INT(warning_parse_cap(doc, (size_t)n, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_enumeration");
    CHECK(strstr(d.text, "parameter level 'Yellowish' is not") != NULL);
    CHECK(m == NULL);
    free(raw);
}

static void
test_parse_by_content_type(void)
{
    size_t len = 0;
    char *raw = load("good_yellow_140826.xml", &len);
    struct warning_msg *m = NULL;
    struct sm_diag d = { 0 };

    CHECK_INT(warning_parse("application/cap+xml; charset=utf-8", raw, len, &m, &d),
              SM_OK);
    warning_msg_free(m);
    CHECK_INT(warning_parse("TEXT/XML", raw, len, &m, &d), SM_OK);
    warning_msg_free(m);
    CHECK_INT(warning_parse(NULL, raw, len, &m, &d), SM_OK);
    if (m)
        CHECK_STR(m->format, "cap");
    warning_msg_free(m);
    CHECK_INT(warning_parse("application/json", raw, len, &m, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "malformed_json");
    CHECK_INT(warning_parse("text/plain", raw, len, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "unsupported_media_type");
    CHECK_INT(warning_parse("", "hello", 5, &m, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "unknown_format");
    CHECK(m == NULL);
    free(raw);
}

CHECK_MAIN(CHECK_CASE(test_level_case_as_json), CHECK_CASE(test_yellow_alert_140826),
           CHECK_CASE(test_severity_only_orange),
           CHECK_CASE(test_update_with_references),
           CHECK_CASE(test_cancel),
           CHECK_CASE(test_exercise_and_test_status),
           CHECK_CASE(test_ozone_pollutant),
           CHECK_CASE(test_areas),
           CHECK_CASE(test_chinese_profile),
           CHECK_CASE(test_gb18030_document),
           CHECK_CASE(test_red_with_forecast),
           CHECK_CASE(test_first_env_info_is_used),
           CHECK_CASE(test_rejections),
           CHECK_CASE(test_missing_diag_names_element),
           CHECK_CASE(test_xxe_never_leaks),
           CHECK_CASE(test_billion_laughs_is_quick),
           CHECK_CASE(test_depth_limits),
           CHECK_CASE(test_oversize_checked_before_parsing),
           CHECK_CASE(test_malformed_has_column),
           CHECK_CASE(test_ack_without_info),
           CHECK_CASE(test_parse_by_content_type))
