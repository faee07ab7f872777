/* Compliance of one line under halt, limit and voluntary measures over
 * synthetic hourly loads: thresholds, grace, gaps, relapses, inspections. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "compliance/compliance.h"

#define H (3600 * 1000LL)
/* 2025-12-01T08:00:00+08:00 */
#define T0 1764547200000LL

static struct compliance_rules
rules(void)
{
    struct compliance_rules r = {0};

    r.halt_max_load_fraction = 0.10;
    r.limit_tolerance = 1.05;
    r.grace_ms = 2 * H;
    r.banned_truck_stage = 4;
    return r;
}

/* hours[i] is the load of the hour ending T0 + (i + 1) h. */
static size_t
samples_from(const double *kw, size_t n, struct load_sample *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].hour_end_ms = T0 + (int64_t)(i + 1) * H;
        out[i].kw = kw[i];
    }
    return n;
}

static struct line_judgement
judge(enum measure_kind kind, double limit_pct, const double *kw, size_t n,
      int64_t now, const struct inspection *insp, size_t n_insp)
{
    struct compliance_rules r = rules();
    struct load_sample s[64] = { { 0 } };
    struct line_judgement j;

    samples_from(kw, n, s);
    compliance_judge_line(&r, kind, limit_pct, 500.0, T0, now, s, n, insp,
                          n_insp, &j);
    return j;
}

static void
test_halt_at_threshold_complies(void)
{
    /* grace ends T0+2h; judged hours end T0+3h.. ; 50 kW = 10.0 % of 500 */
    static const double kw[] = {480, 300, 50.0, 50.0, 50.0};
    struct line_judgement j = judge(MEASURE_KIND_HALT, 0, kw, 5, T0 + 5 * H,
                                    NULL, 0);

    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    CHECK_NEAR(j.threshold_kw, 50.0, 1e-9);
    CHECK_INT(j.n_hours_judged, 3);
    CHECK_INT(j.judged_from_ms, T0 + 2 * H);
    CHECK_INT(j.last_hour_end_ms, T0 + 5 * H);
    CHECK_STR(j.rule, "halt: hourly mean load <= 10 % of power_kw 500 kW = 50 kW");
}

static void
test_halt_just_over_is_violation(void)
{
    static const double kw[] = {480, 300, 50.0, 50.5, 20.0}; /* 10.1 % */
    struct line_judgement j = judge(MEASURE_KIND_HALT, 0, kw, 5, T0 + 5 * H,
                                    NULL, 0);

    CHECK_INT(j.state, COMPLIANCE_VIOLATION);
    CHECK_INT(j.n_violating_hours, 1);
    CHECK_INT(j.n_evidence, 1);
    CHECK_INT(j.evidence[0].hour_end_ms, T0 + 4 * H);
    CHECK_NEAR(j.evidence[0].kw, 50.5, 0);
    CHECK_STR(j.reason, "1 of 3 judged hours over 50 kW");
    CHECK(!j.has_inspection);
}

static void
test_limit_threshold(void)
{
    /* limit 50 %: (100 - 50) % x 500 x 1.05 = 262.5 kW = 52.5 % */
    static const double ok[] = {500, 500, 262.5, 262.5};
    static const double over[] = {500, 500, 262.5, 263.0}; /* 52.6 % */
    struct line_judgement j;

    j = judge(MEASURE_KIND_LIMIT, 50, ok, 4, T0 + 4 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    CHECK_NEAR(j.threshold_kw, 262.5, 1e-9);
    j = judge(MEASURE_KIND_LIMIT, 50, over, 4, T0 + 4 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_VIOLATION);
    CHECK_INT(j.evidence[0].hour_end_ms, T0 + 4 * H);
    CHECK_NEAR(j.evidence[0].kw, 263.0, 0);

    /* 20 %: 0.8 x 500 x 1.05 = 420 */
    j = judge(MEASURE_KIND_LIMIT, 20, ok, 4, T0 + 4 * H, NULL, 0);
    CHECK_NEAR(j.threshold_kw, 420.0, 1e-9);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);

    j = judge(MEASURE_KIND_LIMIT, 0, ok, 4, T0 + 4 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_UNKNOWN); /* no N to judge by */
    j = judge(MEASURE_KIND_LIMIT, 120, ok, 4, T0 + 4 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_UNKNOWN);
}

static void
test_gaps_are_unknown(void)
{
    static const double kw[] = {480, 5, 5, 5};
    struct line_judgement j;

    /* nothing at all */
    j = judge(MEASURE_KIND_HALT, 0, kw, 0, T0 + 10 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_UNKNOWN);
    CHECK_STR(j.reason, "no data after the grace period");

    /* data only inside grace, however good, is not compliance */
    j = judge(MEASURE_KIND_HALT, 0, kw, 2, T0 + 10 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_UNKNOWN);
    CHECK_INT(j.n_hours_judged, 0);

    /* hours after now do not count yet */
    j = judge(MEASURE_KIND_HALT, 0, kw, 4, T0 + 2 * H + H / 2, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_UNKNOWN);

    /* impossible readings are gaps */
    {
        static const double bad[] = {0, 0, -3, INFINITY};
        j = judge(MEASURE_KIND_HALT, 0, bad, 4, T0 + 4 * H, NULL, 0);
        CHECK_INT(j.state, COMPLIANCE_UNKNOWN);
    }

    /* no power_kw: cannot be judged */
    {
        struct compliance_rules r = rules();
        struct load_sample s[4];

        samples_from(kw, 4, s);
        compliance_judge_line(&r, MEASURE_KIND_HALT, 0, 0.0, T0, T0 + 4 * H,
                              s, 4, NULL, 0, &j);
        CHECK_INT(j.state, COMPLIANCE_UNKNOWN);
    }
}

static void
test_grace_and_partial_hours(void)
{
    /* still producing for the whole grace period, then stopped: fine */
    static const double late[] = {500, 500, 10, 10};
    struct compliance_rules r = rules();
    struct load_sample s[3];
    struct line_judgement j;

    j = judge(MEASURE_KIND_HALT, 0, late, 4, T0 + 4 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    CHECK_INT(j.n_hours_judged, 2);

    /* effective_from at :30: the hour ending T0+3h is half grace, so it is
     * skipped; the first judged hour ends T0+4h */
    s[0] = (struct load_sample){T0 + 3 * H, 400};
    s[1] = (struct load_sample){T0 + 4 * H, 10};
    s[2] = (struct load_sample){T0 + 5 * H, 10};
    compliance_judge_line(&r, MEASURE_KIND_HALT, 0, 500, T0 + H / 2,
                          T0 + 5 * H, s, 3, NULL, 0, &j);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    CHECK_INT(j.n_hours_judged, 2);
    CHECK_INT(j.judged_from_ms, T0 + 2 * H + H / 2);

    /* late past grace: a violation */
    {
        static const double later[] = {500, 500, 500, 10};
        j = judge(MEASURE_KIND_HALT, 0, later, 4, T0 + 4 * H, NULL, 0);
        CHECK_INT(j.state, COMPLIANCE_VIOLATION);
        CHECK_INT(j.evidence[0].hour_end_ms, T0 + 3 * H);
    }
}

static void
test_relapse_after_compliance(void)
{
    static const double kw[] = {500, 100, 20, 20, 20, 400, 450, 20};
    struct line_judgement j = judge(MEASURE_KIND_HALT, 0, kw, 8, T0 + 8 * H,
                                    NULL, 0);

    CHECK_INT(j.state, COMPLIANCE_VIOLATION);
    CHECK_INT(j.n_violating_hours, 2);
    CHECK_INT(j.n_evidence, 2);
    CHECK_INT(j.evidence[0].hour_end_ms, T0 + 6 * H);
    CHECK_NEAR(j.evidence[0].kw, 400, 0);
    CHECK_INT(j.evidence[1].hour_end_ms, T0 + 7 * H);
    CHECK_STR(j.reason, "2 of 6 judged hours over 50 kW");
}

static void
test_evidence_sorted_and_capped(void)
{
    struct compliance_rules r = rules();
    struct load_sample s[40];
    struct line_judgement j;

    /* newest first on purpose */
    for (size_t i = 0; i < 40; i++)
        s[i] = (struct load_sample){T0 + (int64_t)(42 - i) * H, 300};
    compliance_judge_line(&r, MEASURE_KIND_HALT, 0, 500, T0, T0 + 50 * H, s,
                          40, NULL, 0, &j);
    CHECK_INT(j.state, COMPLIANCE_VIOLATION);
    CHECK_INT(j.n_violating_hours, 40);
    CHECK_INT(j.n_evidence, COMPLIANCE_EVIDENCE_MAX);
    for (size_t i = 1; i < j.n_evidence; i++)
        CHECK(j.evidence[i - 1].hour_end_ms < j.evidence[i].hour_end_ms);
}

static void
test_inspections(void)
{
    static const double high[] = {500, 500, 300, 300, 20, 20};
    static const double low[] = {500, 500, 20, 20, 20, 20};
    struct inspection insp;
    struct line_judgement j;

    /* a violation inspection beats compliant meters */
    insp = (struct inspection){T0 + 3 * H + H / 2, INSPECTION_VIOLATION};
    j = judge(MEASURE_KIND_HALT, 0, low, 6, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_VIOLATION);
    CHECK(j.has_inspection);
    CHECK_INT(j.inspection_at_ms, T0 + 3 * H + H / 2);
    CHECK_INT(j.inspection_result, INSPECTION_VIOLATION);
    CHECK_INT(j.n_violating_hours, 0);

    /* a violation inspection with no meter data at all */
    j = judge(MEASURE_KIND_HALT, 0, low, 0, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_VIOLATION);

    /* a compliant inspection at T0+4h outranks the meter up to then ... */
    insp = (struct inspection){T0 + 4 * H, INSPECTION_COMPLIANT};
    j = judge(MEASURE_KIND_HALT, 0, high, 6, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    CHECK(j.has_inspection);
    CHECK_INT(j.n_hours_judged, 2);
    CHECK_STR(j.reason, "2 judged hours at or under 50 kW, after a compliant "
                        "inspection");

    /* ... but not after it: a relapse is still seen */
    insp = (struct inspection){T0 + 3 * H, INSPECTION_COMPLIANT};
    j = judge(MEASURE_KIND_HALT, 0, high, 6, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_VIOLATION);
    CHECK_INT(j.n_violating_hours, 1);
    CHECK_INT(j.evidence[0].hour_end_ms, T0 + 4 * H);

    /* a compliant inspection is data: no meters, yet compliant */
    insp = (struct inspection){T0 + 3 * H, INSPECTION_COMPLIANT};
    j = judge(MEASURE_KIND_HALT, 0, low, 0, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    CHECK_STR(j.reason, "an inspection found the line compliant");

    /* inspections inside grace or in the future do not count */
    insp = (struct inspection){T0 + H, INSPECTION_VIOLATION};
    j = judge(MEASURE_KIND_HALT, 0, low, 6, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);
    insp = (struct inspection){T0 + 7 * H, INSPECTION_VIOLATION};
    j = judge(MEASURE_KIND_HALT, 0, low, 6, T0 + 6 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_COMPLIANT);

    /* a later compliant inspection does not erase an earlier violation one */
    {
        struct inspection two[2] = {
            {T0 + 5 * H, INSPECTION_COMPLIANT},
            {T0 + 3 * H, INSPECTION_VIOLATION},
        };
        j = judge(MEASURE_KIND_HALT, 0, low, 6, T0 + 6 * H, two, 2);
        CHECK_INT(j.state, COMPLIANCE_VIOLATION);
        CHECK_INT(j.inspection_at_ms, T0 + 3 * H);
    }
}

static void
test_voluntary_never_violation(void)
{
    static const double kw[] = {500, 500, 500, 500};
    struct inspection insp = {T0 + 3 * H, INSPECTION_VIOLATION};
    struct line_judgement j;

    j = judge(MEASURE_KIND_VOLUNTARY, 0, kw, 4, T0 + 4 * H, &insp, 1);
    CHECK_INT(j.state, COMPLIANCE_NOT_JUDGED);
    CHECK_STR(compliance_state_name(j.state), "not_judged");
    j = judge(MEASURE_KIND_VOLUNTARY, 0, kw, 0, T0 + 4 * H, NULL, 0);
    CHECK_INT(j.state, COMPLIANCE_NOT_JUDGED);
}

static void
test_combine(void)
{
    struct line_judgement l[3];

    memset(l, 0, sizeof(l));
    CHECK_INT(compliance_combine(l, 0), COMPLIANCE_UNKNOWN);
    l[0].state = COMPLIANCE_COMPLIANT;
    l[1].state = COMPLIANCE_NOT_JUDGED;
    CHECK_INT(compliance_combine(l, 2), COMPLIANCE_COMPLIANT);
    l[2].state = COMPLIANCE_UNKNOWN;
    CHECK_INT(compliance_combine(l, 3), COMPLIANCE_UNKNOWN);
    l[2].state = COMPLIANCE_VIOLATION;
    CHECK_INT(compliance_combine(l, 3), COMPLIANCE_VIOLATION);
    l[0].state = COMPLIANCE_NOT_JUDGED;
    CHECK_INT(compliance_combine(l, 2), COMPLIANCE_UNKNOWN); /* only voluntary */
}

static void
test_truck_ban(void)
{
    struct compliance_rules r = rules();

    CHECK(compliance_truck_banned(&r, 3));
    CHECK(compliance_truck_banned(&r, 4));
    CHECK(!compliance_truck_banned(&r, 5));
    CHECK(!compliance_truck_banned(&r, 6));
}

CHECK_MAIN(CHECK_CASE(test_halt_at_threshold_complies),
           CHECK_CASE(test_halt_just_over_is_violation),
           CHECK_CASE(test_limit_threshold),
           CHECK_CASE(test_gaps_are_unknown),
           CHECK_CASE(test_grace_and_partial_hours),
           CHECK_CASE(test_relapse_after_compliance),
           CHECK_CASE(test_evidence_sorted_and_capped),
           CHECK_CASE(test_inspections),
           CHECK_CASE(test_voluntary_never_violation),
           CHECK_CASE(test_combine),
           CHECK_CASE(test_truck_ban))
