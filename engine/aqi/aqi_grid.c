/* Hour-indexed concentration arrays built from individual readings. */
#include "aqi/aqi_grid.h"

#include <math.h>
#include <stdlib.h>

#include "base/timeutil.h"
#include "base/xalloc.h"

void
aqi_grid_init(struct aqi_grid *g, int64_t end_ms, size_t count)
{
    if (count < 1)
        count = 1;
    if (count > AQI_GRID_MAX_HOURS)
        count = AQI_GRID_MAX_HOURS;
    g->end_ms = end_ms;
    g->count = count;
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
        g->conc[p] = NULL;
}

void
aqi_grid_release(struct aqi_grid *g)
{
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++) {
        free(g->conc[p]);
        g->conc[p] = NULL;
    }
}

bool
aqi_grid_index(const struct aqi_grid *g, int64_t at_ms, size_t *index)
{
    int64_t back;

    if (at_ms % SM_MS_PER_HOUR != 0 || at_ms > g->end_ms)
        return false;
    back = (g->end_ms - at_ms) / SM_MS_PER_HOUR;
    if (back >= (int64_t)g->count)
        return false;
    *index = g->count - 1 - (size_t)back;
    return true;
}

int64_t
aqi_grid_hour_ms(const struct aqi_grid *g, size_t index)
{
    return g->end_ms - (int64_t)(g->count - 1 - index) * SM_MS_PER_HOUR;
}

bool
aqi_grid_put(struct aqi_grid *g, enum aqi_pollutant p, int64_t at_ms, double value)
{
    size_t i;

    if ((unsigned)p >= AQI_POLLUTANT_COUNT || !isfinite(value) || value < 0 ||
        !aqi_grid_index(g, at_ms, &i))
        return false;
    if (!g->conc[p]) {
        g->conc[p] = xmalloc(g->count * sizeof(double));
        for (size_t k = 0; k < g->count; k++)
            g->conc[p][k] = NAN;
    }
    g->conc[p][i] = value;
    return true;
}

void
aqi_grid_series(const struct aqi_grid *g, struct aqi_series *out)
{
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
        out->conc[p] = g->conc[p];
    out->count = g->count;
}

long
aqi_grid_newest(const struct aqi_grid *g)
{
    for (size_t k = g->count; k-- > 0;)
        for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
            if (g->conc[p] && !isnan(g->conc[p][k]))
                return (long)k;
    return -1;
}
