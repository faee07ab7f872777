/* The direct JSON writer writes what jansson's JSON_COMPACT dump writes. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jsonw.h"
#include "check.h"

static void
same_real(double v)
{
    struct buf b;
    json_t *j = json_real(v);
    char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

    buf_init(&b, 0);
    CHECK(jsonw_real(&b, v));
    CHECK_STR(b.data, want);
    free(want);
    json_decref(j);
    buf_release(&b);
}

static void
same_str(const char *s)
{
    struct buf b;
    json_t *j = json_string(s);
    char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

    buf_init(&b, 0);
    CHECK(jsonw_str(&b, s));
    CHECK_STR(b.data, want);
    free(want);
    json_decref(j);
    buf_release(&b);
}

static void
test_reals(void)
{
    const double v[] = { 0, 30, 12.5, 0.3, 100, -7, 1e20, 1e-5, 123456789012345678.0, 2.5e-300 };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        same_real(v[i]);
}

static void
test_strings(void)
{
    same_str("");
    same_str("plain");
    same_str("停产 \"全部\" 生产线\\/a");
    same_str("tab\tnl\ncr\rbs\bff\f\x01\x1f end");
}

static void
test_ints(void)
{
    char t[24];

    CHECK_INT((int)jsonw_fmt_int(t, 0), 1);
    CHECK_STR(t, "0");
    CHECK_INT((int)jsonw_fmt_int(t, -42), 3);
    CHECK_STR(t, "-42");
    jsonw_fmt_int(t, INT64_MIN);
    CHECK_STR(t, "-9223372036854775808");
    jsonw_fmt_int(t, INT64_MAX);
    CHECK_STR(t, "9223372036854775807");
}

static void
test_cap(void)
{
    struct buf b;

    buf_init(&b, 4);
    CHECK(!jsonw_str(&b, "toolong"));
    buf_release(&b);
}

CHECK_MAIN(CHECK_CASE(test_reals), CHECK_CASE(test_strings), CHECK_CASE(test_ints),
           CHECK_CASE(test_cap))
