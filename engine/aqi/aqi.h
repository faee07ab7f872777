#ifndef SM_AQI_AQI_H
#define SM_AQI_AQI_H

/* Individual air quality indices (IAQI) and the AQI after HJ 633-2012.
 * Concentrations are in µg/m³, CO in mg/m³. Pure: no I/O, no state. */

#include <stdbool.h>

enum aqi_pollutant {
    AQI_SO2 = 0,
    AQI_NO2,
    AQI_PM10,
    AQI_PM25,
    AQI_CO,
    AQI_O3,
    AQI_POLLUTANT_COUNT
};

/* Averaging periods that have breakpoints: 1-hour (SO2, NO2, CO, O3),
 * 8-hour (O3 only) and 24-hour (all but O3). */
enum aqi_period {
    AQI_PERIOD_1H = 0,
    AQI_PERIOD_8H,
    AQI_PERIOD_24H,
};

enum aqi_unit {
    AQI_UNIT_UG_M3 = 0,
    AQI_UNIT_MG_M3,
};

/* The six HJ 633 categories, in order. */
enum aqi_category {
    AQI_CAT_EXCELLENT = 0, /* 0-50     优       green  */
    AQI_CAT_GOOD,          /* 51-100   良       yellow */
    AQI_CAT_LIGHT,         /* 101-150  轻度污染 orange */
    AQI_CAT_MODERATE,      /* 151-200  中度污染 red    */
    AQI_CAT_HEAVY,         /* 201-300  重度污染 purple */
    AQI_CAT_SEVERE,        /* > 300    严重污染 maroon */
};

/* What aqi_iaqi() made of a concentration. */
enum aqi_status {
    AQI_STATUS_OK = 0,
    AQI_STATUS_USE_24H,  /* SO2 1-hour above 800: HJ 633 reports the 24-hour IAQI */
    AQI_STATUS_USE_1H,   /* O3 8-hour above 800: HJ 633 reports the 1-hour IAQI */
    AQI_STATUS_NO_TABLE, /* no breakpoints for this pollutant and period */
    AQI_STATUS_INVALID,  /* negative, NaN or infinite concentration */
};

#define AQI_IAQI_MAX 500
/* Bit of a pollutant in a primary-pollutant mask. */
#define AQI_BIT(p) (1u << (unsigned)(p))

/* IAQI of concentration `conc` of pollutant `p` averaged over `period`:
 * linear interpolation between the enclosing breakpoints, rounded up to an
 * integer; above the top breakpoint 500. On AQI_STATUS_OK *out_iaqi is set;
 * on any other status it is left alone (see aqi_iaqi_so2_1h and
 * aqi_iaqi_o3_8h for the two hand-overs). */
enum aqi_status aqi_iaqi(enum aqi_pollutant p, enum aqi_period period,
                         double conc, int *out_iaqi);

/* SO2 1-hour IAQI with HJ 633's hand-over: when conc_1h > 800 the SO2
 * 24-hour IAQI of conc_24h is used instead. Returns the IAQI, or -1 when the
 * value needed is missing (NaN) or invalid. *used_24h (may be NULL) says
 * whether the 24-hour value was used. */
int aqi_iaqi_so2_1h(double conc_1h, double conc_24h, bool *used_24h);

/* O3 8-hour IAQI with HJ 633's hand-over: when conc_8h > 800 the O3 1-hour
 * IAQI of conc_1h is used instead. Returns the IAQI or -1 as above;
 * *used_1h (may be NULL) says whether the 1-hour value was used. */
int aqi_iaqi_o3_8h(double conc_8h, double conc_1h, bool *used_1h);

/* Whether HJ 633 has breakpoints for this pollutant and period. */
bool aqi_has_table(enum aqi_pollutant p, enum aqi_period period);

/* AQI of a set of IAQIs (-1 = missing): the maximum, or -1 when all are
 * missing. *primary_mask (may be NULL) gets AQI_BIT(p) of every pollutant
 * whose IAQI equals the AQI, only when the AQI is above 50 (HJ 633 names no
 * primary pollutant on an excellent day). */
int aqi_combine(const int iaqi[AQI_POLLUTANT_COUNT], unsigned *primary_mask);

/* Category of an AQI >= 0 (a negative AQI counts as excellent). */
enum aqi_category aqi_category_of(int aqi);
/* Names and colours of a category, static strings (borrowed, never freed):
 * "优", "excellent", "green", "#00e400". */
const char *aqi_category_name_zh(enum aqi_category c);
const char *aqi_category_name_en(enum aqi_category c);
const char *aqi_category_color_name(enum aqi_category c);
const char *aqi_category_color_hex(enum aqi_category c);

/* Machine name "pm25", "pm10", "so2", "no2", "o3", "co" (static). */
const char *aqi_pollutant_name(enum aqi_pollutant p);
/* Display name "PM2.5", "SO2", ... (static). */
const char *aqi_pollutant_label(enum aqi_pollutant p);
/* Parses a pollutant name, case-insensitively: the machine names and the
 * forms "PM2.5", "pm2_5", "pm2.5". False when unknown. */
bool aqi_pollutant_parse(const char *s, enum aqi_pollutant *out);

/* "ug/m3" or "mg/m3" (static). */
const char *aqi_unit_name(enum aqi_unit u);
/* Parses "ug/m3" (also "µg/m3", "μg/m3", "μg/m³", "ug/m³") and "mg/m3"
 * (also "mg/m³"); case-insensitive ASCII. False when unknown. */
bool aqi_unit_parse(const char *s, enum aqi_unit *out);
/* The unit HJ 633 uses for `p`: mg/m3 for CO, ug/m3 for the rest. */
enum aqi_unit aqi_unit_of(enum aqi_pollutant p);

#endif
