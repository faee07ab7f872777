/* Stored readings as hourly grids, per station and for the county. */
#include "ops/station_grids.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_readings.h"

struct load_ctx {
    struct station_grids *g;
};

static void
on_reading(void *arg, const char *station, const char *kind, const char *pollutant,
           int64_t at_ms, double value)
{
    struct station_grids *g = ((struct load_ctx *)arg)->g;
    enum aqi_pollutant p;
    struct station_grid *sg;

    if (!aqi_pollutant_parse(pollutant, &p))
        return; /* never stored by this engine; ignore rather than fail the view */
    /* rows come ordered by station: the current one is the last grid */
    if (g->n == 0 || strcmp(g->st[g->n - 1].id, station) != 0) {
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 8;
            g->st = xrealloc(g->st, g->cap * sizeof(*g->st));
        }
        sg = &g->st[g->n++];
        sg->id = xstrdup(station);
        sg->official = strcmp(kind, "official") == 0;
        aqi_grid_init(&sg->grid, g->end_ms, g->count);
    }
    sg = &g->st[g->n - 1];
    (void)aqi_grid_put(&sg->grid, p, at_ms, value);
}

enum sm_err
station_grids_load(struct app *app, int64_t end_ms, size_t count, const char *station,
                   bool official_only, struct station_grids *out)
{
    struct load_ctx c = { out };
    enum sm_err err;

    memset(out, 0, sizeof(*out));
    if (count > AQI_GRID_MAX_HOURS)
        count = AQI_GRID_MAX_HOURS;
    out->end_ms = end_ms;
    out->count = count ? count : 1;
    err = store_readings_each(app->store, end_ms - (int64_t)out->count * 3600000LL, end_ms,
                              station, official_only, on_reading, &c);
    if (err)
        station_grids_release(out);
    return err;
}

void
station_grids_release(struct station_grids *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->st[i].id);
        aqi_grid_release(&g->st[i].grid);
    }
    free(g->st);
    memset(g, 0, sizeof(*g));
}

const struct station_grid *
station_grids_find(const struct station_grids *g, const char *id)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->st[i].id, id) == 0)
            return &g->st[i];
    return NULL;
}

enum sm_err
station_grids_county(const struct station_grids *g, double *storage, struct aqi_series *out,
                     size_t *stations)
{
    struct aqi_series *series = xcalloc(g->n ? g->n : 1, sizeof(*series));
    size_t n = 0;
    enum sm_err err;

    for (size_t i = 0; i < g->n; i++)
        if (g->st[i].official)
            aqi_grid_series(&g->st[i].grid, &series[n++]);
    *stations = n;
    if (n == 0) {
        memset(out, 0, sizeof(*out));
        out->count = g->count;
        free(series);
        return SM_OK;
    }
    err = aqi_series_county(series, n, storage, AQI_POLLUTANT_COUNT * g->count, out);
    free(series);
    return err;
}
