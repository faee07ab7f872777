/* What the episode report needs from ops: the county AQI series (readings
 * live in ops) and the reductions achieved according to measured loads (the
 * compliance figures), so the report and GET /v1/episodes agree. */
#include <stdlib.h>

#include "app/app.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "ops/ops.h"
#include "ops/ops_readings.h"
#include "report/report.h"
#include "store/store_views.h"

#define REPORT_AQI_LEAD_MS (24 * SM_MS_PER_HOUR)
#define REPORT_AQI_MAX_MS (31 * SM_MS_PER_DAY - SM_MS_PER_HOUR)

/* Replaces the report's "achieved" per pollutant by the one the compliance
 * figures estimate from measured loads; null when no line was measured. */
static void
merge_achieved(struct app *app, int64_t episode_id, int64_t now, json_t *fig)
{
    json_t *ep = NULL, *red, *pollutants;
    size_t i;
    json_t *p;

    if (store_episode_json(app->store, episode_id, now, app->cfg.tz_min, &ep) != SM_OK)
        return;
    if (ops_episode_figures(app, episode_id, ep) == SM_OK) {
        red = json_object_get(ep, "reductions");
        bool measured = json_integer_value(json_object_get(red, "measured")) > 0;
        pollutants = json_object_get(json_object_get(fig, "reductions"), "pollutants");
        json_array_foreach(pollutants, i, p) {
            json_t *r = json_object_get(red, json_string_value(json_object_get(p, "pollutant")));
            json_object_set_new(p, "achieved_kg_day",
                                measured && r ? json_real(json_number_value(json_object_get(r, "achieved")))
                                              : json_null());
        }
        json_object_set_new(json_object_get(fig, "reductions"), "judged", json_boolean(measured));
        json_object_set_new(json_object_get(fig, "reductions"), "lines",
                            json_pack("{s:O,s:O,s:O}", "curtailed", json_object_get(red, "curtailed"),
                                      "measured", json_object_get(red, "measured"), "unmeasured",
                                      json_object_get(red, "unmeasured")));
    }
    json_decref(ep);
}

enum sm_err
ops_report_figures(struct app *app, int64_t episode_id, const struct report_meta *meta,
                   json_t **out)
{
    int64_t now = clock_now(&app->clock);
    enum sm_err err = report_figures(app->store, episode_id, now, meta, out);
    json_t *ep, *hist = NULL, *hours;
    int64_t from, to;
    struct sm_diag d = { 0 };

    if (err)
        return err;
    merge_achieved(app, episode_id, now, *out);
    ep = json_object_get(*out, "episode");
    to = json_is_integer(json_object_get(ep, "closed_ms"))
             ? json_integer_value(json_object_get(ep, "closed_ms"))
             : now;
    from = json_integer_value(json_object_get(ep, "opened_ms")) - REPORT_AQI_LEAD_MS;
    if (to - from > REPORT_AQI_MAX_MS)
        from = to - REPORT_AQI_MAX_MS;
    from -= from % SM_MS_PER_HOUR;
    /* a missing or partial series only leaves the chart out; never an error */
    if (ops_aqi_history(app, NULL, from, to, &hist, NULL, &d) != SM_OK)
        return SM_OK;
    hours = json_object_get(hist, "hours");
    size_t n = json_array_size(hours), k = 0;
    int64_t *t = xcalloc(n + 1, sizeof(*t));
    double *v = xcalloc(n + 1, sizeof(*v));
    size_t i;
    json_t *h;
    json_array_foreach(hours, i, h) {
        int64_t at;
        json_t *aqi = json_object_get(h, "aqi");
        if (!json_is_integer(aqi) ||
            sm_time_parse(json_string_value(json_object_get(h, "at")), &at, NULL) != SM_OK)
            continue;
        t[k] = at;
        v[k++] = (double)json_integer_value(aqi);
    }
    if (k)
        report_set_aqi(*out, t, v, k);
    free(t);
    free(v);
    json_decref(hist);
    return SM_OK;
}
