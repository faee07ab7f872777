/* Hourly and daily AQI of hourly series: moving means, validity minimums
 * (19 vs 20 hours, 5 vs 6), the hand-overs, primary ties and the county
 * mean of stations. */
#include <math.h>

#include "aqi/aqi_series.h"
#include "check.h"

#define HOURS 48

static void
fill(double *a, size_t n, double v)
{
    for (size_t i = 0; i < n; i++)
        a[i] = v;
}

static void
test_hourly_uses_pm_24h_means_and_1h_gases(void)
{
    double pm25[HOURS], no2[HOURS], co[HOURS], o3[HOURS];
    struct aqi_series s = { .count = HOURS };
    struct aqi_result r;

    fill(pm25, HOURS, 80);
    pm25[HOURS - 1] = 320; /* one bad hour: the 24-hour mean moves to 90 */
    fill(no2, HOURS, 150); /* 1-hour NO2 150 -> 75 */
    fill(co, HOURS, 7.5);  /* 1-hour CO 7.5 mg/m3 -> 75 */
    fill(o3, HOURS, 250);  /* 1-hour O3 250 -> 125 */
    s.conc[AQI_PM25] = pm25;
    s.conc[AQI_NO2] = no2;
    s.conc[AQI_CO] = co;
    s.conc[AQI_O3] = o3;
    CHECK_INT(aqi_series_hourly(&s, HOURS - 1, &r), SM_OK);
    CHECK_NEAR(r.items[AQI_PM25].concentration, 90, 1e-9);
    CHECK_INT(r.items[AQI_PM25].period, AQI_PERIOD_24H);
    CHECK_INT(r.items[AQI_PM25].iaqi, 119); /* 100 + 50*15/40 = 118.75 */
    CHECK_INT(r.items[AQI_PM25].valid_hours, 24);
    CHECK_INT(r.items[AQI_NO2].iaqi, 75);
    CHECK_INT(r.items[AQI_NO2].period, AQI_PERIOD_1H);
    CHECK_INT(r.items[AQI_CO].iaqi, 75);
    CHECK_INT(r.items[AQI_O3].iaqi, 125);
    CHECK_INT(r.aqi, 125);
    CHECK_INT(r.primary_mask, AQI_BIT(AQI_O3));
    CHECK_INT(r.primary_count, 1);
    CHECK_INT(r.primary[0], AQI_O3);
    CHECK_INT(r.category, AQI_CAT_LIGHT);
    /* SO2 and PM10 are not measured: insufficient, visibly, not dropped. */
    CHECK(r.items[AQI_SO2].is_insufficient);
    CHECK(!r.items[AQI_SO2].is_valid);
    CHECK_INT(r.items[AQI_SO2].iaqi, -1);
    CHECK(r.items[AQI_PM10].is_insufficient);
    CHECK_INT(r.insufficient_count, 2);
    CHECK(!r.o3_1h_max.is_valid);
    CHECK_INT(aqi_series_hourly(&s, HOURS, &r), SM_ERR_INVAL);
}

/* 20 valid hours make a 24-hour mean, 19 do not. */
static void
test_24h_needs_20_hours(void)
{
    double pm25[24];
    struct aqi_series s = { .count = 24 };
    struct aqi_result r;

    fill(pm25, 24, 75);
    for (int i = 0; i < 4; i++)
        pm25[i * 5] = NAN;
    s.conc[AQI_PM25] = pm25;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK(r.items[AQI_PM25].is_valid);
    CHECK(!r.items[AQI_PM25].is_insufficient);
    CHECK_INT(r.items[AQI_PM25].valid_hours, 20);
    CHECK_INT(r.items[AQI_PM25].iaqi, 100);
    CHECK_INT(r.aqi, 100);
    CHECK_INT(r.primary_mask, AQI_BIT(AQI_PM25));

    pm25[3] = NAN;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK(!r.items[AQI_PM25].is_valid);
    CHECK(r.items[AQI_PM25].is_insufficient);
    CHECK_INT(r.items[AQI_PM25].valid_hours, 19);
    CHECK(isnan(r.items[AQI_PM25].concentration));
    CHECK_INT(r.aqi, -1); /* nothing valid */
    CHECK_INT(r.primary_count, 0);

    /* The hourly PM2.5 at an early hour sees hours before the series as
     * missing: 20 hours of history are needed. */
    pm25[3] = 75;
    fill(pm25, 24, 75);
    CHECK_INT(aqi_series_hourly(&s, 18, &r), SM_OK);
    CHECK(r.items[AQI_PM25].is_insufficient);
    CHECK_INT(r.items[AQI_PM25].valid_hours, 19);
    CHECK_INT(aqi_series_hourly(&s, 19, &r), SM_OK);
    CHECK(r.items[AQI_PM25].is_valid);
}

/* An 8-hour mean needs 6 valid hours, 5 are not enough; the daily 1-hour
 * maximum still counts. */
static void
test_8h_needs_6_hours(void)
{
    double o3[24];
    struct aqi_series s = { .count = 24 };
    struct aqi_result r;

    fill(o3, 24, NAN);
    for (int h = 10; h < 16; h++)
        o3[h] = 200;
    s.conc[AQI_O3] = o3;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK(r.items[AQI_O3].is_valid);
    CHECK_INT(r.items[AQI_O3].period, AQI_PERIOD_8H);
    CHECK_INT(r.items[AQI_O3].valid_hours, 6);
    CHECK_NEAR(r.items[AQI_O3].concentration, 200, 1e-9);
    CHECK_INT(r.items[AQI_O3].iaqi, 137); /* 8h 200 -> 136.36 */
    CHECK(r.o3_1h_max.is_valid);
    CHECK_INT(r.o3_1h_max.iaqi, 100); /* 1h 200 -> 100 */
    CHECK_INT(r.aqi, 137);
    CHECK_INT(r.primary_mask, AQI_BIT(AQI_O3));

    o3[10] = NAN;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK(!r.items[AQI_O3].is_valid);
    CHECK(r.items[AQI_O3].is_insufficient);
    CHECK_INT(r.items[AQI_O3].valid_hours, 5);
    CHECK(r.o3_1h_max.is_valid);
    CHECK_INT(r.aqi, 100);
    CHECK_INT(r.primary_mask, AQI_BIT(AQI_O3));
    /* 5 pollutants with no data plus the O3 8-hour maximum. */
    CHECK_INT(r.insufficient_count, 6);
}

/* The 8-hour windows lie inside the day: the best window is found. */
static void
test_daily_o3_max_8h(void)
{
    double o3[30];
    struct aqi_series s = { .count = 30 };
    struct aqi_result r;

    fill(o3, 30, 50);
    for (int h = 12; h < 20; h++)
        o3[h] = 160; /* one 8-hour window at 160 -> 100 */
    o3[25] = 290;    /* 1-hour 290 -> 145; no 8-hour window with it beats 160 */
    s.conc[AQI_O3] = o3;
    CHECK_INT(aqi_series_daily(&s, 29, &r), SM_OK);
    CHECK_NEAR(r.items[AQI_O3].concentration, 160, 1e-9);
    CHECK_INT(r.items[AQI_O3].iaqi, 100);
    CHECK_NEAR(r.o3_1h_max.concentration, 290, 1e-9);
    CHECK_INT(r.o3_1h_max.iaqi, 145);
    CHECK_INT(r.aqi, 145);
    CHECK_INT(r.primary_mask, AQI_BIT(AQI_O3));
    /* The day ending at hour 29 spans hours 6..29; the day ending at hour
     * 17 (hours 0..17) holds no whole window of 12..19: its best window is
     * 10..17, six hours at 160 and two at 50. */
    CHECK_INT(aqi_series_daily(&s, 17, &r), SM_OK);
    CHECK_NEAR(r.items[AQI_O3].concentration, (6 * 160.0 + 2 * 50.0) / 8, 1e-9);
    CHECK_INT(aqi_series_daily(&s, 30, &r), SM_ERR_INVAL);
}

static void
test_o3_8h_above_800_hands_over(void)
{
    double o3[24];
    struct aqi_series s = { .count = 24 };
    struct aqi_result r;

    fill(o3, 24, 900);
    s.conc[AQI_O3] = o3;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK(r.items[AQI_O3].is_handed_over);
    CHECK(r.items[AQI_O3].is_valid);
    CHECK_INT(r.items[AQI_O3].iaqi, 350); /* the 1-hour IAQI of 900 */
    CHECK_INT(r.aqi, 350);
    CHECK_INT(r.category, AQI_CAT_SEVERE);
}

static void
test_so2_1h_above_800_hands_over(void)
{
    double so2[24];
    struct aqi_series s = { .count = 24 };
    struct aqi_result r;

    fill(so2, 24, 100);
    so2[23] = 801; /* 24-hour mean (2300 + 801) / 24 = 129.21 -> 90 */
    s.conc[AQI_SO2] = so2;
    CHECK_INT(aqi_series_hourly(&s, 23, &r), SM_OK);
    CHECK(r.items[AQI_SO2].is_handed_over);
    CHECK_INT(r.items[AQI_SO2].period, AQI_PERIOD_24H);
    CHECK_NEAR(r.items[AQI_SO2].concentration, 3101.0 / 24, 1e-9);
    CHECK_INT(r.items[AQI_SO2].iaqi, 90);
    CHECK_INT(r.aqi, 90);

    so2[23] = 800; /* on the table: 1-hour IAQI 200 */
    CHECK_INT(aqi_series_hourly(&s, 23, &r), SM_OK);
    CHECK(!r.items[AQI_SO2].is_handed_over);
    CHECK_INT(r.items[AQI_SO2].iaqi, 200);

    /* Handing over with too little history is insufficient, not invalid
     * silently. */
    so2[23] = 801;
    CHECK_INT(aqi_series_hourly(&s, 5, &r), SM_OK);
    CHECK_INT(r.items[AQI_SO2].iaqi, 34); /* hour 5: 1-hour 100 -> 33.3 */
    so2[5] = 900;
    CHECK_INT(aqi_series_hourly(&s, 5, &r), SM_OK);
    CHECK(r.items[AQI_SO2].is_handed_over);
    CHECK(r.items[AQI_SO2].is_insufficient);
    CHECK_INT(r.items[AQI_SO2].valid_hours, 6);
    CHECK_INT(r.aqi, -1);
}

/* PM10 150 and PM2.5 75 both give 100: both are primary. */
static void
test_daily_primary_tie(void)
{
    double pm10[24], pm25[24], so2[24], no2[24], co[24];
    struct aqi_series s = { .count = 24 };
    struct aqi_result r;

    fill(pm10, 24, 150);
    fill(pm25, 24, 75);
    fill(so2, 24, 20);
    fill(no2, 24, 30);
    fill(co, 24, 1.0);
    s.conc[AQI_PM10] = pm10;
    s.conc[AQI_PM25] = pm25;
    s.conc[AQI_SO2] = so2;
    s.conc[AQI_NO2] = no2;
    s.conc[AQI_CO] = co;
    CHECK_INT(aqi_series_daily(&s, 23, &r), SM_OK);
    CHECK_INT(r.aqi, 100);
    CHECK_INT(r.primary_count, 2);
    CHECK_INT(r.primary[0], AQI_PM10);
    CHECK_INT(r.primary[1], AQI_PM25);
    CHECK_INT(r.items[AQI_SO2].iaqi, 20);
    CHECK_INT(r.items[AQI_NO2].iaqi, 38); /* 37.5 */
    CHECK_INT(r.items[AQI_CO].iaqi, 25);
    CHECK_INT(r.category, AQI_CAT_GOOD);
    /* O3 unmeasured: its 8-hour and 1-hour parts are both insufficient. */
    CHECK_INT(r.insufficient_count, 2);
}

static void
test_county_mean_of_stations(void)
{
    double a_pm25[24], b_pm25[24], a_co[24];
    double storage[AQI_POLLUTANT_COUNT * 24];
    struct aqi_series st[2] = { { .count = 24 }, { .count = 24 } };
    struct aqi_series county;
    struct aqi_result r;
    const double *arrays[3];
    double mean[24];

    fill(a_pm25, 24, 100);
    fill(b_pm25, 24, 50);
    fill(a_co, 24, 2);
    a_pm25[0] = NAN; /* hour 0: only station b */
    a_pm25[1] = NAN;
    b_pm25[1] = NAN; /* hour 1: nobody */
    st[0].conc[AQI_PM25] = a_pm25;
    st[0].conc[AQI_CO] = a_co;
    st[1].conc[AQI_PM25] = b_pm25;
    CHECK_INT(aqi_series_county(st, 2, storage, SM_ARRAY_LEN(storage), &county), SM_OK);
    CHECK_INT(county.count, 24);
    CHECK_NEAR(county.conc[AQI_PM25][0], 50, 1e-9);
    CHECK(isnan(county.conc[AQI_PM25][1]));
    CHECK_NEAR(county.conc[AQI_PM25][2], 75, 1e-9);
    CHECK_NEAR(county.conc[AQI_CO][5], 2, 1e-9); /* only station a has CO */
    CHECK(county.conc[AQI_SO2] == NULL);
    CHECK_INT(aqi_series_daily(&county, 23, &r), SM_OK);
    /* 23 valid hours: 50 + 22 x 75 = 1700 / 23 = 73.91 -> 99 (98.64) */
    CHECK_INT(r.items[AQI_PM25].valid_hours, 23);
    CHECK_INT(r.items[AQI_PM25].iaqi, 99);
    CHECK_INT(r.items[AQI_CO].iaqi, 50);
    CHECK_INT(r.aqi, 99);

    st[1].count = 23;
    CHECK_INT(aqi_series_county(st, 2, storage, SM_ARRAY_LEN(storage), &county),
              SM_ERR_INVAL);
    st[1].count = 24;
    CHECK_INT(aqi_series_county(st, 2, storage, 24, &county), SM_ERR_LIMIT);

    arrays[0] = a_pm25;
    arrays[1] = NULL;
    arrays[2] = b_pm25;
    aqi_series_mean(arrays, 3, 24, mean);
    CHECK_NEAR(mean[0], 50, 1e-9);
    CHECK(isnan(mean[1]));
    CHECK_NEAR(mean[23], 75, 1e-9);
}

CHECK_MAIN(CHECK_CASE(test_hourly_uses_pm_24h_means_and_1h_gases),
           CHECK_CASE(test_24h_needs_20_hours), CHECK_CASE(test_8h_needs_6_hours),
           CHECK_CASE(test_daily_o3_max_8h), CHECK_CASE(test_o3_8h_above_800_hands_over),
           CHECK_CASE(test_so2_1h_above_800_hands_over), CHECK_CASE(test_daily_primary_tie),
           CHECK_CASE(test_county_mean_of_stations))
