/* base: times, durations, levels, buffers, hashing. */
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
           CHECK_CASE(test_time_format_roundtrip), CHECK_CASE(test_duration),
           CHECK_CASE(test_levels), CHECK_CASE(test_buf_cap),
           CHECK_CASE(test_sha256))
