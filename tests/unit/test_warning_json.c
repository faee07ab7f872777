/* ingest: the contract's JSON warning form, exact fields and exact codes. */
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "check.h"
#include "ingest/warning.h"

#define T_SENT    1764576000000LL /* 2025-12-01T16:00:00+08:00 */
#define T_ONSET   1764604800000LL /* 2025-12-02T00:00:00+08:00 */
#define T_EXPIRES 1764864000000LL /* 2025-12-05T00:00:00+08:00 */

static const char good[] =
    "{\n"
    "  \"identifier\": \"YC-AQ-2025-0012\",\n"
    "  \"sender\": \"yc-aqoffice@yuncheng.gov.cn\",\n"
    "  \"sent\": \"2025-12-01T16:00:00+08:00\",\n"
    "  \"msg_type\": \"alert\",\n"
    "  \"status\": \"actual\",\n"
    "  \"references\": [],\n"
    "  \"level\": \"yellow\",\n"
    "  \"onset\": \"2025-12-02T00:00:00+08:00\",\n"
    "  \"expires\": \"2025-12-05T00:00:00+08:00\",\n"
    "  \"area\": [\"140826\"],\n"
    "  \"headline\": \"运城市启动重污染天气黄色预警（Ⅲ级响应）\",\n"
    "  \"primary_pollutant\": \"PM2.5\",\n"
    "  \"description\": \"首要污染物为PM2.5\",\n"
    "  \"forecast\": [230, 250, 180]\n"
    "}\n";

static enum sm_err
parse(const char *s, struct warning_msg **m, struct sm_diag *d)
{
    memset(d, 0, sizeof(*d));
    return warning_parse_json(s, strlen(s), m, d);
}

static void
test_full_alert(void)
{
    struct warning_msg *m = NULL;
    struct sm_diag d;
    char hex[65];

    CHECK_INT(parse(good, &m, &d), SM_OK);
    if (!m)
        return;
    sm_sha256_hex(good, strlen(good), hex);
    CHECK_STR(m->sha256, hex);
    CHECK_STR(m->format, "json");
    CHECK_STR(m->identifier, "YC-AQ-2025-0012");
    CHECK_STR(m->sender, "yc-aqoffice@yuncheng.gov.cn");
    CHECK_INT(m->sent_ms, T_SENT);
    CHECK_INT(m->msg_type, WARNING_MSG_ALERT);
    CHECK_INT(m->status, WARNING_STATUS_ACTUAL);
    CHECK_INT(m->ref_count, 0);
    CHECK_INT(m->level, LEVEL_YELLOW);
    CHECK(m->level_from_parameter);
    CHECK_STR(m->severity, "");
    CHECK_INT(m->onset_ms, T_ONSET);
    CHECK_INT(m->effective_ms, 0);
    CHECK_INT(m->expires_ms, T_EXPIRES);
    CHECK(m->has_area);
    CHECK_INT(m->area_count, 1);
    CHECK_STR(m->areas[0].code, "140826");
    CHECK_STR(m->areas[0].value_name, "");
    CHECK_STR(m->headline, "运城市启动重污染天气黄色预警（Ⅲ级响应）");
    CHECK_STR(m->description, "首要污染物为PM2.5");
    CHECK_STR(m->primary_pollutant, "pm25");
    CHECK_INT(m->forecast_count, 3);
    CHECK_INT(m->forecast_aqi[2], 180);
    warning_msg_free(m);
}

static void
test_minimal_update_and_cancel(void)
{
    struct warning_msg *m = NULL;
    struct sm_diag d;

    CHECK_INT(parse("{\"identifier\":\"YC-AQ-2025-0014\",\"sent\":\"2025-12-02T07:30:00Z\","
                    "\"msg_type\":\"update\",\"status\":\"exercise\","
                    "\"references\":[\"YC-AQ-2025-0012\"],\"level\":\"橙色\"}",
                    &m, &d), SM_OK);
    if (m) {
        CHECK_INT(m->msg_type, WARNING_MSG_UPDATE);
        CHECK_INT(m->status, WARNING_STATUS_EXERCISE);
        CHECK_INT(m->level, LEVEL_ORANGE);
        CHECK_INT(m->ref_count, 1);
        CHECK_STR(m->refs[0].identifier, "YC-AQ-2025-0012");
        CHECK_STR(m->refs[0].sender, "");
        CHECK_INT(m->refs[0].sent_ms, 0);
        CHECK(!m->has_area);
        CHECK_STR(m->sender, "");
        CHECK_STR(m->primary_pollutant, "");
    }
    warning_msg_free(m);
    /* a cancel needs no level */
    CHECK_INT(parse("{\"identifier\":\"YC-AQ-2025-0015\",\"sent\":\"2025-12-04T10:00:00+08:00\","
                    "\"msg_type\":\"cancel\",\"status\":\"actual\","
                    "\"references\":[\"YC-AQ-2025-0012\",\"YC-AQ-2025-0014\"]}",
                    &m, &d), SM_OK);
    if (m) {
        CHECK_INT(m->msg_type, WARNING_MSG_CANCEL);
        CHECK_INT(m->level, LEVEL_NONE);
        CHECK(!m->level_from_parameter);
        CHECK_INT(m->ref_count, 2);
    }
    warning_msg_free(m);
}

static void
test_pollutants_normalised(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "o3", "o3" }, { "臭氧", "o3" }, { "PM10", "pm10" },
        { "可吸入颗粒物", "pm10" }, { "沙尘", "dust" }, { "细颗粒物", "pm25" },
        { "二氧化硫", "so2" }, { "NO2", "no2" }, { "CO", "co" },
        { "烟花爆竹", "other:烟花爆竹" },
    };
    char doc[512];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct warning_msg *m = NULL;
        struct sm_diag d;

        snprintf(doc, sizeof(doc),
                 "{\"identifier\":\"x1\",\"sent\":\"2025-12-01T16:00:00+08:00\","
                 "\"msg_type\":\"alert\",\"status\":\"actual\",\"level\":\"yellow\","
                 "\"primary_pollutant\":\"%s\"}", cases[i].in);
        CHECK_INT(parse(doc, &m, &d), SM_OK);
        if (m)
            CHECK_STR(m->primary_pollutant, cases[i].out);
        warning_msg_free(m);
    }
}

/* the level in any ASCII case, as the CAP reader takes it (test_cap
 * test_level_case_as_json) */
static void
test_level_any_case(void)
{
    static const struct { const char *text; enum level want; } cases[] = {
        { "\"Red\"", LEVEL_RED }, { "\"ORANGE\"", LEVEL_ORANGE },
        { "\"yElLoW\"", LEVEL_YELLOW }, { "\"None\"", LEVEL_NONE },
    };
    const char *at = strstr(good, "\"yellow\"");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[4096];
        struct warning_msg *m = NULL;
        struct sm_diag d;

        snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - good), good, cases[i].text,
                 at + strlen("\"yellow\""));
        CHECK_INT(parse(doc, &m, &d), SM_OK);
        if (m)
            CHECK_INT(m->level, cases[i].want);
        warning_msg_free(m);
    }
}

/* One rejection: replaces the first `from` in good with `to`. */
static void
expect_reject(const char *from, const char *to, enum sm_err want_rc,
              const char *want_code, const char *want_in_text)
{
    char doc[4096];
    const char *at = strstr(good, from);
    struct warning_msg *m = NULL;
    struct sm_diag d;
    enum sm_err rc;

    if (!at) {
        CHECK(!"pattern not in document");
        return;
    }
    snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - good), good, to,
             at + strlen(from));
    rc = parse(doc, &m, &d);
    CHECK_INT(rc, want_rc);
    CHECK_STR(d.code, want_code);
    if (want_in_text && !strstr(d.text, want_in_text)) {
        fprintf(stderr, "  diag '%s' lacks '%s'\n", d.text, want_in_text);
        CHECK(0);
    }
    CHECK(m == NULL);
    warning_msg_free(m);
}

static void
test_rejections(void)
{
    expect_reject("\"area\"", "\"areas\"", SM_ERR_INVAL, "unknown_field", "'areas'");
    expect_reject("\"level\": \"yellow\"", "\"level\": 2", SM_ERR_INVAL,
                  "wrong_type", "'level'");
    expect_reject("[\"140826\"]", "[\"140826\", 140827]", SM_ERR_INVAL,
                  "wrong_type", "'area[1]'");
    expect_reject("[230, 250, 180]", "[230, \"250\"]", SM_ERR_INVAL,
                  "wrong_type", "'forecast[1]'");
    expect_reject("\"references\": []", "\"references\": [\"a b\"]",
                  SM_ERR_INVAL, "bad_identifier", "references[0]");
    expect_reject("\"references\": []", "\"references\": \"YC-1\"",
                  SM_ERR_INVAL, "wrong_type", "'references'");
    expect_reject("\"alert\"", "\"notice\"", SM_ERR_INVAL, "bad_enumeration",
                  "'msg_type'");
    expect_reject("\"actual\"", "\"real\"", SM_ERR_INVAL, "bad_enumeration",
                  "'status'");
    expect_reject("\"yellow\"", "\"blue\"", SM_ERR_INVAL, "bad_enumeration",
                  "'level'");
    expect_reject("\"yellow\"", "\"Yellowish\"", SM_ERR_INVAL, "bad_enumeration",
                  "'Yellowish' is not none, yellow, orange or red");
    expect_reject("\"level\": \"yellow\",\n", "", SM_ERR_INVAL,
                  "missing_field", "'level'");
    expect_reject("\"identifier\": \"YC-AQ-2025-0012\",\n", "", SM_ERR_INVAL,
                  "missing_field", "'identifier'");
    expect_reject("2025-12-02T00:00:00+08:00", "2025-12-02T00:00:00",
                  SM_ERR_PARSE, "time_without_offset", "'onset'");
    expect_reject("2025-12-02T00:00:00+08:00", "2025-12-32T00:00:00+08:00",
                  SM_ERR_INVAL, "bad_time", "'onset'");
    expect_reject("2025-12-05T00:00:00+08:00", "2025-12-01T00:00:00+08:00",
                  SM_ERR_INVAL, "expires_before_onset", NULL);
    expect_reject("\"140826\"", "\"绛县\"", SM_ERR_INVAL, "bad_geocode",
                  "'area[0]'");
    expect_reject("[230, 250, 180]", "[230, 9999]", SM_ERR_INVAL,
                  "bad_forecast", "'forecast[1]'");
}

static void
test_malformed_and_duplicates(void)
{
    struct warning_msg *m = NULL;
    struct sm_diag d;

    CHECK_INT(parse("{\n  \"identifier\": \"a\",\n  \"sent\" \"x\"\n}", &m, &d),
              SM_ERR_PARSE);
    CHECK_STR(d.code, "malformed_json");
    CHECK_INT(d.line, 3);
    CHECK(d.column > 0);
    CHECK_INT(parse("{\"identifier\":\"a\",\"identifier\":\"b\"}", &m, &d),
              SM_ERR_PARSE);
    CHECK_STR(d.code, "malformed_json");
    CHECK(strstr(d.text, "duplicate") != NULL);
    CHECK_INT(parse("[1,2]", &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "wrong_type");
    CHECK_INT(parse("", &m, &d), SM_ERR_PARSE);
    CHECK(m == NULL);
}

static void
test_size_limit_and_dispatch(void)
{
    size_t n = INGEST_MAX_BYTES + 1;
    char *big = malloc(n);
    struct warning_msg *m = NULL;
    struct sm_diag d = { 0 };

    memset(big, ' ', n);
    big[0] = '{';
    CHECK_INT(warning_parse_json(big, n, &m, &d), SM_ERR_LIMIT);
    CHECK_STR(d.code, "too_large");
    free(big);
    CHECK_INT(warning_parse("application/json; charset=utf-8", good, strlen(good),
                            &m, &d), SM_OK);
    warning_msg_free(m);
    CHECK_INT(warning_parse(NULL, good, strlen(good), &m, &d), SM_OK);
    if (m)
        CHECK_STR(m->format, "json");
    warning_msg_free(m);
}

CHECK_MAIN(CHECK_CASE(test_level_any_case), CHECK_CASE(test_full_alert),
           CHECK_CASE(test_minimal_update_and_cancel),
           CHECK_CASE(test_pollutants_normalised),
           CHECK_CASE(test_rejections),
           CHECK_CASE(test_malformed_and_duplicates),
           CHECK_CASE(test_size_limit_and_dispatch))
