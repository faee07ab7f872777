/* IAQI and AQI after HJ 633-2012 (Technical Regulation on Ambient Air
 * Quality Index): the breakpoint tables, interpolation and rounding, the two
 * hand-overs (SO2 1-hour above 800, O3 8-hour above 800), primary
 * pollutants and categories, and the names used on the wire. */
#include "aqi/aqi.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/compat.h"

/* IAQI at each breakpoint; a table may stop early (SO2 1h, O3 8h). */
static const int iaqi_points[] = { 0, 50, 100, 150, 200, 300, 400, 500 };

struct bp_table {
    int count; /* breakpoints used; 0 = no table */
    double conc[8];
};

/* [pollutant][period], HJ 633-2012 Table 1. */
static const struct bp_table tables[AQI_POLLUTANT_COUNT][3] = {
    [AQI_SO2] = {
        [AQI_PERIOD_1H] = { 5, { 0, 150, 500, 650, 800 } },
        [AQI_PERIOD_24H] = { 8, { 0, 50, 150, 475, 800, 1600, 2100, 2620 } },
    },
    [AQI_NO2] = {
        [AQI_PERIOD_1H] = { 8, { 0, 100, 200, 700, 1200, 2340, 3090, 3840 } },
        [AQI_PERIOD_24H] = { 8, { 0, 40, 80, 180, 280, 565, 750, 940 } },
    },
    [AQI_PM10] = {
        [AQI_PERIOD_24H] = { 8, { 0, 50, 150, 250, 350, 420, 500, 600 } },
    },
    [AQI_PM25] = {
        [AQI_PERIOD_24H] = { 8, { 0, 35, 75, 115, 150, 250, 350, 500 } },
    },
    [AQI_CO] = {
        [AQI_PERIOD_1H] = { 8, { 0, 5, 10, 35, 60, 90, 120, 150 } },
        [AQI_PERIOD_24H] = { 8, { 0, 2, 4, 14, 24, 36, 48, 60 } },
    },
    [AQI_O3] = {
        [AQI_PERIOD_1H] = { 8, { 0, 160, 200, 300, 400, 800, 1000, 1200 } },
        [AQI_PERIOD_8H] = { 6, { 0, 100, 160, 215, 265, 800 } },
    },
};

/* Interpolation is exact in real numbers; this tolerance only absorbs
 * binary floating-point error so that a concentration exactly on a
 * breakpoint is not rounded up past it (measured values carry one decimal
 * at most). */
#define IAQI_ROUNDING_SLACK 1e-9

static const struct bp_table *
table_of(enum aqi_pollutant p, enum aqi_period period)
{
    if ((unsigned)p >= AQI_POLLUTANT_COUNT || (unsigned)period > AQI_PERIOD_24H)
        return NULL;
    if (tables[p][period].count == 0)
        return NULL;
    return &tables[p][period];
}

bool
aqi_has_table(enum aqi_pollutant p, enum aqi_period period)
{
    return table_of(p, period) != NULL;
}

enum aqi_status
aqi_iaqi(enum aqi_pollutant p, enum aqi_period period, double conc,
         int *out_iaqi)
{
    const struct bp_table *t = table_of(p, period);
    double top;

    if (!t)
        return AQI_STATUS_NO_TABLE;
    if (!isfinite(conc) || conc < 0)
        return AQI_STATUS_INVALID;
    top = t->conc[t->count - 1];
    if (conc > top) {
        /* HJ 633 note 2 and 3 of Table 1: these two tables end at 800 and
         * hand over to another period instead of reaching 500. */
        if (p == AQI_SO2 && period == AQI_PERIOD_1H)
            return AQI_STATUS_USE_24H;
        if (p == AQI_O3 && period == AQI_PERIOD_8H)
            return AQI_STATUS_USE_1H;
        *out_iaqi = AQI_IAQI_MAX;
        return AQI_STATUS_OK;
    }
    for (int i = 1; i < t->count; i++) {
        double lo = t->conc[i - 1], hi = t->conc[i];
        double x;

        if (conc > hi)
            continue;
        x = iaqi_points[i - 1] +
            (double)(iaqi_points[i] - iaqi_points[i - 1]) * (conc - lo) / (hi - lo);
        *out_iaqi = (int)ceil(x - IAQI_ROUNDING_SLACK);
        return AQI_STATUS_OK;
    }
    *out_iaqi = 0; /* unreachable: conc <= top was checked */
    return AQI_STATUS_OK;
}

static int
iaqi_or_missing(enum aqi_pollutant p, enum aqi_period period, double conc)
{
    int v = -1;

    if (aqi_iaqi(p, period, conc, &v) != AQI_STATUS_OK)
        return -1;
    return v;
}

int
aqi_iaqi_so2_1h(double conc_1h, double conc_24h, bool *used_24h)
{
    int v = -1;
    enum aqi_status st = aqi_iaqi(AQI_SO2, AQI_PERIOD_1H, conc_1h, &v);

    if (used_24h)
        *used_24h = st == AQI_STATUS_USE_24H;
    if (st == AQI_STATUS_USE_24H)
        return iaqi_or_missing(AQI_SO2, AQI_PERIOD_24H, conc_24h);
    return st == AQI_STATUS_OK ? v : -1;
}

int
aqi_iaqi_o3_8h(double conc_8h, double conc_1h, bool *used_1h)
{
    int v = -1;
    enum aqi_status st = aqi_iaqi(AQI_O3, AQI_PERIOD_8H, conc_8h, &v);

    if (used_1h)
        *used_1h = st == AQI_STATUS_USE_1H;
    if (st == AQI_STATUS_USE_1H)
        return iaqi_or_missing(AQI_O3, AQI_PERIOD_1H, conc_1h);
    return st == AQI_STATUS_OK ? v : -1;
}

int
aqi_combine(const int iaqi[AQI_POLLUTANT_COUNT], unsigned *primary_mask)
{
    int aqi = -1;
    unsigned mask = 0;

    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
        if (iaqi[p] > aqi)
            aqi = iaqi[p];
    if (aqi > 50)
        for (int p = 0; p < AQI_POLLUTANT_COUNT; p++)
            if (iaqi[p] == aqi)
                mask |= AQI_BIT(p);
    if (primary_mask)
        *primary_mask = mask;
    return aqi;
}

enum aqi_category
aqi_category_of(int aqi)
{
    if (aqi <= 50)
        return AQI_CAT_EXCELLENT;
    if (aqi <= 100)
        return AQI_CAT_GOOD;
    if (aqi <= 150)
        return AQI_CAT_LIGHT;
    if (aqi <= 200)
        return AQI_CAT_MODERATE;
    if (aqi <= 300)
        return AQI_CAT_HEAVY;
    return AQI_CAT_SEVERE;
}

struct category_names {
    const char *zh, *en, *color, *hex;
};

static const struct category_names category_names[] = {
    [AQI_CAT_EXCELLENT] = { "优", "excellent", "green", "#00e400" },
    [AQI_CAT_GOOD] = { "良", "good", "yellow", "#ffff00" },
    [AQI_CAT_LIGHT] = { "轻度污染", "lightly polluted", "orange", "#ff7e00" },
    [AQI_CAT_MODERATE] = { "中度污染", "moderately polluted", "red", "#ff0000" },
    [AQI_CAT_HEAVY] = { "重度污染", "heavily polluted", "purple", "#99004c" },
    [AQI_CAT_SEVERE] = { "严重污染", "severely polluted", "maroon", "#7e0023" },
};

static const struct category_names *
category(enum aqi_category c)
{
    if ((unsigned)c >= SM_ARRAY_LEN(category_names))
        c = AQI_CAT_SEVERE;
    return &category_names[c];
}

const char *aqi_category_name_zh(enum aqi_category c) { return category(c)->zh; }
const char *aqi_category_name_en(enum aqi_category c) { return category(c)->en; }
const char *aqi_category_color_name(enum aqi_category c) { return category(c)->color; }
const char *aqi_category_color_hex(enum aqi_category c) { return category(c)->hex; }

static const char *const pollutant_names[AQI_POLLUTANT_COUNT] = {
    [AQI_SO2] = "so2", [AQI_NO2] = "no2", [AQI_PM10] = "pm10",
    [AQI_PM25] = "pm25", [AQI_CO] = "co", [AQI_O3] = "o3",
};

static const char *const pollutant_labels[AQI_POLLUTANT_COUNT] = {
    [AQI_SO2] = "SO2", [AQI_NO2] = "NO2", [AQI_PM10] = "PM10",
    [AQI_PM25] = "PM2.5", [AQI_CO] = "CO", [AQI_O3] = "O3",
};

const char *
aqi_pollutant_name(enum aqi_pollutant p)
{
    return (unsigned)p < AQI_POLLUTANT_COUNT ? pollutant_names[p] : "unknown";
}

const char *
aqi_pollutant_label(enum aqi_pollutant p)
{
    return (unsigned)p < AQI_POLLUTANT_COUNT ? pollutant_labels[p] : "unknown";
}

/* ASCII case-insensitive equality; bytes >= 0x80 must match exactly. */
static bool
eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb - 'A' + 'a');
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

bool
aqi_pollutant_parse(const char *s, enum aqi_pollutant *out)
{
    static const struct {
        const char *name;
        enum aqi_pollutant p;
    } aliases[] = {
        { "pm2.5", AQI_PM25 },
        { "pm2_5", AQI_PM25 },
    };

    if (!s)
        return false;
    for (int p = 0; p < AQI_POLLUTANT_COUNT; p++) {
        if (eq_nocase(s, pollutant_names[p])) {
            *out = (enum aqi_pollutant)p;
            return true;
        }
    }
    for (size_t i = 0; i < SM_ARRAY_LEN(aliases); i++) {
        if (eq_nocase(s, aliases[i].name)) {
            *out = aliases[i].p;
            return true;
        }
    }
    return false;
}

const char *
aqi_unit_name(enum aqi_unit u)
{
    return u == AQI_UNIT_MG_M3 ? "mg/m3" : "ug/m3";
}

bool
aqi_unit_parse(const char *s, enum aqi_unit *out)
{
    /* Micro as ASCII u, MICRO SIGN U+00B5 or GREEK SMALL LETTER MU U+03BC;
     * cube as 3 or SUPERSCRIPT THREE U+00B3. */
    static const char *const micro[] = { "u", "\xc2\xb5", "\xce\xbc" };
    static const char *const cube[] = { "3", "\xc2\xb3" };
    char want[16];

    if (!s)
        return false;
    for (size_t c = 0; c < SM_ARRAY_LEN(cube); c++) {
        (void)snprintf(want, sizeof(want), "mg/m%s", cube[c]);
        if (eq_nocase(s, want)) {
            *out = AQI_UNIT_MG_M3;
            return true;
        }
        for (size_t m = 0; m < SM_ARRAY_LEN(micro); m++) {
            (void)snprintf(want, sizeof(want), "%sg/m%s", micro[m], cube[c]);
            if (eq_nocase(s, want)) {
                *out = AQI_UNIT_UG_M3;
                return true;
            }
        }
    }
    return false;
}

enum aqi_unit
aqi_unit_of(enum aqi_pollutant p)
{
    return p == AQI_CO ? AQI_UNIT_MG_M3 : AQI_UNIT_UG_M3;
}
