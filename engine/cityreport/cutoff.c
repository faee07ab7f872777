/* When the daily report is cut off: a fixed local hour every day. */
#include "cityreport/cityreport.h"

#define DAY_MS  86400000LL
#define HOUR_MS 3600000LL

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
cityreport_next_cutoff(int64_t after_ms, int hour, int tz_min)
{
    int64_t offset = (int64_t)tz_min * 60000;
    int64_t day = floor_div(after_ms + offset, DAY_MS);
    int64_t cut = day * DAY_MS + (int64_t)hour * HOUR_MS - offset;

    /* today's cut-off local time, else tomorrow's */
    while (cut <= after_ms)
        cut += DAY_MS;
    return cut;
}
