#ifndef SM_AQI_AQI_SERIES_H
#define SM_AQI_AQI_SERIES_H

/* Hourly and daily (any 24-hour window) AQI from hourly concentrations of
 * one station, or of the county after aqi_series_county(). Pure. */

#include <stddef.h>

#include "aqi/aqi.h"
#include "base/err.h"

/* Data validity after GB 3095-2012: a 24-hour mean needs at least 20 valid
 * hours, an 8-hour mean at least 6. */
#define AQI_SERIES_MIN_24H 20
#define AQI_SERIES_MIN_8H 6

/* Hourly concentrations, one array per pollutant (µg/m³, CO mg/m³), all of
 * `count` consecutive hours: index 0 is the oldest hour, count - 1 the
 * newest. NaN marks a missing hour; a NULL array means the pollutant is not
 * measured at all (every hour missing). Arrays are borrowed. Hours before
 * index 0 count as missing. */
struct aqi_series {
    const double *conc[AQI_POLLUTANT_COUNT];
    size_t count;
};

/* One pollutant's part of a result. */
struct aqi_item {
    double concentration;   /* value the IAQI comes from (a mean or a max); NaN if none */
    int iaqi;               /* -1 unless is_valid */
    int valid_hours;        /* valid hours in the averaging window used (8-hour: the best window) */
    enum aqi_period period; /* averaging period of `concentration` */
    bool is_valid;          /* iaqi counts toward the AQI */
    bool is_insufficient;   /* too few valid hours: left out of the AQI, visibly */
    bool is_handed_over;    /* SO2 1h > 800 (24h IAQI used, concentration is the 24h mean)
                             * or O3 8h > 800 (iaqi is that of o3_1h_max) */
};

struct aqi_result {
    int aqi;                    /* -1 when no pollutant is valid */
    enum aqi_category category; /* meaningful when aqi >= 0 */
    struct aqi_item items[AQI_POLLUTANT_COUNT];
    /* Daily only: the window's maximum 1-hour O3, which counts toward the
     * AQI as HJ 633's daily report does; never valid in hourly results. */
    struct aqi_item o3_1h_max;
    unsigned primary_mask; /* AQI_BIT(p) of each primary pollutant (AQI > 50 only) */
    int primary_count;
    enum aqi_pollutant primary[AQI_POLLUTANT_COUNT]; /* in enum order */
    int insufficient_count;                          /* items with is_insufficient */
};

/* Hourly AQI at index `hour` (the real-time report): 1-hour SO2, NO2, CO and
 * O3 on the 1-hour breakpoints; 24-hour moving means (hours hour-23..hour)
 * of PM10 and PM2.5 on the 24-hour breakpoints. SO2 above 800 hands over to
 * its 24-hour moving mean. SM_ERR_INVAL when hour >= s->count. */
SM_NODISCARD enum sm_err aqi_series_hourly(const struct aqi_series *s, size_t hour,
                                           struct aqi_result *out);

/* Daily AQI of the 24 hours ending at index `hour` (hour-23..hour; any
 * 24-hour window, it may cross midnight): 24-hour means of SO2, NO2, PM10,
 * PM2.5 and CO; the maximum of the 8-hour moving means of O3 whose windows
 * lie inside the 24 hours (17 windows, each needing 6 valid hours); and the
 * maximum 1-hour O3 (any valid hour). SM_ERR_INVAL when hour >= s->count. */
SM_NODISCARD enum sm_err aqi_series_daily(const struct aqi_series *s, size_t hour,
                                          struct aqi_result *out);

/* Mean per hour over stations: out[h] = mean of stations[i][h] that are not
 * NaN (a NULL station array has no values); NaN when none has one. Every
 * array holds `count` hours; `out` is the caller's. */
void aqi_series_mean(const double *const *stations, size_t station_count, size_t count,
                     double *out);

/* County series: per pollutant and hour the mean of the stations' values.
 * All stations must have the same count (else SM_ERR_INVAL). `storage`
 * (the caller's, at least AQI_POLLUTANT_COUNT * count doubles, else
 * SM_ERR_LIMIT) holds the means; out->conc[p] points into it, or is NULL
 * when no station measures p. out borrows storage. */
SM_NODISCARD enum sm_err aqi_series_county(const struct aqi_series *stations,
                                           size_t station_count, double *storage,
                                           size_t storage_count, struct aqi_series *out);

#endif
