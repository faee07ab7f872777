/* GET /v1/episodes/{id}/report: the episode report as one self-contained
 * HTML page, or its figures with ?format=json. */
#include <string.h>

#include "api/api_int.h"
#include "app/app.h"
#include "base/buf.h"
#include "base/role.h"
#include "ops/ops.h"
#include "report/report.h"

static void
get_report(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    const char *format = api_query(r, "format");
    struct report_meta meta;
    json_t *fig = NULL;
    enum sm_err err;

    if (!id)
        return;
    if (format && strcmp(format, "json") != 0 && strcmp(format, "html") != 0) {
        api_reply_error(r, 422, "bad_format", "format must be html or json");
        return;
    }
    meta = (struct report_meta){ r->app->cfg.county_code, r->app->cfg.county_name,
                                 r->app->cfg.tz_min, NULL, NULL };
    err = ops_report_figures(r->app, id, &meta, &fig);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "there is no episode %lld", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    if (format && strcmp(format, "json") == 0) {
        api_reply_json(r, 200, fig);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    if (report_render_html(fig, &b))
        api_reply_raw(r, 200, "text/html; charset=utf-8", b.data, b.len);
    else
        api_reply_error(r, 500, "report_failed", "the report could not be rendered");
    buf_release(&b);
    json_decref(fig);
}

const struct route api_routes_reports[] = {
    { HTTP_GET, "/v1/episodes/{}/report", ROLE_OFFICER, get_report, 0 },
};
const int api_routes_reports_count = SM_ARRAY_LEN(api_routes_reports);
