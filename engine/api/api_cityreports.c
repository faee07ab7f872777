/* Reports to the city over HTTP, for officers: list, read in any format,
 * write remarks into a draft, send. */
#include "api/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/buf.h"
#include "cityreport/cityreport.h"
#include "dispatch/dispatch.h"
#include "ops/ops_cityreport.h"
#include "store/store_cityreport.h"

#define REPORT_RENDER_MAX (32u * 1024 * 1024)

static void
list_reports(struct api_req *r)
{
    const char *episode = api_query(r, "episode"), *kind = api_query(r, "kind");
    int64_t ep = 0;
    int limit = 100, offset = 0;
    json_t *out = NULL;
    enum sm_err err;

    if (!api_paging(r, &limit, &offset))
        return;
    if (episode) {
        char *end = NULL;
        ep = strtoll(episode, &end, 10);
        if (!*episode || *end || ep <= 0) {
            api_reply_error(r, 422, "bad_episode", "episode must be a positive episode id");
            return;
        }
    }
    if (kind && strcmp(kind, "daily") != 0 && strcmp(kind, "summary") != 0) {
        api_reply_error(r, 422, "bad_kind", "kind must be daily or summary");
        return;
    }
    err = store_cityreport_list_json(r->app->store, ep, kind, limit, offset, r->app->cfg.tz_min,
                                     &out);
    if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

static void
attachment(struct api_req *r, const struct cityreport_rec *rec, const char *ext)
{
    char v[128];

    snprintf(v, sizeof(v), "attachment; filename=\"city-report-%lld.%s\"", (long long)rec->id,
             ext);
    httpd_reply_header(r->req, "Content-Disposition", v);
}

static void
render(struct api_req *r, const struct cityreport_rec *rec, const char *format)
{
    json_t *report = json_loads(rec->json, 0, NULL);
    struct buf b;
    enum sm_err err;

    if (!report) {
        api_reply_err(r, SM_ERR_DB, NULL);
        return;
    }
    if (strcmp(format, "xlsx") == 0) {
        unsigned char *data = NULL;
        size_t len = 0;
        err = cityreport_xlsx(report, &data, &len);
        json_decref(report);
        if (err) {
            api_reply_err(r, err, NULL);
            return;
        }
        attachment(r, rec, "xlsx");
        api_reply_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      (const char *)data, len);
        free(data);
        return;
    }
    buf_init(&b, REPORT_RENDER_MAX);
    err = strcmp(format, "csv") == 0 ? cityreport_csv(report, &b) : cityreport_html(report, &b);
    json_decref(report);
    if (err) {
        buf_release(&b);
        api_reply_error(r, 413, "too_large", "the report is too large to render");
        return;
    }
    if (strcmp(format, "csv") == 0) {
        attachment(r, rec, "csv");
        api_reply_raw(r, 200, "text/csv; charset=utf-8", b.data, b.len);
    } else {
        api_reply_raw(r, 200, "text/html; charset=utf-8", b.data, b.len);
    }
    buf_release(&b);
}

static void
get_report(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    const char *format = api_query(r, "format");
    struct cityreport_rec rec;
    enum sm_err err;

    if (!id)
        return;
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "xlsx") != 0 && strcmp(format, "html") != 0) {
        api_reply_error(r, 422, "bad_format", "format must be json, csv, xlsx or html");
        return;
    }
    err = store_cityreport_get(r->app->store, id, &rec);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "there is no report %lld", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    if (!format) {
        json_t *out = store_cityreport_meta_json(&rec, r->app->cfg.tz_min);
        json_t *report = json_loads(rec.json, 0, NULL);
        json_object_set_new(out, "report", report ? report : json_null());
        api_reply_json(r, 200, out);
    } else if (strcmp(format, "json") == 0) {
        /* exactly the bytes stored, hashed and sent */
        api_reply_raw(r, 200, "application/json", rec.json, strlen(rec.json));
    } else {
        render(r, &rec, format);
    }
    cityreport_rec_release(&rec);
}

static void
post_remarks(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    struct ops_actor who = { api_actor(r), api_role(r), NULL };
    struct sm_diag d = { 0 };
    json_t *body, *reply = NULL;
    enum sm_err err;

    if (!id)
        return;
    body = api_body_json(r);
    if (!body)
        return;
    err = ops_cityreport_remarks(r->app, &who, id, body, &reply, &d);
    json_decref(body);
    if (err == SM_ERR_NOTFOUND)
        api_reply_error(r, 404, "not_found", "there is no report %lld", (long long)id);
    else if (err)
        api_reply_err(r, err, &d);
    else
        api_reply_json(r, 200, reply);
}

static void
post_send(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    struct ops_actor who = { api_actor(r), api_role(r), NULL };
    json_t *reply = NULL;
    enum sm_err err;

    if (!id)
        return;
    err = ops_cityreport_send(r->app, &who, id, &reply);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "there is no report %lld", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    dispatch_kick(r->app);
    api_reply_json(r, 200, reply);
}

const struct route api_routes_cityreports[] = {
    { HTTP_GET, "/v1/reports", ROLE_OFFICER, list_reports, 0 },
    { HTTP_GET, "/v1/reports/{}", ROLE_OFFICER, get_report, 0 },
    { HTTP_POST, "/v1/reports/{}/remarks", ROLE_OFFICER, post_remarks, 0 },
    { HTTP_POST, "/v1/reports/{}/send", ROLE_OFFICER, post_send, 0 },
};
const int api_routes_cityreports_count = SM_ARRAY_LEN(api_routes_cityreports);
