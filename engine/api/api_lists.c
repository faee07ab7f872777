/* Yearly lists over HTTP: upload (CSV, XML or .xlsx as the body), list,
 * show with the report, activate. */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "ops/ops.h"
#include "store/store_lists.h"

static enum list_format
format_of(struct api_req *r, const char **name)
{
    const char *q = api_query(r, "format"), *ct = api_header(r, "Content-Type");

    *name = "upload";
    if ((q && strcmp(q, "xlsx") == 0) || (ct && strstr(ct, "spreadsheetml"))) {
        *name = "upload.xlsx";
        return LIST_FORMAT_XLSX;
    }
    if ((q && strcmp(q, "xml") == 0) || (ct && strstr(ct, "xml"))) {
        *name = "upload.xml";
        return LIST_FORMAT_XML;
    }
    if ((q && strcmp(q, "csv") == 0) || (ct && strstr(ct, "csv"))) {
        *name = "upload.csv";
        return LIST_FORMAT_CSV;
    }
    return LIST_FORMAT_AUTO;
}

static json_t *
diag_array(const struct list_diags *d, const struct list_diag *items, size_t n)
{
    json_t *arr = json_array();
    char line[1200];

    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(list_diags_format(d, &items[i], line, sizeof(line))));
    return arr;
}

static void
post_list(struct api_req *r)
{
    struct ops_actor who = { api_actor(r), api_role(r), NULL };
    struct list_import_req rq = { 0 };
    struct list_import_result res;
    const char *year = api_query(r, "year"), *act = api_query(r, "activate");
    enum sm_err err;

    if (r->body_len == 0) {
        api_reply_error(r, 400, "empty_body", "send the list file as the request body");
        return;
    }
    if (year) {
        char *end;
        long y = strtol(year, &end, 10);
        if (*end || y < 2000 || y > 2100) {
            api_reply_error(r, 422, "bad_year", "year '%s' is not a year", year);
            return;
        }
        rq.year = (int)y;
    }
    rq.format = format_of(r, &rq.name);
    rq.data = r->body;
    rq.len = r->body_len;
    rq.activate = act && (strcmp(act, "true") == 0 || strcmp(act, "1") == 0);
    err = ops_import_list(r->app, &who, &rq, &res);
    json_t *errors = diag_array(&res.diags, res.diags.errors, res.diags.error_count);
    json_t *warnings = diag_array(&res.diags, res.diags.warnings, res.diags.warning_count);
    if (err) {
        int status = api_status_for(err);
        api_reply_json(r, status,
                       json_pack("{s:{s:s,s:s},s:o,s:I,s:o}", "error", "code",
                                 err == SM_ERR_LIMIT ? "body_too_large" : "list_rejected", "message",
                                 "the list was rejected; nothing was imported", "errors", errors,
                                 "error_total", (json_int_t)res.diags.error_total, "warnings",
                                 warnings));
        ops_list_result_release(&res);
        return;
    }
    json_decref(errors);
    api_reply_json(r, 200,
                   json_pack("{s:I,s:i,s:i,s:I,s:b,s:o,s:o}", "list_id", (json_int_t)res.list_id,
                             "year", res.year, "version", res.version, "lines",
                             (json_int_t)res.lines, "active", res.activated, "report",
                             list_report_to_json(&res.report), "warnings", warnings));
    ops_list_result_release(&res);
}

static void
get_lists(struct api_req *r)
{
    json_t *out = NULL;
    enum sm_err err = store_lists_json(r->app->store, r->app->cfg.tz_min, &out);

    if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

static void
get_list(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    json_t *out = NULL;
    enum sm_err err;

    if (!id)
        return;
    err = store_list_json(r->app->store, id, r->app->cfg.tz_min, &out);
    if (err == SM_ERR_NOTFOUND)
        api_reply_error(r, 404, "not_found", "there is no list %lld", (long long)id);
    else if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

static void
activate_list(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    struct ops_actor who = { api_actor(r), api_role(r), NULL };
    json_t *out = NULL;
    enum sm_err err;

    if (!id)
        return;
    err = ops_activate_list(r->app, &who, id);
    if (!err)
        err = store_list_json(r->app->store, id, r->app->cfg.tz_min, &out);
    if (err == SM_ERR_NOTFOUND)
        api_reply_error(r, 404, "not_found", "there is no list %lld", (long long)id);
    else if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

const struct route api_routes_lists[] = {
    { HTTP_POST, "/v1/lists", ROLE_OFFICER | ROLE_ADMIN, post_list, 1 },
    { HTTP_GET, "/v1/lists", ROLE_OFFICER | ROLE_ADMIN, get_lists, 0, 1 },
    { HTTP_GET, "/v1/lists/{}", ROLE_OFFICER | ROLE_ADMIN, get_list, 0, 1 },
    { HTTP_POST, "/v1/lists/{}/activate", ROLE_OFFICER | ROLE_ADMIN, activate_list, 0 },
};
const int api_routes_lists_count = SM_ARRAY_LEN(api_routes_lists);
