#ifndef SM_OPS_STATION_GRIDS_H
#define SM_OPS_STATION_GRIDS_H

/* Inside ops: stored readings loaded into one hourly grid per station, and
 * the county series of the official stations. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aqi/aqi_grid.h"
#include "app/app.h"

struct station_grid {
    char *id; /* owned */
    bool official;
    struct aqi_grid grid;
};

struct station_grids {
    int64_t end_ms;
    size_t count; /* hours per grid */
    size_t n, cap;
    struct station_grid *st; /* owned; ordered by id */
};

/* Loads the readings of the `count` hours ending at end_ms, one grid per
 * station that has any (only `station` when non-NULL; only official
 * stations when official_only). *out is initialised here; release it. */
SM_NODISCARD enum sm_err station_grids_load(struct app *app, int64_t end_ms, size_t count,
                                            const char *station, bool official_only,
                                            struct station_grids *out);
void station_grids_release(struct station_grids *g);
/* borrowed: the grid of station id, or NULL */
const struct station_grid *station_grids_find(const struct station_grids *g, const char *id);

/* The county series (per pollutant and hour, the mean of the official
 * stations that have a value). storage: the caller's, AQI_POLLUTANT_COUNT *
 * g->count doubles; out borrows it. *stations: official grids used. */
SM_NODISCARD enum sm_err station_grids_county(const struct station_grids *g, double *storage,
                                              struct aqi_series *out, size_t *stations);

#endif
