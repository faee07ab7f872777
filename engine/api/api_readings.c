/* Stations, readings, the AQI views and local-trigger proposals over HTTP. */
#include "api/api_int.h"

#include <string.h>

#include "app/app.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "ops/ops_readings.h"

static struct ops_actor
actor_of(struct api_req *r)
{
    struct ops_actor a = { api_actor(r), api_role(r), NULL };
    return a;
}

static void
reply_result(struct api_req *r, enum sm_err err, const struct sm_diag *d, json_t *out)
{
    if (err)
        api_reply_err(r, err, d);
    else
        api_reply_json(r, 200, out);
}

static void
put_station(struct api_req *r)
{
    json_t *body = api_body_json(r), *out = NULL;
    struct ops_actor who = actor_of(r);
    struct sm_diag d = { 0 };
    enum sm_err err;

    if (!body)
        return;
    err = ops_station_put(r->app, &who, r->params[0], body, &out, &d);
    json_decref(body);
    reply_result(r, err, &d, out);
}

static void
list_stations(struct api_req *r)
{
    json_t *out = NULL;
    enum sm_err err = ops_stations_json(r->app, &out);

    reply_result(r, err, NULL, out);
}

static void
post_readings(struct api_req *r)
{
    struct ops_actor who = actor_of(r);
    struct sm_diag d = { 0 };
    json_t *out = NULL;
    enum sm_err err;

    if (r->body_len == 0) {
        api_reply_error(r, 400, "empty_body", "send {\"readings\": [...]}");
        return;
    }
    err = ops_readings_post(r->app, &who, r->body, r->body_len, &out, &d);
    reply_result(r, err, &d, out);
}

static void
post_sensor_community(struct api_req *r)
{
    struct ops_actor who = actor_of(r);
    struct sm_diag d = { 0 };
    json_t *out = NULL;
    enum sm_err err;

    if (r->body_len == 0) {
        api_reply_error(r, 400, "empty_body", "send the Sensor.Community JSON push");
        return;
    }
    err = ops_readings_sensor_community(r->app, &who, api_header(r, "X-Sensor"), r->body,
                                        r->body_len, &out, &d);
    reply_result(r, err, &d, out);
}

static void
get_aqi(struct api_req *r)
{
    const char *station = api_query(r, "station");
    json_t *out = NULL;
    enum sm_err err = ops_aqi_json(r->app, station, &out);

    if (err == SM_ERR_NOTFOUND)
        api_reply_error(r, 404, "unknown_station", "there is no station '%.64s'", station);
    else
        reply_result(r, err, NULL, out);
}

/* A time query parameter; replies 422 and returns false when malformed. */
static bool
query_time(struct api_req *r, const char *name, int64_t *out)
{
    const char *v = api_query(r, name);
    struct sm_diag d = { 0 };

    if (!v)
        return true;
    if (sm_time_parse(v, out, &d) != SM_OK) {
        api_reply_error(r, 422, d.code[0] ? d.code : "bad_time", "%s: %s", name, d.text);
        return false;
    }
    return true;
}

static void
get_aqi_history(struct api_req *r)
{
    const char *station = api_query(r, "station"), *format = api_query(r, "format");
    int64_t to = clock_now(&r->app->clock), from;
    struct sm_diag d = { 0 };
    json_t *out = NULL;
    struct buf csv;
    bool as_csv;
    enum sm_err err;

    if (!query_time(r, "to", &to))
        return;
    from = to - 24 * SM_MS_PER_HOUR;
    if (!query_time(r, "from", &from))
        return;
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        api_reply_error(r, 422, "bad_format", "format must be json or csv");
        return;
    }
    as_csv = format && strcmp(format, "csv") == 0;
    buf_init(&csv, 16 * 1024 * 1024);
    err = ops_aqi_history(r->app, station, from, to, as_csv ? NULL : &out, as_csv ? &csv : NULL,
                          &d);
    if (!err && as_csv)
        api_reply_raw(r, 200, "text/csv; charset=utf-8", csv.data ? csv.data : "", csv.len);
    else
        reply_result(r, err, &d, out);
    buf_release(&csv);
}

static void
list_proposals(struct api_req *r)
{
    const char *state = api_query(r, "state");
    json_t *out = NULL;
    enum sm_err err;

    if (state && strcmp(state, "open") != 0 && strcmp(state, "accepted") != 0 &&
        strcmp(state, "dismissed") != 0) {
        api_reply_error(r, 422, "bad_state", "state must be open, accepted or dismissed");
        return;
    }
    err = ops_proposals_json(r->app, state, &out);
    reply_result(r, err, NULL, out);
}

static void
answer_proposal(struct api_req *r, bool accept)
{
    int64_t id = api_param_id(r, 0);
    struct ops_actor who = actor_of(r);
    struct sm_diag d = { 0 };
    const char *reason = NULL;
    json_error_t je;
    json_t *body, *out = NULL;
    enum sm_err err;

    if (!id)
        return;
    body = api_body_json(r);
    if (!body)
        return;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s}", "reason", &reason)) {
        api_reply_error(r, 422, "invalid", "proposal answer: %s (expected {\"reason\"})", je.text);
        json_decref(body);
        return;
    }
    err = accept ? ops_proposal_accept(r->app, &who, id, reason, &d)
                 : ops_proposal_dismiss(r->app, &who, id, reason, &d);
    json_decref(body);
    if (!err)
        err = ops_status(r->app, &out);
    reply_result(r, err, &d, out);
}

static void
accept_proposal(struct api_req *r)
{
    answer_proposal(r, true);
}

static void
dismiss_proposal(struct api_req *r)
{
    answer_proposal(r, false);
}

const struct route api_routes_readings[] = {
    { HTTP_PUT, "/v1/stations/{}", ROLE_OFFICER, put_station },
    { HTTP_GET, "/v1/stations", ROLE_OFFICER, list_stations, 0, 1 },
    { HTTP_POST, "/v1/readings", ROLE_MONITOR, post_readings },
    { HTTP_POST, "/v1/readings/sensor-community", ROLE_MONITOR, post_sensor_community },
    { HTTP_GET, "/v1/aqi", ROLE_OFFICER, get_aqi, 0, 1 },
    { HTTP_GET, "/v1/aqi/history", ROLE_OFFICER, get_aqi_history, 0, 1 },
    { HTTP_GET, "/v1/proposals", ROLE_OFFICER, list_proposals, 0, 1 },
    { HTTP_POST, "/v1/proposals/{}/accept", ROLE_OFFICER, accept_proposal },
    { HTTP_POST, "/v1/proposals/{}/dismiss", ROLE_OFFICER, dismiss_proposal },
};
const int api_routes_readings_count = SM_ARRAY_LEN(api_routes_readings);
