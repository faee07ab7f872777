/* Compliance over HTTP: meter readings, inspections and gate records in;
 * the evidence behind an order's compliance out (JSON or CSV). */
#include "api/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/buf.h"
#include "ops/ops.h"

/* evidence exports stay well below any body an officer's tools would choke on */
#define EVIDENCE_CSV_MAX (32u * 1024 * 1024)

static void
post_compliance(struct api_req *r)
{
    struct ops_actor who = { api_actor(r), api_role(r), NULL };
    struct sm_diag d = { 0 };
    json_t *body, *reply = NULL, *insp;
    enum sm_err err;

    body = api_body_json(r);
    if (!body)
        return;
    /* an inspection is an officer's finding on site; a meter or station
     * credential may not make one. The whole request is refused so that a
     * misconfigured device learns at once, and nothing of it is stored. */
    insp = json_object_get(body, "inspections");
    if (r->who.role == ROLE_MONITOR && json_is_array(insp) && json_array_size(insp) > 0) {
        json_decref(body);
        api_audit(r, "compliance.record", "inspections", "forbidden", "");
        api_reply_error(r, 403, "inspections_need_officer",
                        "inspections are recorded by duty officers; send measurements and gate "
                        "records with a monitor token, inspections with an officer token");
        return;
    }
    err = ops_record_compliance(r->app, &who, body, &reply, &d);
    json_decref(body);
    if (err)
        api_reply_err(r, err, &d);
    else
        api_reply_json(r, 200, reply);
}

/* One CSV field, quoted when it holds a separator, quote or line break. */
static bool
csv_field(struct buf *b, const char *s, bool last)
{
    bool ok = true;

    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n")) {
        ok &= buf_addstr(b, "\"");
        for (const char *p = s; *p; p++)
            ok &= *p == '"' ? buf_addstr(b, "\"\"") : buf_add(b, p, 1);
        ok &= buf_addstr(b, "\"");
    } else {
        ok &= buf_addstr(b, s);
    }
    return ok && buf_addstr(b, last ? "\r\n" : ",");
}

static bool
csv_row(struct buf *b, const char *order, const char *enterprise, const char *line,
        const char *record, const char *at, const char *value, const char *unit,
        const char *detail)
{
    return csv_field(b, order, false) && csv_field(b, enterprise, false) &&
           csv_field(b, line, false) && csv_field(b, record, false) && csv_field(b, at, false) &&
           csv_field(b, value, false) && csv_field(b, unit, false) && csv_field(b, detail, true);
}

static const char *
str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void
number(json_t *v, char out[32])
{
    if (json_is_number(v))
        snprintf(out, 32, "%.10g", json_number_value(v));
    else
        out[0] = '\0';
}

static bool
csv_hours(struct buf *b, const char *id, const char *uscc, const char *line, const char *record,
          const char *unit, json_t *hours)
{
    size_t i;
    json_t *h;
    bool ok = true;

    json_array_foreach(hours, i, h) {
        char v[32], detail[64];
        number(json_object_get(h, "mean"), v);
        snprintf(detail, sizeof(detail), "samples=%lld; %s",
                 (long long)json_integer_value(json_object_get(h, "samples")),
                 json_is_true(json_object_get(h, "counted")) ? "counted" : "not counted");
        ok = ok && csv_row(b, id, uscc, line, record, str(h, "hour_end"), v, unit, detail);
    }
    return ok;
}

/* Flattens the evidence JSON: one row per judgement, hourly mean,
 * inspection and gate record. */
static char *
evidence_csv(json_t *ev, size_t *len)
{
    struct buf b;
    char id[32];
    const char *uscc = str(ev, "enterprise");
    json_t *line, *trucks = json_object_get(ev, "trucks"), *g;
    size_t i, k;
    bool ok;

    buf_init(&b, EVIDENCE_CSV_MAX);
    snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(ev, "order_id")));
    ok = csv_row(&b, "order_id", "enterprise", "line", "record", "at", "value", "unit", "detail");
    json_array_foreach(json_object_get(ev, "lines"), i, line) {
        const char *name = str(line, "line");
        json_t *jd = json_object_get(line, "judgement"), *em, *ins;
        const char *metric;
        char v[32], detail[512];

        number(json_object_get(line, "threshold_kw"), v);
        snprintf(detail, sizeof(detail), "%s: %s", str(line, "state"), str(jd, "reason"));
        ok = ok && csv_row(&b, id, uscc, name, "judgement", str(line, "judged_at"), v,
                           "kW threshold", detail);
        ok = ok && csv_hours(&b, id, uscc, name, "power_kw", "kW", json_object_get(line, "hours"));
        json_object_foreach(json_object_get(line, "emissions"), metric, em)
            ok = ok && csv_hours(&b, id, uscc, name, metric, "mg/m3", em);
        json_array_foreach(json_object_get(line, "inspections"), k, ins) {
            snprintf(detail, sizeof(detail), "by %s; %s%s%s", str(ins, "inspector"),
                     str(ins, "note"), json_is_string(json_object_get(ins, "photo")) ? "; photo " : "",
                     str(ins, "photo"));
            ok = ok && csv_row(&b, id, uscc, name, "inspection", str(ins, "at"),
                               str(ins, "result"), "", detail);
        }
    }
    json_array_foreach(json_object_get(trucks, "gate_records"), i, g) {
        char detail[128];
        snprintf(detail, sizeof(detail), "plate %s; %s; %s", str(g, "plate"),
                 json_is_true(json_object_get(g, "banned")) ? "banned stage" : "allowed stage",
                 json_is_true(json_object_get(g, "after_grace")) ? "after grace" : "within grace");
        ok = ok && csv_row(&b, id, uscc, "(trucks)", "gate", str(g, "at"), str(g, "stage"), "",
                           detail);
    }
    if (!ok) {
        buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return buf_detach(&b);
}

static void
get_evidence(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    const char *format = api_query(r, "format");
    json_t *ev = NULL;
    enum sm_err err;

    if (!id)
        return;
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        api_reply_error(r, 422, "bad_format", "format must be json or csv");
        return;
    }
    err = ops_order_evidence(r->app, id, &ev);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "there is no order %lld", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    if (format && strcmp(format, "csv") == 0) {
        size_t len = 0;
        char *csv = evidence_csv(ev, &len);
        json_decref(ev);
        if (!csv) {
            api_reply_error(r, 413, "too_large", "the evidence is too large for one CSV export");
            return;
        }
        api_reply_raw(r, 200, "text/csv; charset=utf-8", csv, len);
        free(csv);
        return;
    }
    api_reply_json(r, 200, ev);
}

const struct route api_routes_compliance[] = {
    { HTTP_POST, "/v1/compliance", ROLE_MONITOR | ROLE_OFFICER, post_compliance },
    { HTTP_GET, "/v1/orders/{}/evidence", ROLE_OFFICER, get_evidence },
};
const int api_routes_compliance_count = SM_ARRAY_LEN(api_routes_compliance);
