/* The overall status: level, sources, episode and order counts. */
#include "base/timeutil.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "ops/ops_readings.h"
#include "store/store_levels.h"
#include "store/store_orders.h"

enum sm_err
ops_status_begin(struct app *app, json_t **out, int64_t *episode, int64_t *now_ms)
{
    enum level eff, municipal, local, manual, ep_level;
    int64_t since = 0, now = clock_now(&app->clock);
    char t[32];
    enum sm_err err = ops_levels(app, 0, &eff, &municipal, &local, &manual);

    *out = NULL;
    *episode = 0;
    *now_ms = now;
    if (!err)
        err = store_episode_current(app->store, 0, episode, &ep_level, &since);
    if (err)
        return err;
    /* "orders" in its place, its figures set by ops_status_counts */
    *out = json_pack("{s:s,s:o,s:o,s:{s:s,s:s,s:s},s:n}", "level", level_name(eff), "episode_id",
                     *episode ? json_integer(*episode) : json_null(), "since",
                     since ? json_string(sm_time_format(since, app->cfg.tz_min, t)) : json_null(),
                     "sources", "municipal", level_name(municipal), "local", level_name(local),
                     "manual", level_name(manual), "orders");
    json_t *stations = NULL;
    if (ops_stations_status(app, now, &stations) == SM_OK)
        json_object_set_new(*out, "stations", stations);
    /* a drill in progress is shown apart from the real figures */
    int64_t drill_ep = 0, drill_since = 0;
    enum level drill_level = LEVEL_NONE;
    if (store_episode_current(app->store, 1, &drill_ep, &drill_level, &drill_since) == SM_OK &&
        drill_ep)
        json_object_set_new(*out, "drill", json_pack("{s:s,s:I}", "level", level_name(drill_level),
                                                     "episode_id", (json_int_t)drill_ep));
    return SM_OK;
}

void
ops_status_counts(json_t *status, const struct order_counts *c)
{
    json_object_set_new(status, "orders",
                        json_pack("{s:I,s:I,s:I,s:I}", "active", (json_int_t)c->active,
                                  "acknowledged", (json_int_t)c->acknowledged, "overdue",
                                  (json_int_t)c->overdue, "violation", (json_int_t)c->violation));
}

enum sm_err
ops_status(struct app *app, json_t **out)
{
    struct order_counts c = { 0 };
    int64_t episode = 0, now = 0;
    enum sm_err err = ops_status_begin(app, out, &episode, &now);

    if (!err && episode)
        err = store_order_counts(app->store, episode, now, &c);
    if (err) {
        json_decref(*out);
        *out = NULL;
        return err;
    }
    ops_status_counts(*out, &c);
    return SM_OK;
}
