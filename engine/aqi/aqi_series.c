/* AQI over time: moving means with their validity minimums, the hourly
 * (real-time) and daily AQI of a station's hourly series, and the county
 * series as the per-hour mean of its stations. Pollutants with too few
 * valid hours are flagged insufficient and left out of the AQI, never
 * dropped silently. */
#include "aqi/aqi_series.h"

#include <math.h>
#include <string.h>

struct window_mean {
    double mean; /* NaN when fewer than the minimum */
    int valid_hours;
};

/* Value of hour h of pollutant p, NaN when missing or out of range. */
static double
value_at(const struct aqi_series *s, enum aqi_pollutant p, long h)
{
    if (!s->conc[p] || h < 0 || (size_t)h >= s->count)
        return NAN;
    return s->conc[p][h];
}

/* Mean of the `len` hours ending at `end` (inclusive). */
static struct window_mean
mean_over(const struct aqi_series *s, enum aqi_pollutant p, long end, int len,
          int min_valid)
{
    struct window_mean w = { NAN, 0 };
    double sum = 0;

    for (long h = end - len + 1; h <= end; h++) {
        double v = value_at(s, p, h);
        if (isnan(v))
            continue;
        sum += v;
        w.valid_hours++;
    }
    if (w.valid_hours >= min_valid && w.valid_hours > 0)
        w.mean = sum / w.valid_hours;
    return w;
}

static void
item_init(struct aqi_item *it, enum aqi_period period)
{
    memset(it, 0, sizeof(*it));
    it->concentration = NAN;
    it->iaqi = -1;
    it->period = period;
}

/* Fills `it` from a window mean on the breakpoints of p over `period`. */
static void
item_from_mean(struct aqi_item *it, enum aqi_pollutant p, enum aqi_period period,
               struct window_mean w)
{
    int v = -1;

    item_init(it, period);
    it->valid_hours = w.valid_hours;
    if (isnan(w.mean)) {
        it->is_insufficient = true;
        return;
    }
    it->concentration = w.mean;
    if (aqi_iaqi(p, period, w.mean, &v) == AQI_STATUS_OK) {
        it->iaqi = v;
        it->is_valid = true;
    }
}

/* SO2 on its 1-hour value, handing over to the 24-hour moving mean above
 * 800 µg/m³. */
static void
item_so2_hourly(struct aqi_item *it, const struct aqi_series *s, long hour)
{
    double c1 = value_at(s, AQI_SO2, hour);
    int v = -1;

    item_from_mean(it, AQI_SO2, AQI_PERIOD_1H,
                   (struct window_mean){ c1, isnan(c1) ? 0 : 1 });
    if (isnan(c1) || aqi_iaqi(AQI_SO2, AQI_PERIOD_1H, c1, &v) != AQI_STATUS_USE_24H)
        return;
    item_from_mean(it, AQI_SO2, AQI_PERIOD_24H,
                   mean_over(s, AQI_SO2, hour, 24, AQI_SERIES_MIN_24H));
    it->is_handed_over = true;
}

/* Primary pollutants, category and counts from the items. */
static void
result_finish(struct aqi_result *r)
{
    int iaqi[AQI_POLLUTANT_COUNT];

    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++) {
        iaqi[p] = r->items[p].is_valid ? r->items[p].iaqi : -1;
        if (r->items[p].is_insufficient)
            r->insufficient_count++;
    }
    if (r->o3_1h_max.is_valid && r->o3_1h_max.iaqi > iaqi[AQI_O3])
        iaqi[AQI_O3] = r->o3_1h_max.iaqi;
    r->aqi = aqi_combine(iaqi, &r->primary_mask);
    r->category = aqi_category_of(r->aqi);
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
        if (r->primary_mask & AQI_BIT(p))
            r->primary[r->primary_count++] = (enum aqi_pollutant)p;
}

static void
result_init(struct aqi_result *r)
{
    memset(r, 0, sizeof(*r));
    r->aqi = -1;
    item_init(&r->o3_1h_max, AQI_PERIOD_1H);
}

enum sm_err
aqi_series_hourly(const struct aqi_series *s, size_t hour, struct aqi_result *out)
{
    static const enum aqi_pollutant one_hour[] = { AQI_NO2, AQI_CO, AQI_O3 };
    static const enum aqi_pollutant day_mean[] = { AQI_PM10, AQI_PM25 };
    long h = (long)hour;

    if (hour >= s->count)
        return SM_ERR_INVAL;
    result_init(out);
    item_so2_hourly(&out->items[AQI_SO2], s, h);
    for (size_t i = 0; i < SM_ARRAY_LEN(one_hour); i++) {
        double c = value_at(s, one_hour[i], h);
        item_from_mean(&out->items[one_hour[i]], one_hour[i], AQI_PERIOD_1H,
                       (struct window_mean){ c, isnan(c) ? 0 : 1 });
    }
    for (size_t i = 0; i < SM_ARRAY_LEN(day_mean); i++)
        item_from_mean(&out->items[day_mean[i]], day_mean[i], AQI_PERIOD_24H,
                       mean_over(s, day_mean[i], h, 24, AQI_SERIES_MIN_24H));
    result_finish(out);
    return SM_OK;
}

/* The day's maximum 8-hour O3 mean over the 17 windows inside it. */
static void
item_o3_8h_max(struct aqi_item *it, const struct aqi_series *s, long hour)
{
    struct window_mean best = { NAN, 0 };
    int most_hours = 0;

    for (long end = hour - 16; end <= hour; end++) {
        struct window_mean w = mean_over(s, AQI_O3, end, 8, AQI_SERIES_MIN_8H);
        if (w.valid_hours > most_hours)
            most_hours = w.valid_hours;
        if (!isnan(w.mean) && (isnan(best.mean) || w.mean > best.mean))
            best = w;
    }
    if (isnan(best.mean))
        best.valid_hours = most_hours;
    item_from_mean(it, AQI_O3, AQI_PERIOD_8H, best);
}

/* The day's maximum 1-hour O3: each hour is valid on its own (GB 3095-2012
 * sets no daily minimum for it). */
static void
item_o3_1h_max(struct aqi_item *it, const struct aqi_series *s, long hour)
{
    struct window_mean best = { NAN, 0 };

    for (long h = hour - 23; h <= hour; h++) {
        double v = value_at(s, AQI_O3, h);
        if (isnan(v))
            continue;
        best.valid_hours++;
        if (isnan(best.mean) || v > best.mean)
            best.mean = v;
    }
    item_from_mean(it, AQI_O3, AQI_PERIOD_1H, best);
}

enum sm_err
aqi_series_daily(const struct aqi_series *s, size_t hour, struct aqi_result *out)
{
    static const enum aqi_pollutant day_mean[] = { AQI_SO2, AQI_NO2, AQI_PM10,
                                                   AQI_PM25, AQI_CO };
    struct aqi_item *o3;
    long h = (long)hour;

    if (hour >= s->count)
        return SM_ERR_INVAL;
    result_init(out);
    for (size_t i = 0; i < SM_ARRAY_LEN(day_mean); i++)
        item_from_mean(&out->items[day_mean[i]], day_mean[i], AQI_PERIOD_24H,
                       mean_over(s, day_mean[i], h, 24, AQI_SERIES_MIN_24H));
    o3 = &out->items[AQI_O3];
    item_o3_8h_max(o3, s, h);
    item_o3_1h_max(&out->o3_1h_max, s, h);
    if (!isnan(o3->concentration) && !o3->is_valid) {
        /* Above 800 µg/m³ the 8-hour table ends: HJ 633 uses the 1-hour
         * IAQI of the day instead. */
        o3->is_handed_over = true;
        o3->iaqi = out->o3_1h_max.iaqi;
        o3->is_valid = out->o3_1h_max.is_valid;
    }
    result_finish(out);
    if (out->o3_1h_max.is_insufficient)
        out->insufficient_count++;
    return SM_OK;
}

void
aqi_series_mean(const double *const *stations, size_t station_count, size_t count,
                double *out)
{
    for (size_t h = 0; h < count; h++) {
        double sum = 0;
        size_t n = 0;

        for (size_t i = 0; i < station_count; i++) {
            if (!stations[i] || isnan(stations[i][h]))
                continue;
            sum += stations[i][h];
            n++;
        }
        out[h] = n ? sum / (double)n : NAN;
    }
}

enum sm_err
aqi_series_county(const struct aqi_series *stations, size_t station_count,
                  double *storage, size_t storage_count, struct aqi_series *out)
{
    size_t count = station_count ? stations[0].count : 0;

    for (size_t i = 1; i < station_count; i++)
        if (stations[i].count != count)
            return SM_ERR_INVAL;
    if (count && storage_count / count < AQI_POLLUTANT_COUNT)
        return SM_ERR_LIMIT;
    memset(out, 0, sizeof(*out));
    out->count = count;
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++) {
        double *dest = storage + (size_t)p * count;
        bool measured = false;

        for (size_t i = 0; i < station_count; i++)
            if (stations[i].conc[p])
                measured = true;
        if (!measured || count == 0)
            continue;
        for (size_t h = 0; h < count; h++) {
            double sum = 0;
            size_t n = 0;

            for (size_t i = 0; i < station_count; i++) {
                const double *a = stations[i].conc[p];
                if (!a || isnan(a[h]))
                    continue;
                sum += a[h];
                n++;
            }
            dest[h] = n ? sum / (double)n : NAN;
        }
        out->conc[p] = dest;
    }
    return SM_OK;
}
