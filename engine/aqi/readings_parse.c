/* Readings bodies into accepted readings and per-reading rejections. A bad
 * reading never drops a good one; only a body that cannot be read as a
 * whole (not JSON, not the expected shape, too many readings) fails as a
 * whole. */
#include "aqi/readings_parse.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"

void
readings_batch_init(struct readings_batch *b)
{
    memset(b, 0, sizeof(*b));
}

void
readings_batch_release(struct readings_batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        free(b->readings[i].station);
    free(b->readings);
    free(b->rejects);
    readings_batch_init(b);
}

static void SM_PRINTF(4, 5)
reject(struct readings_batch *b, size_t index, const char *code, const char *fmt, ...)
{
    struct reading_reject *r = &b->rejects[b->reject_count++];
    va_list ap;

    r->index = index;
    snprintf(r->code, sizeof(r->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
}

static void
diag_source(struct sm_diag *diag)
{
    if (diag)
        snprintf(diag->source, sizeof(diag->source), "request body");
}

/* Loads the body as a JSON object, or says why not. */
static json_t *
load_object(const char *body, size_t len, struct sm_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

    if (!root) {
        sm_diag_at(diag, jerr.line, jerr.column, "bad_json", "malformed JSON: %s", jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        sm_diag_at(diag, 1, 1, "not_an_object", "the body must be a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Checks a station id: 1..READINGS_STATION_MAX bytes, no control
 * characters. NULL when good, else why not (static). */
static const char *
station_problem(const char *s)
{
    size_t n = strlen(s);

    if (n == 0)
        return "is empty";
    if (n > READINGS_STATION_MAX)
        return "is longer than 64 bytes";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return "contains a control character";
    return NULL;
}

static bool
value_in_range(struct readings_batch *b, size_t index, const char *path, double v)
{
    if (v < 0) {
        reject(b, index, "negative_value", "%s: %g is negative", path, v);
        return false;
    }
    if (!isfinite(v) || v > READINGS_VALUE_MAX) {
        reject(b, index, "value_out_of_range", "%s: %g is above %g", path, v,
               READINGS_VALUE_MAX);
        return false;
    }
    return true;
}

static const char *const reading_fields[] = { "station", "pollutant", "value",
                                              "unit",    "period",    "at" };

/* Validates element i of "readings"; on success appends to b->readings. */
static void
parse_reading(struct readings_batch *b, size_t i, json_t *obj, int64_t now_ms)
{
    const char *key, *station, *pname, *uname, *at;
    json_t *val, *jperiod;
    struct reading r;
    struct sm_diag tdiag;
    const char *problem;
    char path[48];

    snprintf(path, sizeof(path), "readings[%zu]", i);
    if (!json_is_object(obj)) {
        reject(b, i, "not_an_object", "%s: a reading must be an object", path);
        return;
    }
    json_object_foreach(obj, key, val) {
        bool known = false;
        for (size_t k = 0; k < SM_ARRAY_LEN(reading_fields); k++)
            if (strcmp(key, reading_fields[k]) == 0)
                known = true;
        if (!known) {
            reject(b, i, "unknown_field", "%s: unknown field '%.40s'", path, key);
            return;
        }
    }
    for (size_t k = 0; k < SM_ARRAY_LEN(reading_fields); k++) {
        if (strcmp(reading_fields[k], "period") != 0 && !json_object_get(obj, reading_fields[k])) {
            reject(b, i, "missing_field", "%s.%s is missing", path, reading_fields[k]);
            return;
        }
    }
    memset(&r, 0, sizeof(r));
    r.index = i;

    station = json_string_value(json_object_get(obj, "station"));
    if (!station) {
        reject(b, i, "bad_station", "%s.station must be a string", path);
        return;
    }
    if ((problem = station_problem(station)) != NULL) {
        reject(b, i, "bad_station", "%s.station %s", path, problem);
        return;
    }
    pname = json_string_value(json_object_get(obj, "pollutant"));
    if (!pname || !aqi_pollutant_parse(pname, &r.pollutant)) {
        reject(b, i, "unknown_pollutant",
               "%s.pollutant must be one of pm25, pm10, so2, no2, o3, co", path);
        return;
    }
    val = json_object_get(obj, "value");
    if (!json_is_number(val)) {
        reject(b, i, "not_a_number", "%s.value must be a JSON number", path);
        return;
    }
    r.value = json_number_value(val);
    {
        char vpath[64];
        snprintf(vpath, sizeof(vpath), "%s.value", path);
        if (!value_in_range(b, i, vpath, r.value))
            return;
    }
    uname = json_string_value(json_object_get(obj, "unit"));
    if (!uname || !aqi_unit_parse(uname, &r.unit)) {
        reject(b, i, "unknown_unit", "%s.unit must be ug/m3 or mg/m3", path);
        return;
    }
    if (r.unit != aqi_unit_of(r.pollutant)) {
        reject(b, i, "wrong_unit", "%s.unit: %s is measured in %s", path,
               aqi_pollutant_name(r.pollutant), aqi_unit_name(aqi_unit_of(r.pollutant)));
        return;
    }
    jperiod = json_object_get(obj, "period");
    if (jperiod && (!json_is_string(jperiod) || strcmp(json_string_value(jperiod), "1h") != 0)) {
        reject(b, i, "bad_period", "%s.period must be \"1h\" (hourly means only)", path);
        return;
    }
    at = json_string_value(json_object_get(obj, "at"));
    memset(&tdiag, 0, sizeof(tdiag));
    if (!at) {
        reject(b, i, "bad_time", "%s.at must be an RFC 3339 string", path);
        return;
    }
    if (sm_time_parse(at, &r.at_ms, &tdiag) != SM_OK) {
        reject(b, i, tdiag.code[0] ? tdiag.code : "bad_time", "%s.at: %s", path, tdiag.text);
        return;
    }
    if (r.at_ms % SM_MS_PER_HOUR != 0) {
        reject(b, i, "not_on_the_hour", "%s.at: '%.40s' is not the end of an hour", path, at);
        return;
    }
    if (r.at_ms > now_ms) {
        reject(b, i, "time_in_future", "%s.at: '%.40s' is in the future", path, at);
        return;
    }
    r.station = xstrdup(station);
    b->readings[b->count++] = r;
}

/* Room for n readings and n rejections. */
static void
batch_reserve(struct readings_batch *b, size_t n)
{
    b->readings = xcalloc(n ? n : 1, sizeof(*b->readings));
    b->rejects = xcalloc(n ? n : 1, sizeof(*b->rejects));
}

enum sm_err
readings_parse_json(struct readings_batch *out, const char *body, size_t len, int64_t now_ms,
                    struct sm_diag *diag)
{
    enum sm_err err = SM_ERR_PARSE;
    struct readings_batch b;
    json_t *root = NULL, *arr, *elem;
    const char *key;
    size_t i;

    readings_batch_init(out);
    readings_batch_init(&b);
    diag_source(diag);
    root = load_object(body, len, diag);
    if (!root)
        goto out;
    arr = json_object_get(root, "readings");
    if (!json_is_array(arr)) {
        sm_diag_set(diag, "no_readings", "the body needs a \"readings\" array");
        goto out;
    }
    json_object_foreach(root, key, elem) {
        if (strcmp(key, "readings") != 0) {
            sm_diag_set(diag, "unknown_field", "unknown top-level field '%.40s'", key);
            err = SM_ERR_INVAL;
            goto out;
        }
    }
    if (json_array_size(arr) > READINGS_MAX_COUNT) {
        sm_diag_set(diag, "too_many_readings", "%zu readings; at most %d per request",
                    json_array_size(arr), READINGS_MAX_COUNT);
        err = SM_ERR_LIMIT;
        goto out;
    }
    batch_reserve(&b, json_array_size(arr));
    json_array_foreach(arr, i, elem)
        parse_reading(&b, i, elem, now_ms);
    *out = b;
    readings_batch_init(&b);
    err = SM_OK;
out:
    readings_batch_release(&b);
    json_decref(root);
    return err;
}

/* Strict decimal: [-]digits[.digits][(e|E)[+-]digits], nothing else (no
 * spaces, hex, inf or nan, which strtod would take). */
static bool
decimal_parse(const char *s, double *out)
{
    const char *p = s;
    char *end = NULL;
    bool digits = false;

    if (*p == '-' || *p == '+')
        p++;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits = true;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits = true;
        }
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p != '\0')
        return false;
    *out = strtod(s, &end);
    return end == p;
}

/* now rounded up to a whole hour (the end of the hour it falls in). */
static int64_t
end_of_hour(int64_t now_ms)
{
    int64_t q = now_ms / SM_MS_PER_HOUR;

    if (now_ms % SM_MS_PER_HOUR > 0)
        q++;
    return q * SM_MS_PER_HOUR;
}

static void
parse_sensor_value(struct readings_batch *b, size_t i, json_t *obj, const char *station,
                   int64_t at_ms)
{
    const char *type, *text;
    json_t *jv;
    struct reading r;
    char path[64];

    snprintf(path, sizeof(path), "sensordatavalues[%zu]", i);
    if (!json_is_object(obj)) {
        reject(b, i, "not_an_object", "%s: must be an object", path);
        return;
    }
    type = json_string_value(json_object_get(obj, "value_type"));
    if (!type) {
        reject(b, i, "missing_field", "%s.value_type is missing or not a string", path);
        return;
    }
    memset(&r, 0, sizeof(r));
    if (strcmp(type, "P1") == 0)
        r.pollutant = AQI_PM10;
    else if (strcmp(type, "P2") == 0)
        r.pollutant = AQI_PM25;
    else
        return; /* temperature, humidity, P0, ...: not ours */
    jv = json_object_get(obj, "value");
    text = json_string_value(jv);
    if (text) {
        if (!decimal_parse(text, &r.value)) {
            reject(b, i, "not_a_number", "%s.value '%.40s' is not a decimal number", path, text);
            return;
        }
    } else if (json_is_number(jv)) {
        r.value = json_number_value(jv);
    } else {
        reject(b, i, "not_a_number", "%s.value must be a number or a decimal string", path);
        return;
    }
    {
        char vpath[80];
        snprintf(vpath, sizeof(vpath), "%s.value", path);
        if (!value_in_range(b, i, vpath, r.value))
            return;
    }
    r.unit = AQI_UNIT_UG_M3;
    r.at_ms = at_ms;
    r.index = i;
    r.station = xstrdup(station);
    b->readings[b->count++] = r;
}

enum sm_err
readings_parse_sensor_community(struct readings_batch *out, const char *body, size_t len,
                                const char *station, int64_t now_ms, struct sm_diag *diag)
{
    enum sm_err err = SM_ERR_PARSE;
    struct readings_batch b;
    json_t *root = NULL, *arr, *elem;
    const char *problem;
    size_t i;

    readings_batch_init(out);
    readings_batch_init(&b);
    diag_source(diag);
    problem = station ? station_problem(station) : "is missing";
    if (problem) {
        sm_diag_set(diag, "bad_station", "the sensor id (X-Sensor) %s", problem);
        err = SM_ERR_INVAL;
        goto out;
    }
    root = load_object(body, len, diag);
    if (!root)
        goto out;
    arr = json_object_get(root, "sensordatavalues");
    if (!json_is_array(arr)) {
        sm_diag_set(diag, "no_readings", "the body needs a \"sensordatavalues\" array");
        goto out;
    }
    if (json_array_size(arr) > READINGS_MAX_COUNT) {
        sm_diag_set(diag, "too_many_readings", "%zu values; at most %d per request",
                    json_array_size(arr), READINGS_MAX_COUNT);
        err = SM_ERR_LIMIT;
        goto out;
    }
    batch_reserve(&b, json_array_size(arr));
    json_array_foreach(arr, i, elem)
        parse_sensor_value(&b, i, elem, station, end_of_hour(now_ms));
    *out = b;
    readings_batch_init(&b);
    err = SM_OK;
out:
    readings_batch_release(&b);
    json_decref(root);
    return err;
}
