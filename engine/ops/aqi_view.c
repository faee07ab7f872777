/* The AQI as officers see it: latest hourly and daily values per station
 * and for the county, and hourly history as JSON or CSV. Computed from the
 * stored readings on every request (a few hundred rows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aqi/aqi_series.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "ops/ops_readings.h"
#include "ops/station_grids.h"
#include "store/store_readings.h"

/* Hours loaded for the latest values: the newest hour plus a day of
 * lead-in for the 24-hour means, with a day of slack for late stations. */
#define AQI_VIEW_HOURS 48
#define AQI_HISTORY_MAX_HOURS (31 * 24)

/* End of the hour `ms` falls in (a whole hour stays as it is). */
static int64_t
hour_ceil(int64_t ms)
{
    int64_t q = ms / SM_MS_PER_HOUR;

    if (ms % SM_MS_PER_HOUR > 0)
        q++;
    return q * SM_MS_PER_HOUR;
}

static const char *
period_name(enum aqi_period p)
{
    return p == AQI_PERIOD_1H ? "1h" : p == AQI_PERIOD_8H ? "8h" : "24h";
}

/* Machine names of the categories (aqi_category_name_en is for people). */
static const char *
category_code(enum aqi_category c)
{
    static const char *const codes[] = { "excellent", "good", "light", "moderate", "heavy",
                                         "severe" };

    return (unsigned)c < SM_ARRAY_LEN(codes) ? codes[c] : "severe";
}

static json_t *
num_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static json_t *
item_json(const struct aqi_item *it)
{
    json_t *o = json_object();

    json_object_set_new(o, "concentration", num_or_null(it->concentration));
    json_object_set_new(o, "iaqi", it->is_valid ? json_integer(it->iaqi) : json_null());
    json_object_set_new(o, "period", json_string(period_name(it->period)));
    json_object_set_new(o, "valid_hours", json_integer(it->valid_hours));
    json_object_set_new(o, "insufficient", json_boolean(it->is_insufficient));
    if (it->is_handed_over)
        json_object_set_new(o, "handed_over", json_true());
    return o;
}

static json_t *
primary_json(const struct aqi_result *r)
{
    json_t *a = json_array();

    for (int i = 0; i < r->primary_count; i++)
        json_array_append_new(a, json_string(aqi_pollutant_name(r->primary[i])));
    return a;
}

/* One hourly or daily result. Only measured pollutants are listed. */
static json_t *
result_json(const struct aqi_series *s, const struct aqi_result *r, int64_t at_ms, int tz,
            bool daily)
{
    json_t *o = json_object(), *pol = json_object();
    char t[32];

    json_object_set_new(o, "aqi", r->aqi >= 0 ? json_integer(r->aqi) : json_null());
    json_object_set_new(o, "primary", primary_json(r));
    json_object_set_new(o, "category",
                        r->aqi >= 0 ? json_string(category_code(r->category)) : json_null());
    json_object_set_new(o, "category_zh",
                        r->aqi >= 0 ? json_string(aqi_category_name_zh(r->category)) : json_null());
    json_object_set_new(o, "color", r->aqi >= 0 ? json_string(aqi_category_color_name(r->category))
                                                : json_null());
    json_object_set_new(o, "at", json_string(sm_time_format(at_ms, tz, t)));
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
        if (s->conc[p])
            json_object_set_new(pol, aqi_pollutant_name((enum aqi_pollutant)p),
                                item_json(&r->items[p]));
    if (daily && s->conc[AQI_O3])
        json_object_set_new(pol, "o3_1h_max", item_json(&r->o3_1h_max));
    json_object_set_new(o, "pollutants", pol);
    return o;
}

/* Adds "hourly" and "daily" at the newest hour of series s holding data
 * (newest < 0: none, both null). */
static enum sm_err
add_latest(json_t *o, const struct aqi_series *s, long newest, int64_t at_ms, int tz)
{
    struct aqi_result h, d;
    enum sm_err err;

    if (newest < 0) {
        json_object_set_new(o, "hourly", json_null());
        json_object_set_new(o, "daily", json_null());
        return SM_OK;
    }
    err = aqi_series_hourly(s, (size_t)newest, &h);
    if (!err)
        err = aqi_series_daily(s, (size_t)newest, &d);
    if (err)
        return err;
    json_object_set_new(o, "hourly", result_json(s, &h, at_ms, tz, false));
    json_object_set_new(o, "daily", result_json(s, &d, at_ms, tz, true));
    return SM_OK;
}

struct stations_ctx {
    json_t *arr;
    const struct station_grids *g;
    int64_t now_ms, stale_ms;
    int tz;
    enum sm_err err;
};

static void
on_station(void *arg, const struct station_rec *st, int64_t last_at_ms, int64_t readings)
{
    struct stations_ctx *c = arg;
    const struct station_grid *sg = station_grids_find(c->g, st->id);
    json_t *o;

    (void)readings;
    if (c->err)
        return;
    o = json_pack("{s:s,s:s,s:s,s:b}", "station", st->id, "name", st->name, "kind", st->kind,
                  "stale", last_at_ms == 0 || last_at_ms < c->now_ms - c->stale_ms);
    if (sg) {
        struct aqi_series s;
        long newest = aqi_grid_newest(&sg->grid);
        aqi_grid_series(&sg->grid, &s);
        c->err = add_latest(o, &s, newest,
                            newest >= 0 ? aqi_grid_hour_ms(&sg->grid, (size_t)newest) : 0, c->tz);
    } else {
        c->err = add_latest(o, NULL, -1, 0, c->tz);
    }
    json_array_append_new(c->arr, o);
}

enum sm_err
ops_aqi_json(struct app *app, const char *station, json_t **out)
{
    int64_t now = clock_now(&app->clock);
    struct station_grids g;
    struct stations_ctx c = { json_array(), &g, now,
                              (int64_t)app->cfg.station_stale_hours * SM_MS_PER_HOUR,
                              app->cfg.tz_min, SM_OK };
    double *storage = NULL;
    struct aqi_series county;
    size_t used = 0;
    json_t *cj = NULL;
    enum sm_err err;

    *out = NULL;
    /* sensor pushes are stamped with the end of the current hour */
    err = station_grids_load(app, hour_ceil(now), AQI_VIEW_HOURS, NULL, false, &g);
    if (err) {
        json_decref(c.arr);
        return err;
    }
    err = store_stations_each(app->store, station, on_station, &c);
    if (!err)
        err = c.err;
    if (!err && station && json_array_size(c.arr) == 0)
        err = SM_ERR_NOTFOUND;
    if (!err) {
        storage = xmalloc(AQI_POLLUTANT_COUNT * g.count * sizeof(double));
        err = station_grids_county(&g, storage, &county, &used);
    }
    if (!err) {
        long newest = -1;
        /* the county's newest hour is the newest any official station has */
        for (size_t i = 0; i < g.n; i++) {
            long k = g.st[i].official ? aqi_grid_newest(&g.st[i].grid) : -1;
            if (k > newest)
                newest = k;
        }
        cj = json_pack("{s:I}", "stations", (json_int_t)used);
        err = add_latest(cj, &county, newest,
                         newest >= 0 ? g.end_ms - (int64_t)(g.count - 1 - (size_t)newest) *
                                                      SM_MS_PER_HOUR
                                     : 0,
                         app->cfg.tz_min);
    }
    free(storage);
    station_grids_release(&g);
    if (err) {
        json_decref(c.arr);
        json_decref(cj);
        return err;
    }
    *out = json_pack("{s:o,s:o}", "stations", c.arr, "county", cj);
    return SM_OK;
}

static bool
csv_num(struct buf *b, double v, enum aqi_pollutant p)
{
    if (!buf_addstr(b, ","))
        return false;
    return isnan(v) || buf_printf(b, p == AQI_CO ? "%.3f" : "%.1f", v);
}

enum sm_err
ops_aqi_history(struct app *app, const char *station, int64_t from_ms, int64_t to_ms,
                json_t **json_out, struct buf *csv_out, struct sm_diag *diag)
{
    struct station_grids g;
    struct aqi_series s = { { NULL }, 0 };
    double *storage = NULL;
    size_t hours, used = 0;
    json_t *arr = NULL;
    char t[32];
    bool ok = true;
    enum sm_err err;

    if (json_out)
        *json_out = NULL;
    from_ms = from_ms / SM_MS_PER_HOUR * SM_MS_PER_HOUR;
    to_ms = hour_ceil(to_ms);
    if (to_ms <= from_ms) {
        sm_diag_set(diag, "bad_range", "'from' must be before 'to'");
        return SM_ERR_INVAL;
    }
    hours = (size_t)((to_ms - from_ms) / SM_MS_PER_HOUR);
    if (hours > AQI_HISTORY_MAX_HOURS) {
        sm_diag_set(diag, "range_too_long", "at most %d hours (31 days) at a time; asked for %zu",
                    AQI_HISTORY_MAX_HOURS, hours);
        return SM_ERR_INVAL;
    }
    if (station) {
        char kind[16];
        err = store_station_kind(app->store, station, kind, sizeof(kind));
        if (err == SM_ERR_NOTFOUND)
            sm_diag_set(diag, "unknown_station", "there is no station '%.64s'", station);
        if (err)
            return err;
    }
    /* 23 hours of lead-in so the first hour's 24-hour means are complete */
    err = station_grids_load(app, to_ms, hours + 23, station, station == NULL, &g);
    if (err)
        return err;
    if (station) {
        if (g.n)
            aqi_grid_series(&g.st[0].grid, &s);
        else
            s.count = g.count;
    } else {
        storage = xmalloc(AQI_POLLUTANT_COUNT * g.count * sizeof(double));
        err = station_grids_county(&g, storage, &s, &used);
    }
    if (csv_out)
        ok &= buf_addstr(csv_out, "at,aqi,category,primary,so2,no2,pm10,pm25,co,o3\n");
    else
        arr = json_array();
    for (size_t i = g.count - hours; !err && i < g.count; i++) {
        struct aqi_result r;
        int64_t at = g.end_ms - (int64_t)(g.count - 1 - i) * SM_MS_PER_HOUR;
        err = aqi_series_hourly(&s, i, &r);
        if (err)
            break;
        if (csv_out) {
            ok &= buf_printf(csv_out, "%s,", sm_time_format(at, app->cfg.tz_min, t));
            if (r.aqi >= 0)
                ok &= buf_printf(csv_out, "%d,%s,", r.aqi, category_code(r.category));
            else
                ok &= buf_addstr(csv_out, ",,");
            for (int k = 0; k < r.primary_count; k++)
                ok &= buf_printf(csv_out, "%s%s", k ? ";" : "", aqi_pollutant_name(r.primary[k]));
            for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
                ok &= csv_num(csv_out, r.items[p].concentration, (enum aqi_pollutant)p);
            ok &= buf_addstr(csv_out, "\n");
        } else {
            json_t *pol = json_object();
            for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
                if (s.conc[p])
                    json_object_set_new(pol, aqi_pollutant_name((enum aqi_pollutant)p),
                                        num_or_null(r.items[p].concentration));
            json_array_append_new(
                arr, json_pack("{s:s,s:o,s:o,s:o,s:o}", "at", sm_time_format(at, app->cfg.tz_min, t),
                               "aqi", r.aqi >= 0 ? json_integer(r.aqi) : json_null(), "category",
                               r.aqi >= 0 ? json_string(category_code(r.category))
                                          : json_null(),
                               "primary", primary_json(&r), "concentrations", pol));
        }
    }
    free(storage);
    station_grids_release(&g);
    if (!err && !ok) {
        sm_diag_set(diag, "too_large", "the CSV outgrew its buffer; ask for a shorter range");
        err = SM_ERR_LIMIT;
    }
    if (err) {
        json_decref(arr);
        return err;
    }
    if (json_out) {
        char f[32];
        *json_out = json_pack("{s:o,s:s,s:s,s:o}", "station",
                              station ? json_string(station) : json_null(), "from",
                              sm_time_format(from_ms, app->cfg.tz_min, f), "to",
                              sm_time_format(to_ms, app->cfg.tz_min, t), "hours", arr);
        if (!station)
            json_object_set_new(*json_out, "stations", json_integer((json_int_t)used));
    }
    return SM_OK;
}
