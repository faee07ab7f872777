/* IAQI vectors after HJ 633-2012 Table 1: every breakpoint of every
 * pollutant and period, just below and just above it, rounding up, the top
 * of each table, the two hand-overs, primary pollutants, categories and
 * names. */
#include <math.h>

#include "aqi/aqi.h"
#include "check.h"

/* The standard's table, typed again here so the test does not read the
 * code's own copy. */
struct vector_table {
    enum aqi_pollutant p;
    enum aqi_period period;
    int count;
    double conc[8];
};

static const int table_iaqi[] = { 0, 50, 100, 150, 200, 300, 400, 500 };

static const struct vector_table hj633[] = {
    { AQI_SO2, AQI_PERIOD_24H, 8, { 0, 50, 150, 475, 800, 1600, 2100, 2620 } },
    { AQI_SO2, AQI_PERIOD_1H, 5, { 0, 150, 500, 650, 800 } },
    { AQI_NO2, AQI_PERIOD_24H, 8, { 0, 40, 80, 180, 280, 565, 750, 940 } },
    { AQI_NO2, AQI_PERIOD_1H, 8, { 0, 100, 200, 700, 1200, 2340, 3090, 3840 } },
    { AQI_PM10, AQI_PERIOD_24H, 8, { 0, 50, 150, 250, 350, 420, 500, 600 } },
    { AQI_CO, AQI_PERIOD_24H, 8, { 0, 2, 4, 14, 24, 36, 48, 60 } },
    { AQI_CO, AQI_PERIOD_1H, 8, { 0, 5, 10, 35, 60, 90, 120, 150 } },
    { AQI_O3, AQI_PERIOD_1H, 8, { 0, 160, 200, 300, 400, 800, 1000, 1200 } },
    { AQI_O3, AQI_PERIOD_8H, 6, { 0, 100, 160, 215, 265, 800 } },
    { AQI_PM25, AQI_PERIOD_24H, 8, { 0, 35, 75, 115, 150, 250, 350, 500 } },
};

static int
iaqi(enum aqi_pollutant p, enum aqi_period period, double c)
{
    int v = -12345;

    if (aqi_iaqi(p, period, c, &v) != AQI_STATUS_OK)
        return -1;
    return v;
}

/* At each breakpoint the IAQI is exact; 0.01 below it rounds up to the same
 * value (no slope exceeds 25 per unit, so 0.01 moves less than 1); 0.01
 * above it gives the next integer. */
static void
test_every_breakpoint(void)
{
    for (size_t t = 0; t < sizeof(hj633) / sizeof(hj633[0]); t++) {
        const struct vector_table *vt = &hj633[t];
        for (int i = 0; i < vt->count; i++) {
            double c = vt->conc[i];
            int want = table_iaqi[i];
            int got = iaqi(vt->p, vt->period, c);

            if (got != want)
                fprintf(stderr, "%s period %d at %g\n", aqi_pollutant_name(vt->p),
                        (int)vt->period, c);
            CHECK_INT(got, want);
            if (i > 0)
                CHECK_INT(iaqi(vt->p, vt->period, c - 0.01), want);
            if (i < vt->count - 1)
                CHECK_INT(iaqi(vt->p, vt->period, c + 0.01), want + 1);
        }
    }
}

static void
test_pm25_vectors(void)
{
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 75), 100);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 75.1), 101);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 115), 150);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 500), 500);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 501), 500);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 35), 50);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 35.1), 51);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 52), 72);   /* 71.25 rounds up */
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 150.1), 201);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 250), 300);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 250.1), 301);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 0), 0);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 0.1), 1);
}

/* Values between breakpoints, worked by hand. */
static void
test_interpolation_rounds_up(void)
{
    CHECK_INT(iaqi(AQI_NO2, AQI_PERIOD_1H, 150), 75);
    CHECK_INT(iaqi(AQI_NO2, AQI_PERIOD_24H, 60), 75);
    CHECK_INT(iaqi(AQI_CO, AQI_PERIOD_24H, 3), 75);
    CHECK_INT(iaqi(AQI_CO, AQI_PERIOD_1H, 7.5), 75);
    CHECK_INT(iaqi(AQI_CO, AQI_PERIOD_1H, 5.1), 51); /* CO in mg/m3 */
    CHECK_INT(iaqi(AQI_CO, AQI_PERIOD_1H, 36), 152); /* 151.2 */
    CHECK_INT(iaqi(AQI_O3, AQI_PERIOD_1H, 250), 125);
    CHECK_INT(iaqi(AQI_O3, AQI_PERIOD_8H, 200), 137); /* 136.36 */
    CHECK_INT(iaqi(AQI_PM10, AQI_PERIOD_24H, 120), 85);
    CHECK_INT(iaqi(AQI_SO2, AQI_PERIOD_24H, 300), 124); /* 123.08 */
    CHECK_INT(iaqi(AQI_SO2, AQI_PERIOD_1H, 700), 167); /* 166.67 */
}

static void
test_above_top_is_500(void)
{
    CHECK_INT(iaqi(AQI_SO2, AQI_PERIOD_24H, 2621), 500);
    CHECK_INT(iaqi(AQI_NO2, AQI_PERIOD_24H, 941), 500);
    CHECK_INT(iaqi(AQI_NO2, AQI_PERIOD_1H, 3841), 500);
    CHECK_INT(iaqi(AQI_PM10, AQI_PERIOD_24H, 601), 500);
    CHECK_INT(iaqi(AQI_CO, AQI_PERIOD_24H, 61), 500);
    CHECK_INT(iaqi(AQI_CO, AQI_PERIOD_1H, 151), 500);
    CHECK_INT(iaqi(AQI_O3, AQI_PERIOD_1H, 1201), 500);
    CHECK_INT(iaqi(AQI_PM25, AQI_PERIOD_24H, 9999), 500);
}

static void
test_so2_1h_hands_over_to_24h(void)
{
    int v = -7;
    bool used = true;

    CHECK_INT(aqi_iaqi(AQI_SO2, AQI_PERIOD_1H, 800, &v), AQI_STATUS_OK);
    CHECK_INT(v, 200);
    v = -7;
    CHECK_INT(aqi_iaqi(AQI_SO2, AQI_PERIOD_1H, 801, &v), AQI_STATUS_USE_24H);
    CHECK_INT(v, -7); /* untouched */
    CHECK_INT(aqi_iaqi_so2_1h(800, 100, &used), 200);
    CHECK(!used);
    CHECK_INT(aqi_iaqi_so2_1h(801, 100, &used), 75);
    CHECK(used);
    CHECK_INT(aqi_iaqi_so2_1h(801, NAN, &used), -1);
    CHECK(used);
    CHECK_INT(aqi_iaqi_so2_1h(NAN, 100, &used), -1);
    CHECK(!used);
    CHECK_INT(aqi_iaqi_so2_1h(150, NAN, NULL), 50);
}

static void
test_o3_8h_hands_over_to_1h(void)
{
    int v = -7;
    bool used = true;

    CHECK_INT(aqi_iaqi(AQI_O3, AQI_PERIOD_8H, 800, &v), AQI_STATUS_OK);
    CHECK_INT(v, 300);
    CHECK_INT(aqi_iaqi(AQI_O3, AQI_PERIOD_8H, 801, &v), AQI_STATUS_USE_1H);
    CHECK_INT(aqi_iaqi_o3_8h(801, 900, &used), 350);
    CHECK(used);
    CHECK_INT(aqi_iaqi_o3_8h(265, 900, &used), 200);
    CHECK(!used);
    CHECK_INT(aqi_iaqi_o3_8h(801, NAN, &used), -1);
}

static void
test_no_table_and_invalid(void)
{
    int v = -7;

    CHECK_INT(aqi_iaqi(AQI_PM25, AQI_PERIOD_1H, 10, &v), AQI_STATUS_NO_TABLE);
    CHECK_INT(aqi_iaqi(AQI_PM10, AQI_PERIOD_1H, 10, &v), AQI_STATUS_NO_TABLE);
    CHECK_INT(aqi_iaqi(AQI_O3, AQI_PERIOD_24H, 10, &v), AQI_STATUS_NO_TABLE);
    CHECK_INT(aqi_iaqi(AQI_SO2, AQI_PERIOD_8H, 10, &v), AQI_STATUS_NO_TABLE);
    CHECK_INT(aqi_iaqi(AQI_PM25, AQI_PERIOD_24H, -0.1, &v), AQI_STATUS_INVALID);
    CHECK_INT(aqi_iaqi(AQI_PM25, AQI_PERIOD_24H, NAN, &v), AQI_STATUS_INVALID);
    CHECK_INT(aqi_iaqi(AQI_PM25, AQI_PERIOD_24H, INFINITY, &v), AQI_STATUS_INVALID);
    CHECK_INT(v, -7);
    CHECK(aqi_has_table(AQI_O3, AQI_PERIOD_8H));
    CHECK(!aqi_has_table(AQI_PM25, AQI_PERIOD_8H));
}

static void
test_primary_pollutants(void)
{
    int tie[AQI_POLLUTANT_COUNT] = { 20, 30, 150, 150, 10, 40 };
    int clean[AQI_POLLUTANT_COUNT] = { 20, 50, 30, 50, 10, -1 };
    int one[AQI_POLLUTANT_COUNT] = { -1, -1, 51, 50, -1, -1 };
    int none[AQI_POLLUTANT_COUNT] = { -1, -1, -1, -1, -1, -1 };
    unsigned mask = 99;

    CHECK_INT(aqi_combine(tie, &mask), 150);
    CHECK_INT(mask, AQI_BIT(AQI_PM10) | AQI_BIT(AQI_PM25));
    CHECK_INT(aqi_combine(clean, &mask), 50);
    CHECK_INT(mask, 0); /* no primary pollutant at AQI <= 50 */
    CHECK_INT(aqi_combine(one, &mask), 51);
    CHECK_INT(mask, AQI_BIT(AQI_PM10));
    CHECK_INT(aqi_combine(none, &mask), -1);
    CHECK_INT(mask, 0);
    CHECK_INT(aqi_combine(tie, NULL), 150);
}

static void
test_category_boundaries(void)
{
    CHECK_INT(aqi_category_of(0), AQI_CAT_EXCELLENT);
    CHECK_INT(aqi_category_of(50), AQI_CAT_EXCELLENT);
    CHECK_INT(aqi_category_of(51), AQI_CAT_GOOD);
    CHECK_INT(aqi_category_of(100), AQI_CAT_GOOD);
    CHECK_INT(aqi_category_of(101), AQI_CAT_LIGHT);
    CHECK_INT(aqi_category_of(150), AQI_CAT_LIGHT);
    CHECK_INT(aqi_category_of(151), AQI_CAT_MODERATE);
    CHECK_INT(aqi_category_of(200), AQI_CAT_MODERATE);
    CHECK_INT(aqi_category_of(201), AQI_CAT_HEAVY);
    CHECK_INT(aqi_category_of(300), AQI_CAT_HEAVY);
    CHECK_INT(aqi_category_of(301), AQI_CAT_SEVERE);
    CHECK_INT(aqi_category_of(500), AQI_CAT_SEVERE);
    CHECK_STR(aqi_category_name_zh(AQI_CAT_EXCELLENT), "优");
    CHECK_STR(aqi_category_name_zh(AQI_CAT_GOOD), "良");
    CHECK_STR(aqi_category_name_zh(AQI_CAT_LIGHT), "轻度污染");
    CHECK_STR(aqi_category_name_zh(AQI_CAT_MODERATE), "中度污染");
    CHECK_STR(aqi_category_name_zh(AQI_CAT_HEAVY), "重度污染");
    CHECK_STR(aqi_category_name_zh(AQI_CAT_SEVERE), "严重污染");
    CHECK_STR(aqi_category_name_en(AQI_CAT_HEAVY), "heavily polluted");
    CHECK_STR(aqi_category_color_name(AQI_CAT_HEAVY), "purple");
    CHECK_STR(aqi_category_color_hex(AQI_CAT_EXCELLENT), "#00e400");
    CHECK_STR(aqi_category_color_hex(AQI_CAT_GOOD), "#ffff00");
    CHECK_STR(aqi_category_color_hex(AQI_CAT_LIGHT), "#ff7e00");
    CHECK_STR(aqi_category_color_hex(AQI_CAT_MODERATE), "#ff0000");
    CHECK_STR(aqi_category_color_hex(AQI_CAT_HEAVY), "#99004c");
    CHECK_STR(aqi_category_color_hex(AQI_CAT_SEVERE), "#7e0023");
}

static void
test_pollutant_names(void)
{
    enum aqi_pollutant p = AQI_SO2;

    CHECK(aqi_pollutant_parse("pm25", &p) && p == AQI_PM25);
    CHECK(aqi_pollutant_parse("PM2.5", &p) && p == AQI_PM25);
    CHECK(aqi_pollutant_parse("pm2_5", &p) && p == AQI_PM25);
    CHECK(aqi_pollutant_parse("PM10", &p) && p == AQI_PM10);
    CHECK(aqi_pollutant_parse("so2", &p) && p == AQI_SO2);
    CHECK(aqi_pollutant_parse("NO2", &p) && p == AQI_NO2);
    CHECK(aqi_pollutant_parse("o3", &p) && p == AQI_O3);
    CHECK(aqi_pollutant_parse("CO", &p) && p == AQI_CO);
    CHECK(!aqi_pollutant_parse("pm1", &p));
    CHECK(!aqi_pollutant_parse("pm25 ", &p));
    CHECK(!aqi_pollutant_parse("", &p));
    CHECK(!aqi_pollutant_parse(NULL, &p));
    CHECK_STR(aqi_pollutant_name(AQI_PM25), "pm25");
    CHECK_STR(aqi_pollutant_label(AQI_PM25), "PM2.5");
}

static void
test_unit_names(void)
{
    enum aqi_unit u = AQI_UNIT_MG_M3;

    CHECK(aqi_unit_parse("ug/m3", &u) && u == AQI_UNIT_UG_M3);
    u = AQI_UNIT_MG_M3;
    CHECK(aqi_unit_parse("\xc2\xb5g/m3", &u) && u == AQI_UNIT_UG_M3); /* µ */
    u = AQI_UNIT_MG_M3;
    CHECK(aqi_unit_parse("\xce\xbcg/m\xc2\xb3", &u) && u == AQI_UNIT_UG_M3); /* μg/m³ */
    u = AQI_UNIT_MG_M3;
    CHECK(aqi_unit_parse("\xce\xbcg/m3", &u) && u == AQI_UNIT_UG_M3);
    CHECK(aqi_unit_parse("mg/m3", &u) && u == AQI_UNIT_MG_M3);
    u = AQI_UNIT_UG_M3;
    CHECK(aqi_unit_parse("mg/m\xc2\xb3", &u) && u == AQI_UNIT_MG_M3);
    CHECK(aqi_unit_parse("UG/M3", &u) && u == AQI_UNIT_UG_M3);
    CHECK(!aqi_unit_parse("ppm", &u));
    CHECK(!aqi_unit_parse("ug/m", &u));
    CHECK(!aqi_unit_parse("ug/m33", &u));
    CHECK_INT(aqi_unit_of(AQI_CO), AQI_UNIT_MG_M3);
    CHECK_INT(aqi_unit_of(AQI_PM25), AQI_UNIT_UG_M3);
    CHECK_STR(aqi_unit_name(AQI_UNIT_MG_M3), "mg/m3");
}

CHECK_MAIN(CHECK_CASE(test_every_breakpoint), CHECK_CASE(test_pm25_vectors),
           CHECK_CASE(test_interpolation_rounds_up), CHECK_CASE(test_above_top_is_500),
           CHECK_CASE(test_so2_1h_hands_over_to_24h), CHECK_CASE(test_o3_8h_hands_over_to_1h),
           CHECK_CASE(test_no_table_and_invalid), CHECK_CASE(test_primary_pollutants),
           CHECK_CASE(test_category_boundaries), CHECK_CASE(test_pollutant_names),
           CHECK_CASE(test_unit_names))
