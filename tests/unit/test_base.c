/* base: times, durations, levels, buffers, hashing. */
#include <stdio.h>

#include "base/buf.h"
#include "base/crypto.h"
#include "base/level.h"
#include "base/timeutil.h"
#include "check.h"

static void
test_time_parse_offsets(void)
{
    int64_t a = 0, b = 0, c = 0;

    CHECK_INT(sm_time_parse("2025-12-01T08:00:00+08:00", &a, NULL), SM_OK);
    CHECK_INT(sm_time_parse("2025-12-01T00:00:00Z", &b, NULL), SM_OK);
    CHECK_INT(a, b);
    CHECK_INT(a, 1764547200000LL);
    CHECK_INT(sm_time_parse("2025-12-01T00:00:00.250-01:30", &c, NULL), SM_OK);
    CHECK_INT(c, b + 90 * 60000 + 250);
}

static void
test_time_without_offset_refused(void)
{
    int64_t a = 0;
    struct sm_diag d = { 0 };

    CHECK_INT(sm_time_parse("2025-12-01T08:00:00", &a, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "time_without_offset");
    CHECK_INT(sm_time_parse("2025-02-29T08:00:00Z", &a, &d), SM_ERR_PARSE);
    CHECK_INT(sm_time_parse("2024-02-29T08:00:00Z", &a, &d), SM_OK);
    CHECK_INT(sm_time_parse("2024-02-29T08:00:00+08:00x", &a, &d), SM_ERR_PARSE);
    CHECK_INT(sm_time_parse("", &a, &d), SM_ERR_PARSE);
}

static void
test_time_format_roundtrip(void)
{
    char buf[32];
    int64_t t = 0;

    CHECK_INT(sm_time_parse("2026-01-31T23:30:00+08:00", &t, NULL), SM_OK);
    CHECK_STR(sm_time_format(t, 480, buf), "2026-01-31T23:30:00+08:00");
    CHECK_STR(sm_time_format(t, 0, buf), "2026-01-31T15:30:00Z");
    CHECK_STR(sm_time_format(0, 0, buf), "1970-01-01T00:00:00Z");
}

/* the digit writer against snprintf of the civil date, over zones, the
 * edges of the fast path and times before the epoch */
static void
test_time_format_matches_printf(void)
{
    static const int zones[] = { 0, 480, -300, 345, -720, 840 };
    static const int64_t times[] = { 0, -1, -86400001, 1767225599999, 1767225600000,
                                     253402300799000, -62167219200000, 951782400000 };
    char got[32], want[32], *p;
    int64_t local, days, rem;
    int y;
    unsigned m, d;

    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
        for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
            int tz = zones[z], a = tz < 0 ? -tz : tz;
            local = times[i] / 1000 + (int64_t)tz * 60;
            if (times[i] < 0 && times[i] % 1000)
                local -= 1;
            days = local / 86400;
            rem = local % 86400;
            if (rem < 0) {
                rem += 86400;
                days -= 1;
            }
            sm_civil_from_days(days, &y, &m, &d);
            p = want + snprintf(want, sizeof(want), "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d,
                                (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
            if (tz == 0)
                snprintf(p, sizeof(want) - (size_t)(p - want), "Z");
            else
                snprintf(p, sizeof(want) - (size_t)(p - want), "%c%02d:%02d", tz < 0 ? '-' : '+',
                         a / 60, a % 60);
            CHECK_STR(sm_time_format(times[i], tz, got), want);
        }
    CHECK_STR(sm_time_format(253402300799000, 0, got), "9999-12-31T23:59:59Z");
    CHECK_STR(sm_time_format(-1, 0, got), "1969-12-31T23:59:59Z");
}

static void
test_duration(void)
{
    int64_t ms = 0;

    CHECK(sm_duration_parse("PT2H", &ms));
    CHECK_INT(ms, 7200000);
    CHECK(sm_duration_parse("P1DT30M", &ms));
    CHECK_INT(ms, 86400000 + 1800000);
    CHECK(!sm_duration_parse("2H", &ms));
    CHECK(!sm_duration_parse("P", &ms));
    CHECK(!sm_duration_parse("P2H", &ms));
}

static void
test_levels(void)
{
    enum level l = LEVEL_NONE;

    CHECK(level_parse("橙色", &l));
    CHECK_INT(l, LEVEL_ORANGE);
    CHECK(level_parse("red", &l));
    CHECK_STR(level_name(l), "red");
    CHECK(!level_parse("blue", &l));
    CHECK(LEVEL_NONE < LEVEL_YELLOW && LEVEL_ORANGE < LEVEL_RED);
}

static void
test_buf_cap(void)
{
    struct buf b;

    buf_init(&b, 8);
    CHECK(buf_addstr(&b, "1234"));
    CHECK(buf_printf(&b, "%d", 5678));
    CHECK(!buf_addstr(&b, "9"));
    CHECK_STR(b.data, "12345678");
    buf_release(&b);
}

static void
test_sha256(void)
{
    char hex[65];

    sm_sha256_hex("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sm_hmac_sha256_hex("key", 3, "The quick brown fox jumps over the lazy dog", 43, hex);
    CHECK_STR(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

CHECK_MAIN(CHECK_CASE(test_time_parse_offsets),
           CHECK_CASE(test_time_without_offset_refused),
           CHECK_CASE(test_time_format_roundtrip), CHECK_CASE(test_time_format_matches_printf),
           CHECK_CASE(test_duration),
           CHECK_CASE(test_levels), CHECK_CASE(test_buf_cap),
           CHECK_CASE(test_sha256))
