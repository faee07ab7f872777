/* Readings bodies: each bad reading is rejected alone with its index and
 * code while good ones pass; whole-body failures; Sensor.Community pushes. */
#include <stdlib.h>

#include "aqi/readings_parse.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "check.h"

/* 2025-12-01T10:20:00+08:00 */
static int64_t
now_ms(void)
{
    int64_t t = 0;
    if (sm_time_parse("2025-12-01T10:20:00+08:00", &t, NULL) != SM_OK)
        abort();
    return t;
}

static int64_t
at(const char *s)
{
    int64_t t = 0;
    if (sm_time_parse(s, &t, NULL) != SM_OK)
        abort();
    return t;
}

static enum sm_err
parse(struct readings_batch *b, const char *body, struct sm_diag *d)
{
    return readings_parse_json(b, body, strlen(body), now_ms(), d);
}

static void
test_good_readings(void)
{
    const char *body =
        "{\"readings\": ["
        "{\"station\": \"dangxiao\", \"pollutant\": \"pm25\", \"value\": 87.5,"
        " \"unit\": \"ug/m3\", \"period\": \"1h\", \"at\": \"2025-12-01T10:00:00+08:00\"},"
        "{\"station\": \"hbj\", \"pollutant\": \"CO\", \"value\": 1,"
        " \"unit\": \"mg/m3\", \"at\": \"2025-12-01T01:00:00Z\"},"
        "{\"station\": \"hbj\", \"pollutant\": \"PM2.5\", \"value\": 0,"
        " \"unit\": \"\xce\xbcg/m\xc2\xb3\", \"period\": \"1h\", \"at\": \"2025-12-01T09:00:00+08:00\"}"
        "]}";
    struct readings_batch b;
    struct sm_diag d = { 0 };

    CHECK_INT(parse(&b, body, &d), SM_OK);
    CHECK_INT(b.count, 3);
    CHECK_INT(b.reject_count, 0);
    CHECK_STR(b.readings[0].station, "dangxiao");
    CHECK_INT(b.readings[0].pollutant, AQI_PM25);
    CHECK_NEAR(b.readings[0].value, 87.5, 1e-12);
    CHECK_INT(b.readings[0].unit, AQI_UNIT_UG_M3);
    CHECK_INT(b.readings[0].at_ms, at("2025-12-01T02:00:00Z"));
    CHECK_INT(b.readings[0].index, 0);
    CHECK_INT(b.readings[1].pollutant, AQI_CO);
    CHECK_INT(b.readings[1].unit, AQI_UNIT_MG_M3);
    CHECK_NEAR(b.readings[1].value, 1, 0);
    CHECK_INT(b.readings[2].pollutant, AQI_PM25);
    CHECK_INT(b.readings[2].index, 2);
    readings_batch_release(&b);
    CHECK_INT(b.count, 0);
    CHECK(b.readings == NULL);
}

static const char *
bad_reading(const char *fields)
{
    static char body[1024];

    snprintf(body, sizeof(body),
             "{\"readings\": ["
             "{\"station\": \"a\", \"pollutant\": \"pm10\", \"value\": 10, \"unit\": \"ug/m3\","
             " \"at\": \"2025-12-01T10:00:00+08:00\"},"
             "{%s},"
             "{\"station\": \"b\", \"pollutant\": \"no2\", \"value\": 20, \"unit\": \"ug/m3\","
             " \"at\": \"2025-12-01T09:00:00+08:00\"}]}",
             fields);
    return body;
}

#define GOOD_BUT(x)                                                                   \
    "\"station\": \"s\", \"pollutant\": \"pm25\", \"unit\": \"ug/m3\", \"period\": \"1h\", " x

/* Each bad reading sits between two good ones; only it is rejected. */
static void
test_each_bad_reading_rejected_alone(void)
{
    static const struct {
        const char *fields;
        const char *code;
        const char *message;
    } cases[] = {
        { GOOD_BUT("\"value\": -1, \"at\": \"2025-12-01T10:00:00+08:00\""), "negative_value",
          "readings[1].value: -1 is negative" },
        { GOOD_BUT("\"value\": \"87.5\", \"at\": \"2025-12-01T10:00:00+08:00\""), "not_a_number",
          "readings[1].value must be a JSON number" },
        { GOOD_BUT("\"value\": null, \"at\": \"2025-12-01T10:00:00+08:00\""), "not_a_number", NULL },
        { GOOD_BUT("\"value\": 1e6, \"at\": \"2025-12-01T10:00:00+08:00\""), "value_out_of_range",
          NULL },
        { GOOD_BUT("\"value\": 5, \"at\": \"2025-12-01T10:00:00\""), "time_without_offset", NULL },
        { GOOD_BUT("\"value\": 5, \"at\": \"yesterday\""), "bad_time", NULL },
        { GOOD_BUT("\"value\": 5, \"at\": 12"), "bad_time", NULL },
        { GOOD_BUT("\"value\": 5, \"at\": \"2025-12-01T11:00:00+08:00\""), "time_in_future",
          "readings[1].at: '2025-12-01T11:00:00+08:00' is in the future" },
        { GOOD_BUT("\"value\": 5, \"at\": \"2025-12-01T09:30:00+08:00\""), "not_on_the_hour", NULL },
        { GOOD_BUT("\"value\": 5, \"at\": \"2025-12-01T09:00:00.5+08:00\""), "not_on_the_hour",
          NULL },
        { GOOD_BUT("\"value\": 5, \"at\": \"2025-12-01T10:00:00+08:00\", \"quality\": 1"),
          "unknown_field", "readings[1]: unknown field 'quality'" },
        { "\"station\": \"s\", \"pollutant\": \"pm1\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "unknown_pollutant", NULL },
        { "\"station\": \"s\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ppm\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "unknown_unit", NULL },
        { "\"station\": \"s\", \"pollutant\": \"co\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "wrong_unit", "readings[1].unit: co is measured in mg/m3" },
        { "\"station\": \"s\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"mg/m3\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "wrong_unit", NULL },
        { "\"station\": \"s\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"period\": \"24h\", \"at\": \"2025-12-01T10:00:00+08:00\"",
          "bad_period", "readings[1].period must be \"1h\" (hourly means only)" },
        { "\"station\": \"s\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"period\": 1, \"at\": \"2025-12-01T10:00:00+08:00\"",
          "bad_period", NULL },
        { "\"station\": \"s\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"period\": \"1h\"",
          "missing_field", "readings[1].at is missing" },
        { "\"station\": \"\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "bad_station", "readings[1].station is empty" },
        { "\"station\": 7, \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "bad_station", NULL },
        { "\"station\": \"a\\tb\", \"pollutant\": \"pm25\", \"value\": 5, \"unit\": \"ug/m3\","
          " \"at\": \"2025-12-01T10:00:00+08:00\"",
          "bad_station", NULL },
    };

    for (size_t i = 0; i < SM_ARRAY_LEN(cases); i++) {
        struct readings_batch b;
        struct sm_diag d = { 0 };

        if (parse(&b, bad_reading(cases[i].fields), &d) != SM_OK) {
            fprintf(stderr, "case %zu: whole body failed: %s\n", i, d.text);
            CHECK(0);
            continue;
        }
        if (b.reject_count != 1)
            fprintf(stderr, "case %zu (%s)\n", i, cases[i].code);
        CHECK_INT(b.count, 2);
        CHECK_INT(b.reject_count, 1);
        if (b.reject_count == 1) {
            CHECK_INT(b.rejects[0].index, 1);
            CHECK_STR(b.rejects[0].code, cases[i].code);
            if (cases[i].message)
                CHECK_STR(b.rejects[0].message, cases[i].message);
        }
        if (b.count == 2) {
            CHECK_INT(b.readings[0].index, 0);
            CHECK_INT(b.readings[1].index, 2);
            CHECK_STR(b.readings[1].station, "b");
        }
        readings_batch_release(&b);
    }
}

static void
test_non_object_element_rejected(void)
{
    struct readings_batch b;

    CHECK_INT(parse(&b, "{\"readings\": [42, \"x\"]}", NULL), SM_OK);
    CHECK_INT(b.count, 0);
    CHECK_INT(b.reject_count, 2);
    CHECK_STR(b.rejects[1].code, "not_an_object");
    CHECK_INT(b.rejects[1].index, 1);
    readings_batch_release(&b);

    CHECK_INT(parse(&b, "{\"readings\": []}", NULL), SM_OK);
    CHECK_INT(b.count, 0);
    CHECK_INT(b.reject_count, 0);
    readings_batch_release(&b);
}

static void
test_malformed_body(void)
{
    struct readings_batch b;
    struct sm_diag d = { 0 };

    CHECK_INT(parse(&b, "{\"readings\": [\n  {\"station\": }]}", &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "bad_json");
    CHECK_STR(d.source, "request body");
    CHECK_INT(d.line, 2);
    CHECK_INT(d.column, 15);
    CHECK_INT(b.count, 0);
    CHECK(b.readings == NULL);

    CHECK_INT(parse(&b, "[1, 2]", &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "not_an_object");
    CHECK_INT(parse(&b, "not json", &d), SM_ERR_PARSE);
    CHECK_INT(parse(&b, "", &d), SM_ERR_PARSE);
    CHECK_INT(parse(&b, "{}", &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "no_readings");
    CHECK_INT(parse(&b, "{\"readings\": {}}", &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "no_readings");
    CHECK_INT(parse(&b, "{\"readings\": [], \"readings\": []}", &d), SM_ERR_PARSE);
    CHECK_INT(parse(&b, "{\"readings\": [], \"extra\": 1}", &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_field");
    CHECK_INT(readings_parse_json(&b, "{\"readings\": []}", 5, now_ms(), NULL), SM_ERR_PARSE);
}

/* Builds {"readings": [{}, {}, ...]} with n empty readings. */
static char *
many(size_t n)
{
    char *s = xmalloc(n * 3 + 32);
    size_t len = 0;

    len += (size_t)snprintf(s, 32, "{\"readings\": [");
    for (size_t i = 0; i < n; i++) {
        memcpy(s + len, i ? ",{}" : "{}", i ? 3 : 2);
        len += i ? 3 : 2;
    }
    memcpy(s + len, "]}", 3);
    return s;
}

static void
test_reading_count_limit(void)
{
    struct readings_batch b;
    struct sm_diag d = { 0 };
    char *body = many(READINGS_MAX_COUNT);

    CHECK_INT(parse(&b, body, &d), SM_OK);
    CHECK_INT(b.reject_count, READINGS_MAX_COUNT);
    CHECK_STR(b.rejects[READINGS_MAX_COUNT - 1].code, "missing_field");
    readings_batch_release(&b);
    free(body);

    body = many(READINGS_MAX_COUNT + 1);
    CHECK_INT(parse(&b, body, &d), SM_ERR_LIMIT);
    CHECK_STR(d.code, "too_many_readings");
    CHECK_INT(b.count, 0);
    free(body);
}

static enum sm_err
push(struct readings_batch *b, const char *body, const char *station, int64_t now,
     struct sm_diag *d)
{
    return readings_parse_sensor_community(b, body, strlen(body), station, now, d);
}

static void
test_sensor_community(void)
{
    const char *body =
        "{\"esp8266id\": \"15471963\", \"software_version\": \"NRZ-2020-133\","
        " \"sensordatavalues\": ["
        "{\"value_type\": \"P1\", \"value\": \"12.3\"},"
        "{\"value_type\": \"P2\", \"value\": \"8.1\"},"
        "{\"value_type\": \"temperature\", \"value\": \"-3.5\"},"
        "{\"value_type\": \"P2\", \"value\": \"abc\"},"
        "{\"value_type\": \"P1\", \"value\": \"-1\"},"
        "{\"value_type\": \"P1\", \"value\": \" 5\"},"
        "{\"value_type\": \"P2\", \"value\": \"nan\"},"
        "{\"value_type\": \"P2\", \"value\": 4.5},"
        "{\"value\": \"4\"}"
        "]}";
    struct readings_batch b;
    struct sm_diag d = { 0 };

    CHECK_INT(push(&b, body, "esp8266-15471963", now_ms(), &d), SM_OK);
    CHECK_INT(b.count, 3);
    CHECK_INT(b.readings[0].pollutant, AQI_PM10);
    CHECK_NEAR(b.readings[0].value, 12.3, 1e-12);
    CHECK_INT(b.readings[0].unit, AQI_UNIT_UG_M3);
    CHECK_STR(b.readings[0].station, "esp8266-15471963");
    CHECK_INT(b.readings[0].at_ms, at("2025-12-01T11:00:00+08:00"));
    CHECK_INT(b.readings[1].pollutant, AQI_PM25);
    CHECK_NEAR(b.readings[1].value, 8.1, 1e-12);
    CHECK_INT(b.readings[2].index, 7);
    CHECK_NEAR(b.readings[2].value, 4.5, 1e-12);
    CHECK_INT(b.reject_count, 5);
    CHECK_INT(b.rejects[0].index, 3);
    CHECK_STR(b.rejects[0].code, "not_a_number");
    CHECK_INT(b.rejects[1].index, 4);
    CHECK_STR(b.rejects[1].code, "negative_value");
    CHECK_STR(b.rejects[2].code, "not_a_number");
    CHECK_STR(b.rejects[3].code, "not_a_number");
    CHECK_INT(b.rejects[4].index, 8);
    CHECK_STR(b.rejects[4].code, "missing_field");
    readings_batch_release(&b);

    /* A push exactly on the hour belongs to the hour ending then. */
    CHECK_INT(push(&b, "{\"sensordatavalues\": [{\"value_type\": \"P2\", \"value\": \"1\"}]}",
                   "s", at("2025-12-01T11:00:00+08:00"), &d),
              SM_OK);
    CHECK_INT(b.count, 1);
    CHECK_INT(b.readings[0].at_ms, at("2025-12-01T11:00:00+08:00"));
    readings_batch_release(&b);

    CHECK_INT(push(&b, "{\"sensordatavalues\": []}", NULL, now_ms(), &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_station");
    CHECK_INT(push(&b, "{\"sensordatavalues\": []}", "", now_ms(), &d), SM_ERR_INVAL);
    CHECK_INT(push(&b, "{\"esp8266id\": \"1\"}", "s", now_ms(), &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "no_readings");
    CHECK_INT(push(&b, "{\"sensordatavalues\": [", "s", now_ms(), &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "bad_json");
}

CHECK_MAIN(CHECK_CASE(test_good_readings), CHECK_CASE(test_each_bad_reading_rejected_alone),
           CHECK_CASE(test_non_object_element_rejected), CHECK_CASE(test_malformed_body),
           CHECK_CASE(test_reading_count_limit), CHECK_CASE(test_sensor_community))
