/* POST /v1/compliance: meter and emission readings, inspections and gate
 * records. Each item is accepted or rejected on its own (a bad one never
 * drops a good one); the accepted ones and the re-judgement of the orders
 * they touch commit in one transaction. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/compat.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "list/uscc.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "store/store.h"
#include "store/store_compliance.h"

#define RECORD_ITEMS_MAX 10000
#define RECORD_LINE_MAX 200
#define RECORD_NOTE_MAX 2000
#define RECORD_PHOTO_MAX 1024
#define RECORD_PLATE_MAX 32
/* a device clock a little ahead of ours is not "the future" */
#define RECORD_FUTURE_SLACK_MS 60000

struct rejection {
    char code[48];
    char message[256];
};

/* Sets a rejection and returns false, so checks read as one line each. */
static bool SM_PRINTF(3, 4)
reject(struct rejection *rj, const char *code, const char *fmt, ...)
{
    va_list ap;

    snprintf(rj->code, sizeof(rj->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(rj->message, sizeof(rj->message), fmt, ap);
    va_end(ap);
    return false;
}

/* Only the named keys may appear. */
static bool
keys_known(const json_t *item, const char *const *keys, size_t n, struct rejection *rj)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)item, k, v) {
        size_t i = 0;
        (void)v;
        while (i < n && strcmp(keys[i], k) != 0)
            i++;
        if (i == n)
            return reject(rj, "unknown_field", "unknown field \"%s\"", k);
    }
    return true;
}

static bool
get_string(const json_t *item, const char *key, bool required, size_t max, const char **out,
           struct rejection *rj)
{
    json_t *v = json_object_get(item, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return reject(rj, "missing_field", "\"%s\" is required", key);
        return true;
    }
    if (!json_is_string(v))
        return reject(rj, "bad_type", "\"%s\" must be a string", key);
    if (required && json_string_length(v) == 0)
        return reject(rj, "missing_field", "\"%s\" must not be empty", key);
    if (json_string_length(v) > max)
        return reject(rj, "too_long", "\"%s\" is longer than %zu bytes", key, max);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return reject(rj, "bad_type", "\"%s\" contains a NUL character", key);
    *out = json_string_value(v);
    return true;
}

static bool
get_time(const json_t *item, int64_t now, int64_t *at, struct rejection *rj)
{
    struct sm_diag d = { 0 };
    const char *s;

    if (!get_string(item, "at", true, 64, &s, rj))
        return false;
    if (sm_time_parse(s, at, &d) != SM_OK)
        return reject(rj, d.code[0] ? d.code : "bad_time", "\"at\": %s",
                      d.text[0] ? d.text : "not an RFC 3339 time with an offset");
    if (*at > now + RECORD_FUTURE_SLACK_MS)
        return reject(rj, "future_time", "\"at\" %s is in the future", s);
    return true;
}

static bool
get_enterprise_line(struct app *app, const json_t *item, bool with_line, const char **uscc,
                    const char **line, struct rejection *rj, enum sm_err *err)
{
    struct sm_diag d = { 0 };
    bool known = false;

    if (!get_string(item, "uscc", true, 18, uscc, rj))
        return false;
    if (!uscc_valid(*uscc, &d))
        return reject(rj, "bad_uscc", "\"uscc\": %s", d.text[0] ? d.text : "not a valid code");
    if (with_line && !get_string(item, "line", true, RECORD_LINE_MAX, line, rj))
        return false;
    *err = store_line_known(app->store, *uscc, with_line ? *line : NULL, &known);
    if (*err)
        return false;
    if (!known && with_line) {
        *err = store_line_known(app->store, *uscc, NULL, &known);
        if (*err)
            return false;
        if (known)
            return reject(rj, "unknown_line", "enterprise %s has no line \"%s\" on its list",
                          *uscc, *line);
    }
    if (!known)
        return reject(rj, "unknown_enterprise", "enterprise %s is not on the list", *uscc);
    return true;
}

static bool
is_emission_metric(const char *m)
{
    return strcmp(m, "so2_mg_m3") == 0 || strcmp(m, "nox_mg_m3") == 0 ||
           strcmp(m, "pm_mg_m3") == 0;
}

static bool
record_measurement(struct app *app, const struct ops_actor *who, const json_t *item, int64_t now,
                   const char **uscc, struct rejection *rj, enum sm_err *err)
{
    static const char *const keys[] = { "uscc", "line", "metric", "value", "at", "flow_m3_h" };
    struct meter_sample_rec r = { 0 };
    json_t *v, *flow;

    if (!keys_known(item, keys, SM_ARRAY_LEN(keys), rj) ||
        !get_enterprise_line(app, item, true, &r.uscc, &r.line, rj, err) ||
        !get_string(item, "metric", true, 32, &r.metric, rj))
        return false;
    if (strcmp(r.metric, "power_kw") != 0 && !is_emission_metric(r.metric))
        return reject(rj, "bad_metric",
                      "\"metric\" must be power_kw, so2_mg_m3, nox_mg_m3 or pm_mg_m3, not \"%s\"",
                      r.metric);
    v = json_object_get(item, "value");
    if (!json_is_number(v))
        return reject(rj, v ? "bad_type" : "missing_field", "\"value\" must be a number");
    r.value = json_number_value(v);
    if (!isfinite(r.value) || r.value < 0)
        return reject(rj, "bad_value", "\"value\" must not be negative");
    flow = json_object_get(item, "flow_m3_h");
    if (flow && !json_is_null(flow)) {
        if (!is_emission_metric(r.metric))
            return reject(rj, "bad_field", "\"flow_m3_h\" belongs to emission readings only");
        if (!json_is_number(flow) || !isfinite(json_number_value(flow)) ||
            json_number_value(flow) < 0)
            return reject(rj, "bad_value", "\"flow_m3_h\" must be a non-negative number");
        r.has_flow = true;
        r.flow_m3_h = json_number_value(flow);
    }
    if (!get_time(item, now, &r.at_ms, rj))
        return false;
    *err = store_sample_put(app->store, &r, now, who->actor);
    *uscc = r.uscc;
    return !*err;
}

static bool
record_inspection(struct app *app, const struct ops_actor *who, const json_t *item, int64_t now,
                  const char **uscc, struct rejection *rj, enum sm_err *err)
{
    static const char *const keys[] = { "uscc", "line", "result", "note", "at", "photo" };
    struct inspection_rec r = { 0 };

    if (!keys_known(item, keys, SM_ARRAY_LEN(keys), rj) ||
        !get_enterprise_line(app, item, true, &r.uscc, &r.line, rj, err) ||
        !get_string(item, "result", true, 16, &r.result, rj))
        return false;
    if (strcmp(r.result, "compliant") != 0 && strcmp(r.result, "violation") != 0)
        return reject(rj, "bad_result", "\"result\" must be compliant or violation, not \"%s\"",
                      r.result);
    if (!get_string(item, "note", false, RECORD_NOTE_MAX, &r.note, rj) ||
        !get_string(item, "photo", false, RECORD_PHOTO_MAX, &r.photo, rj) ||
        !get_time(item, now, &r.at_ms, rj))
        return false;
    *err = store_inspection_put(app->store, &r, now, who->actor);
    *uscc = r.uscc;
    return !*err;
}

static int
stage_number(const char *stage)
{
    static const struct { const char *name; int num; } stages[] = {
        { "CN3", 3 }, { "CN4", 4 }, { "CN5", 5 }, { "CN6", 6 },
        { "EV", 99 }, /* electric: no tailpipe stage, never banned */
    };

    if (!stage)
        return 0;
    for (size_t i = 0; i < SM_ARRAY_LEN(stages); i++)
        if (strcmp(stage, stages[i].name) == 0)
            return stages[i].num;
    return 0;
}

static bool
record_gate(struct app *app, const struct ops_actor *who, const json_t *item, int64_t now,
            const char **uscc, struct rejection *rj, enum sm_err *err)
{
    static const char *const keys[] = { "uscc", "plate", "stage", "at" };
    struct gate_rec r = { 0 };

    if (!keys_known(item, keys, SM_ARRAY_LEN(keys), rj) ||
        !get_enterprise_line(app, item, false, &r.uscc, NULL, rj, err) ||
        !get_string(item, "plate", true, RECORD_PLATE_MAX, &r.plate, rj) ||
        !get_string(item, "stage", true, 8, &r.stage, rj))
        return false;
    r.stage_num = stage_number(r.stage);
    if (!r.stage_num)
        return reject(rj, "bad_stage", "\"stage\" must be CN3, CN4, CN5, CN6 or EV, not \"%s\"",
                      r.stage);
    if (!get_time(item, now, &r.at_ms, rj))
        return false;
    *err = store_gate_put(app->store, &r, now, who->actor);
    *uscc = r.uscc;
    return !*err;
}

typedef bool record_fn(struct app *app, const struct ops_actor *who, const json_t *item,
                       int64_t now, const char **uscc, struct rejection *rj, enum sm_err *err);

static const struct {
    const char *key;  /* the body's array */
    const char *kind; /* the rejection's "kind" */
    record_fn *fn;
} parts[] = {
    { "measurements", "measurement", record_measurement },
    { "inspections", "inspection", record_inspection },
    { "gate", "gate", record_gate },
};

/* The distinct enterprises touched, to re-judge their orders. */
struct touched {
    char **uscc;
    size_t n, cap;
};

static void
touch(struct touched *t, const char *uscc)
{
    if (!uscc)
        return;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->uscc[i], uscc) == 0)
            return;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 8;
        t->uscc = xrealloc(t->uscc, t->cap * sizeof(*t->uscc));
    }
    t->uscc[t->n++] = xstrdup(uscc);
}

static enum sm_err
check_shape(const json_t *body, struct sm_diag *diag)
{
    const char *k;
    json_t *v;
    size_t total = 0, present = 0;

    json_object_foreach((json_t *)body, k, v) {
        size_t i = 0;
        while (i < SM_ARRAY_LEN(parts) && strcmp(parts[i].key, k) != 0)
            i++;
        if (i == SM_ARRAY_LEN(parts)) {
            sm_diag_set(diag, "unknown_field",
                        "unknown field \"%s\": expected measurements, inspections or gate", k);
            return SM_ERR_INVAL;
        }
        if (!json_is_array(v)) {
            sm_diag_set(diag, "bad_type", "\"%s\" must be an array", k);
            return SM_ERR_INVAL;
        }
        present++;
        total += json_array_size(v);
    }
    if (!present) {
        sm_diag_set(diag, "empty", "send \"measurements\", \"inspections\" or \"gate\"");
        return SM_ERR_INVAL;
    }
    if (total > RECORD_ITEMS_MAX) {
        sm_diag_set(diag, "too_many_items", "%zu items; at most %d in one request", total,
                    RECORD_ITEMS_MAX);
        return SM_ERR_LIMIT;
    }
    return SM_OK;
}

enum sm_err
ops_record_compliance(struct app *app, const struct ops_actor *who, const json_t *body,
                      json_t **reply, struct sm_diag *diag)
{
    int64_t now = clock_now(&app->clock);
    json_t *rejected = NULL, *judged = NULL;
    struct touched t = { 0 };
    json_int_t accepted = 0;
    enum sm_err err;

    *reply = NULL;
    if (!json_is_object(body)) {
        sm_diag_set(diag, "bad_type", "the body must be a JSON object");
        return SM_ERR_INVAL;
    }
    err = check_shape(body, diag);
    if (err)
        return err;
    err = store_begin(app->store);
    if (err)
        return err;
    rejected = json_array();
    judged = json_array();
    for (size_t p = 0; !err && p < SM_ARRAY_LEN(parts); p++) {
        json_t *arr = json_object_get(body, parts[p].key);
        for (size_t i = 0; !err && i < json_array_size(arr); i++) {
            json_t *item = json_array_get(arr, i);
            struct rejection rj = { "", "" };
            const char *uscc = NULL;
            bool ok = json_is_object(item)
                          ? parts[p].fn(app, who, item, now, &uscc, &rj, &err)
                          : reject(&rj, "bad_type", "each item must be a JSON object");
            if (err)
                break;
            if (ok) {
                accepted++;
                touch(&t, uscc);
            } else {
                json_array_append_new(rejected, json_pack("{s:I,s:s,s:s,s:s}", "index",
                                                          (json_int_t)i, "kind", parts[p].kind,
                                                          "code", rj.code, "message",
                                                          rj.message));
            }
        }
    }
    if (!err && t.n) {
        struct judge_filter f = { 0, (const char *const *)t.uscc, t.n };
        err = ops_judge_in_tx(app, now, &f, judged);
    }
    if (!err) {
        char detail[128];
        snprintf(detail, sizeof(detail), "{\"accepted\":%lld,\"rejected\":%zu}",
                 (long long)accepted, json_array_size(rejected));
        err = ops_audit(app, now, who->actor, who->role, "compliance.record", "compliance", "ok",
                        detail);
    }
    if (!err)
        err = store_commit(app->store);
    if (err) {
        store_rollback(app->store);
        json_decref(rejected);
        json_decref(judged);
    } else {
        *reply = json_pack("{s:I,s:o,s:o}", "accepted", accepted, "rejected", rejected, "orders",
                           judged);
    }
    for (size_t i = 0; i < t.n; i++)
        free(t.uscc[i]);
    free(t.uscc);
    return err;
}
