/* Field rules shared by the CAP and JSON warning readers. */
#include "ingest/ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"

enum sm_err
ingest_check_id(const char *s, const char *what, struct sm_diag *diag)
{
    size_t n = strlen(s);

    if (n == 0) {
        sm_diag_set(diag, "bad_identifier", "<%s> is empty", what);
        return SM_ERR_INVAL;
    }
    if (n > INGEST_MAX_ID_LEN) {
        sm_diag_set(diag, "bad_identifier", "<%s> is %zu bytes long (at most %d)",
                    what, n, INGEST_MAX_ID_LEN);
        return SM_ERR_INVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* CAP 1.2: no spaces, commas or restricted characters (< and &);
         * a comma or blank would also break `references` triplets. */
        if (c <= 0x20 || c == 0x7f || c == ',' || c == '<' || c == '&') {
            sm_diag_set(diag, "bad_identifier",
                        "<%s> '%.64s' contains a forbidden character at byte %zu "
                        "(no spaces, commas, '<' or '&')", what, s, i + 1);
            return SM_ERR_INVAL;
        }
    }
    return SM_OK;
}

static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[n] == '\0';
}

enum sm_err
ingest_time_parse(const char *s, const char *what, int64_t *out_ms,
                  struct sm_diag *diag)
{
    struct sm_diag d = { 0 };
    char rfc[40];
    const char *text = s;
    enum sm_err rc;

    /* Chinese profile (GB/T 35965.1): 14 digits, Beijing time. */
    if (strlen(s) == 14 && all_digits(s, 14)) {
        snprintf(rfc, sizeof(rfc), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s+08:00", s,
                 s + 4, s + 6, s + 8, s + 10, s + 12);
        text = rfc;
    }
    rc = sm_time_parse(text, out_ms, &d);
    if (rc == SM_OK)
        return SM_OK;
    if (strcmp(d.code, "time_without_offset") == 0) {
        sm_diag_set(diag, "time_without_offset",
                    "<%s> '%.40s' has no UTC offset; write it as "
                    "2025-12-01T08:00:00+08:00 (or YYYYMMDDhhmmss, Beijing time)",
                    what, s);
        return SM_ERR_PARSE;
    }
    sm_diag_set(diag, "bad_time", "<%s>: %s", what, d.text);
    return SM_ERR_INVAL;
}

static const struct {
    const char *name;
    const char *norm;
} pollutants[] = {
    { "pm25", "pm25" }, { "pm2.5", "pm25" }, { "pm2_5", "pm25" },
    { "细颗粒物", "pm25" }, { "PM₂.₅", "pm25" },
    { "pm10", "pm10" }, { "可吸入颗粒物", "pm10" }, { "PM₁₀", "pm10" },
    { "o3", "o3" }, { "ozone", "o3" }, { "臭氧", "o3" }, { "O₃", "o3" },
    { "o3_8h", "o3" }, { "o3-8h", "o3" },
    { "dust", "dust" }, { "sand", "dust" }, { "沙尘", "dust" },
    { "沙尘暴", "dust" }, { "扬沙", "dust" }, { "浮尘", "dust" },
    { "so2", "so2" }, { "二氧化硫", "so2" }, { "SO₂", "so2" },
    { "no2", "no2" }, { "二氧化氮", "no2" }, { "NO₂", "no2" },
    { "co", "co" }, { "一氧化碳", "co" },
};

/* ASCII case-insensitive equality (bytes >= 0x80 compared exactly). */
static bool
ascii_equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return *a == *b;
}

bool
ingest_level_parse(const char *s, enum level *out)
{
    char folded[16];
    size_t n = strlen(s);

    if (n >= sizeof(folded))
        return false; /* longer than any level name */
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        folded[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    return level_parse(folded, out);
}

char *
ingest_pollutant_normalise(const char *raw)
{
    if (!raw[0])
        return xstrdup("");
    for (size_t i = 0; i < SM_ARRAY_LEN(pollutants); i++)
        if (ascii_equal_nocase(raw, pollutants[i].name))
            return xstrdup(pollutants[i].norm);
    return xasprintf("other:%s", raw);
}

enum sm_err
ingest_forecast_parse(const char *s, int **out, size_t *count,
                      struct sm_diag *diag)
{
    int vals[INGEST_MAX_FORECAST];
    size_t n = 0;
    const char *p = s;

    *out = NULL;
    *count = 0;
    for (;;) {
        long v = 0;
        int digits = 0;

        /* separators: blanks, ',' and the full-width comma U+FF0C */
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',' ||
               strncmp(p, "\xef\xbc\x8c", 3) == 0)
            p += (unsigned char)*p == 0xef ? 3 : 1;
        if (!*p)
            break;
        while (*p >= '0' && *p <= '9') {
            if (v <= INGEST_MAX_AQI)
                v = v * 10 + (*p - '0');
            digits++;
            p++;
        }
        if (!digits || (*p && *p != ' ' && *p != '\t' && *p != ',' &&
                        *p != '\n' && *p != '\r' &&
                        strncmp(p, "\xef\xbc\x8c", 3) != 0)) {
            sm_diag_set(diag, "bad_forecast",
                        "forecast '%.80s' is not a list of whole AQI values", s);
            return SM_ERR_INVAL;
        }
        if (v > INGEST_MAX_AQI) {
            sm_diag_set(diag, "bad_forecast",
                        "forecast '%.80s': AQI value %zu is above %d", s, n + 1,
                        INGEST_MAX_AQI);
            return SM_ERR_INVAL;
        }
        if (n == INGEST_MAX_FORECAST) {
            sm_diag_set(diag, "bad_forecast",
                        "forecast '%.80s' has more than %d days", s,
                        INGEST_MAX_FORECAST);
            return SM_ERR_INVAL;
        }
        vals[n++] = (int)v;
    }
    if (n == 0) {
        sm_diag_set(diag, "bad_forecast", "forecast is empty");
        return SM_ERR_INVAL;
    }
    *out = xmalloc(n * sizeof(int));
    memcpy(*out, vals, n * sizeof(int));
    *count = n;
    return SM_OK;
}

bool
ingest_geocode_valid(const char *s)
{
    size_t n = strlen(s);

    return n >= 6 && n <= 12 && all_digits(s, n);
}

void
ingest_area_add(struct warning_msg *m, const char *value_name, const char *code)
{
    m->areas = xrealloc(m->areas, (m->area_count + 1) * sizeof(*m->areas));
    m->areas[m->area_count].value_name = xstrdup(value_name);
    m->areas[m->area_count].code = xstrdup(code);
    m->area_count++;
}

void
ingest_ref_add(struct warning_msg *m, const char *sender,
               const char *identifier, int64_t sent_ms)
{
    m->refs = xrealloc(m->refs, (m->ref_count + 1) * sizeof(*m->refs));
    m->refs[m->ref_count].sender = xstrdup(sender);
    m->refs[m->ref_count].identifier = xstrdup(identifier);
    m->refs[m->ref_count].sent_ms = sent_ms;
    m->ref_count++;
}
