/* RFC 3339 times and fixed-offset zones, without the C library's time zone
 * state (which is neither thread-safe nor injectable). */
#include "base/timeutil.h"

#include <stdio.h>
#include <string.h>

int64_t
sm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void
sm_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

enum sm_err
sm_time_parse(const char *s, int64_t *out_ms, struct sm_diag *diag)
{
    static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, mo, d, h, mi, sec, oh = 0, om = 0, frac_ms = 0;
    const char *p;
    int sign = 0;

    if (!s || strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &sec)) {
        sm_diag_set(diag, "bad_time", "'%.40s' is not an RFC 3339 time (YYYY-MM-DDThh:mm:ss+hh:mm)",
                    s ? s : "");
        return SM_ERR_PARSE;
    }
    if (mo < 1 || mo > 12 || d < 1 ||
        (unsigned)d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 ||
        mi > 59 || sec > 60) {
        sm_diag_set(diag, "bad_time", "'%.40s' is not a valid calendar time", s);
        return SM_ERR_PARSE;
    }
    if (sec == 60)
        sec = 59; /* a leap second is held at :59 */
    p = s + 19;
    if (*p == '.') {
        int n = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (n < 3)
                frac_ms = frac_ms * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0) {
            sm_diag_set(diag, "bad_time", "'%.40s' has an empty fraction", s);
            return SM_ERR_PARSE;
        }
        for (; n < 3; n++)
            frac_ms *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
            oh > 23 || om > 59) {
            sm_diag_set(diag, "bad_time", "'%.40s' has a malformed offset", s);
            return SM_ERR_PARSE;
        }
        p += 6;
    } else if (*p == '\0') {
        sm_diag_set(diag, "time_without_offset",
                    "'%.40s' has no UTC offset; write it as +08:00 or Z", s);
        return SM_ERR_PARSE;
    }
    if (*p != '\0') {
        sm_diag_set(diag, "bad_time", "'%.40s' has trailing characters", s);
        return SM_ERR_PARSE;
    }
    int64_t days = sm_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec;
    secs -= (int64_t)sign * (oh * 3600 + om * 60);
    *out_ms = secs * 1000 + frac_ms;
    return SM_OK;
}

/* writes v as exactly width decimal digits (zero-padded) */
static void
put_digits(char **p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        (*p)[i] = (char)('0' + v % 10);
        v /= 10;
    }
    *p += width;
}

char *
sm_time_format(int64_t ms, int tz_min, char *buf)
{
    int64_t local = ms / 1000 + (int64_t)tz_min * 60;
    if (ms < 0 && ms % 1000)
        local -= 1;
    int64_t days = local / 86400;
    int64_t rem = local % 86400;
    int y;
    unsigned m, d;

    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    sm_civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) {
        /* the common case without snprintf: it is on every order and ack reply */
        char *p = buf;
        put_digits(&p, (unsigned)y, 4);
        *p++ = '-';
        put_digits(&p, m, 2);
        *p++ = '-';
        put_digits(&p, d, 2);
        *p++ = 'T';
        put_digits(&p, (unsigned)(rem / 3600), 2);
        *p++ = ':';
        put_digits(&p, (unsigned)(rem / 60 % 60), 2);
        *p++ = ':';
        put_digits(&p, (unsigned)(rem % 60), 2);
        if (tz_min == 0) {
            *p++ = 'Z';
        } else {
            unsigned a = (unsigned)(tz_min < 0 ? -tz_min : tz_min);
            *p++ = tz_min < 0 ? '-' : '+';
            put_digits(&p, a / 60 % 100, 2);
            *p++ = ':';
            put_digits(&p, a % 60, 2);
        }
        *p = '\0';
        return buf;
    }
    int n;
    if (tz_min == 0) {
        n = snprintf(buf, 32, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    } else {
        int a = tz_min < 0 ? -tz_min : tz_min;
        n = snprintf(buf, 32, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
                     tz_min < 0 ? '-' : '+', a / 60, a % 60);
    }
    /* only years beyond 9999 could not fit; they are cut, never overrun */
    if (n < 0 || n >= 32)
        buf[31] = '\0';
    return buf;
}

bool
sm_tz_parse(const char *s, int *tz_min)
{
    int h, m;

    if (strcmp(s, "Asia/Shanghai") == 0 || strcmp(s, "Asia/Chongqing") == 0 ||
        strcmp(s, "PRC") == 0) {
        *tz_min = SM_TZ_SHANGHAI_MIN;
        return true;
    }
    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0) {
        *tz_min = 0;
        return true;
    }
    if ((s[0] == '+' || s[0] == '-') && strlen(s) == 6 && digits(s + 1, 2, &h) &&
        s[3] == ':' && digits(s + 4, 2, &m) && h <= 14 && m <= 59) {
        *tz_min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
        return true;
    }
    return false;
}

bool
sm_duration_parse(const char *s, int64_t *out_ms)
{
    int64_t total = 0;
    bool in_time = false, any = false;
    const char *p = s;

    if (*p++ != 'P')
        return false;
    while (*p) {
        if (*p == 'T') {
            if (in_time)
                return false;
            in_time = true;
            p++;
            continue;
        }
        int64_t v = 0;
        int n = 0;
        while (*p >= '0' && *p <= '9' && n < 9) {
            v = v * 10 + (*p++ - '0');
            n++;
        }
        if (n == 0)
            return false;
        switch (*p++) {
        case 'D': if (in_time) return false; total += v * SM_MS_PER_DAY; break;
        case 'H': if (!in_time) return false; total += v * SM_MS_PER_HOUR; break;
        case 'M': if (!in_time) return false; total += v * SM_MS_PER_MIN; break;
        case 'S': if (!in_time) return false; total += v * 1000; break;
        default: return false;
        }
        any = true;
    }
    if (!any)
        return false;
    *out_ms = total;
    return true;
}
