/* Monitoring stations: registration, the list, and who has gone silent. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aqi/readings_parse.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "ops/ops_int.h"
#include "ops/ops_readings.h"
#include "store/store.h"
#include "store/store_readings.h"

#define LOG_MODULE "stations"
#define STATION_NAME_MAX 200

/* Ids are what readings and the X-Sensor header carry: short, printable,
 * no spaces or path separators. */
static bool
station_id_ok(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > READINGS_STATION_MAX)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == ':'))
            return false;
    return true;
}

static bool
is_stale(int64_t last_at_ms, int64_t now_ms, int hours)
{
    return last_at_ms == 0 || last_at_ms < now_ms - (int64_t)hours * SM_MS_PER_HOUR;
}

enum sm_err
ops_station_put(struct app *app, const struct ops_actor *who, const char *id, json_t *body,
                json_t **out, struct sm_diag *diag)
{
    int64_t now = clock_now(&app->clock);
    const char *name = NULL, *kind = NULL;
    double lat = NAN, lon = NAN;
    json_error_t je;
    char object[96], detail[160];
    enum sm_err err;

    *out = NULL;
    if (!station_id_ok(id)) {
        sm_diag_set(diag, "bad_station", "station id '%.80s' must be 1..%d characters of "
                    "letters, digits, '-', '_', '.', ':'", id, READINGS_STATION_MAX);
        return SM_ERR_INVAL;
    }
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s,s:s,s:F,s:F}", "name", &name, "kind", &kind,
                       "lat", &lat, "lon", &lon)) {
        sm_diag_set(diag, "invalid", "station: %s (expected {\"name\", \"kind\", \"lat\", \"lon\"})",
                    je.text);
        return SM_ERR_INVAL;
    }
    if (!name[0] || strlen(name) > STATION_NAME_MAX) {
        sm_diag_set(diag, "bad_name", "name must be 1..%d bytes", STATION_NAME_MAX);
        return SM_ERR_INVAL;
    }
    if (strcmp(kind, "official") != 0 && strcmp(kind, "lowcost") != 0) {
        sm_diag_set(diag, "bad_kind", "kind '%.40s' is not official or lowcost", kind);
        return SM_ERR_INVAL;
    }
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
        sm_diag_set(diag, "bad_position", "lat must be within -90..90 and lon within -180..180");
        return SM_ERR_INVAL;
    }
    struct station_rec r = { id, name, kind, lat, lon };
    err = store_begin(app->store);
    if (err)
        return err;
    err = store_station_put(app->store, &r, who->actor, now);
    snprintf(object, sizeof(object), "station:%s", id);
    snprintf(detail, sizeof(detail), "{\"kind\":\"%s\"}", kind);
    if (!err)
        err = ops_audit(app, now, who->actor, who->role, "station.put", object, "ok", detail);
    if (!err)
        err = store_commit(app->store);
    if (err) {
        store_rollback(app->store);
        return err;
    }
    *out = json_pack("{s:s,s:s,s:s,s:f,s:f}", "id", id, "name", name, "kind", kind, "lat", lat,
                     "lon", lon);
    return SM_OK;
}

struct list_ctx {
    json_t *arr;
    int64_t now_ms;
    int stale_hours, tz;
};

static void
on_list(void *arg, const struct station_rec *st, int64_t last_at_ms, int64_t readings)
{
    struct list_ctx *c = arg;
    char t[32];

    json_array_append_new(
        c->arr, json_pack("{s:s,s:s,s:s,s:f,s:f,s:o,s:I,s:b}", "id", st->id, "name", st->name,
                          "kind", st->kind, "lat", st->lat, "lon", st->lon, "last_reading_at",
                          last_at_ms ? json_string(sm_time_format(last_at_ms, c->tz, t))
                                     : json_null(),
                          "readings", (json_int_t)readings, "stale",
                          is_stale(last_at_ms, c->now_ms, c->stale_hours)));
}

enum sm_err
ops_stations_json(struct app *app, json_t **out)
{
    struct list_ctx c = { json_array(), clock_now(&app->clock), app->cfg.station_stale_hours,
                          app->cfg.tz_min };
    enum sm_err err = store_stations_each(app->store, NULL, on_list, &c);

    if (err) {
        json_decref(c.arr);
        *out = NULL;
        return err;
    }
    *out = json_pack("{s:o}", "stations", c.arr);
    return SM_OK;
}

struct stale_ctx {
    json_t *stale;
    int64_t total, now_ms;
    int hours;
};

static void
on_stale(void *arg, const struct station_rec *st, int64_t last_at_ms, int64_t readings)
{
    struct stale_ctx *c = arg;

    (void)readings;
    c->total++;
    if (is_stale(last_at_ms, c->now_ms, c->hours))
        json_array_append_new(c->stale, json_string(st->id));
}

enum sm_err
ops_stations_status(struct app *app, int64_t now_ms, json_t **out)
{
    struct stale_ctx c = { json_array(), 0, now_ms, app->cfg.station_stale_hours };
    enum sm_err err = store_stations_each(app->store, NULL, on_stale, &c);

    if (err) {
        json_decref(c.stale);
        *out = NULL;
        return err;
    }
    *out = json_pack("{s:I,s:o}", "total", (json_int_t)c.total, "stale", c.stale);
    return SM_OK;
}

struct metrics_ctx {
    struct buf *out;
    int64_t now_ms;
    int hours;
    bool ok; /* false once the buffer refused text */
};

/* Prometheus label values escape backslash, quote and newline; ids are
 * restricted to safe characters, so this is belt and braces. */
static void
on_metric(void *arg, const struct station_rec *st, int64_t last_at_ms, int64_t readings)
{
    struct metrics_ctx *c = arg;

    (void)readings;
    c->ok &= buf_addstr(c->out, "smogd_station_stale{station=\"");
    for (const char *p = st->id; *p; p++)
        if (*p != '"' && *p != '\\' && *p != '\n')
            c->ok &= buf_add(c->out, p, 1);
    c->ok &= buf_printf(c->out, "\"} %d\n", is_stale(last_at_ms, c->now_ms, c->hours) ? 1 : 0);
}

void
ops_readings_metrics(struct app *app, struct buf *out)
{
    struct metrics_ctx c = { out, clock_now(&app->clock), app->cfg.station_stale_hours, true };
    int64_t total = 0;

    c.ok &= buf_addstr(out, "# HELP smogd_station_stale 1 when a station has sent no reading for "
                          "more than station_stale_hours.\n# TYPE smogd_station_stale gauge\n");
    if (store_stations_each(app->store, NULL, on_metric, &c) != SM_OK)
        return;
    if (store_readings_count(app->store, &total) != SM_OK)
        return;
    c.ok &= buf_printf(out, "# HELP smogd_readings_total Hourly readings stored (a replaced hour "
                          "counts once).\n# TYPE smogd_readings_total counter\n"
                          "smogd_readings_total %lld\n", (long long)total);
    if (!c.ok)
        log_warn("the /metrics text hit its size cap; station metrics are cut short");
}
