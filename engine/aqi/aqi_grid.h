#ifndef SM_AQI_AQI_GRID_H
#define SM_AQI_AQI_GRID_H

/* A window of consecutive hours of one station's (or one group's)
 * concentrations, filled from stored readings one at a time and handed to
 * aqi_series_* as a struct aqi_series. Pure. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aqi/aqi_series.h"

/* Longest window a grid holds (31 days of hours plus a day of lead-in). */
#define AQI_GRID_MAX_HOURS (32 * 24)

struct aqi_grid {
    int64_t end_ms; /* end of the newest hour (index count - 1) */
    size_t count;
    double *conc[AQI_POLLUTANT_COUNT]; /* owned; NULL until a value of p arrives */
};

/* An empty grid of `count` hours (1..AQI_GRID_MAX_HOURS, clamped) whose
 * newest hour ends at end_ms (a whole hour). Nothing allocated yet. */
void aqi_grid_init(struct aqi_grid *g, int64_t end_ms, size_t count);
/* Frees the arrays; the grid is empty afterwards. */
void aqi_grid_release(struct aqi_grid *g);

/* Index of the hour ending at at_ms; false when it is not a whole hour or
 * lies outside the window. */
bool aqi_grid_index(const struct aqi_grid *g, int64_t at_ms, size_t *index);
/* End of the hour at index. */
int64_t aqi_grid_hour_ms(const struct aqi_grid *g, size_t index);

/* Stores value for pollutant p at the hour ending at at_ms (a later put of
 * the same hour wins). False, storing nothing, when the hour is outside
 * the window or the value is negative or not finite. */
bool aqi_grid_put(struct aqi_grid *g, enum aqi_pollutant p, int64_t at_ms, double value);

/* The grid as a series (borrows the grid's arrays). */
void aqi_grid_series(const struct aqi_grid *g, struct aqi_series *out);

/* Index of the newest hour holding any value, or -1 when the grid is empty. */
long aqi_grid_newest(const struct aqi_grid *g);

#endif
