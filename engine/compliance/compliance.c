/* Compliance of a production line with its measure: hourly mean loads
 * against a threshold after a grace period, with inspections on top. */
#include "compliance/compliance.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOUR_MS (3600 * 1000LL)
/* Hourly means come in as decimals: 10.0 % of 500 kW must compare equal to
 * 50 kW however the product rounds. One part in 10^9 is far below any meter. */
#define COMPARE_SLACK 1e-9

const char *
compliance_state_name(enum compliance_state s)
{
    switch (s) {
    case COMPLIANCE_UNKNOWN: return "unknown";
    case COMPLIANCE_COMPLIANT: return "compliant";
    case COMPLIANCE_VIOLATION: return "violation";
    case COMPLIANCE_NOT_JUDGED: return "not_judged";
    }
    return "unknown";
}

bool
compliance_truck_banned(const struct compliance_rules *r, int stage)
{
    return stage <= r->banned_truck_stage;
}

static void
add_evidence(struct line_judgement *out, const struct load_sample *s)
{
    out->n_violating_hours++;
    if (out->n_evidence < COMPLIANCE_EVIDENCE_MAX) {
        out->evidence[out->n_evidence].hour_end_ms = s->hour_end_ms;
        out->evidence[out->n_evidence].kw = s->kw;
        out->n_evidence++;
    }
}

/* Evidence is kept oldest first whatever order the samples came in. */
static void
sort_evidence(struct line_judgement *out)
{
    for (size_t i = 1; i < out->n_evidence; i++) {
        struct compliance_hour h = out->evidence[i];
        size_t j = i;

        while (j > 0 && out->evidence[j - 1].hour_end_ms > h.hour_end_ms) {
            out->evidence[j] = out->evidence[j - 1];
            j--;
        }
        out->evidence[j] = h;
    }
}

/* Sets threshold and rule text; false when the measure cannot be judged. */
static bool
set_threshold(const struct compliance_rules *r, enum measure_kind kind,
              double limit_pct, double power_kw, struct line_judgement *out)
{
    if (!isfinite(power_kw) || power_kw <= 0) {
        snprintf(out->reason, sizeof(out->reason),
                 "the line has no normal load (power_kw) to judge against");
        return false;
    }
    if (kind == MEASURE_KIND_HALT) {
        out->threshold_kw = r->halt_max_load_fraction * power_kw;
        snprintf(out->rule, sizeof(out->rule),
                 "halt: hourly mean load <= %g %% of power_kw %g kW = %g kW",
                 r->halt_max_load_fraction * 100.0, power_kw,
                 out->threshold_kw);
        return true;
    }
    if (!isfinite(limit_pct) || limit_pct <= 0 || limit_pct > 100) {
        snprintf(out->reason, sizeof(out->reason),
                 "limit_pct %g is not in (0, 100]", limit_pct);
        return false;
    }
    out->threshold_kw =
        (100.0 - limit_pct) / 100.0 * power_kw * r->limit_tolerance;
    snprintf(out->rule, sizeof(out->rule),
             "limit %g %%: hourly mean load <= (100 - %g) %% x power_kw %g kW "
             "x %g = %g kW",
             limit_pct, limit_pct, power_kw, r->limit_tolerance,
             out->threshold_kw);
    return true;
}

void
compliance_judge_line(const struct compliance_rules *r,
                      enum measure_kind kind, double limit_pct,
                      double power_kw, int64_t effective_from_ms,
                      int64_t now_ms, const struct load_sample *samples,
                      size_t n, const struct inspection *insp, size_t n_insp,
                      struct line_judgement *out)
{
    const struct inspection *cleared_by = NULL, *violated_by = NULL;
    double limit;

    memset(out, 0, sizeof(*out));
    out->state = COMPLIANCE_UNKNOWN;
    out->judged_from_ms = effective_from_ms + r->grace_ms;

    if (kind == MEASURE_KIND_VOLUNTARY) {
        out->state = COMPLIANCE_NOT_JUDGED;
        snprintf(out->rule, sizeof(out->rule),
                 "voluntary: no curtailment is required, so nothing is judged");
        snprintf(out->reason, sizeof(out->reason),
                 "a voluntary measure is never a violation");
        return;
    }
    if (!set_threshold(r, kind, limit_pct, power_kw, out))
        return;
    limit = out->threshold_kw * (1.0 + COMPARE_SLACK);

    /* Inspections inside [judged_from, now]: the earliest violation one
     * decides; the latest compliant one vouches for the hours up to it. */
    for (size_t i = 0; i < n_insp; i++) {
        const struct inspection *x = &insp[i];

        if (x->at_ms < out->judged_from_ms || x->at_ms > now_ms)
            continue;
        if (x->result == INSPECTION_VIOLATION) {
            if (!violated_by || x->at_ms < violated_by->at_ms)
                violated_by = x;
        } else if (!cleared_by || x->at_ms > cleared_by->at_ms) {
            cleared_by = x;
        }
    }

    for (size_t i = 0; i < n; i++) {
        const struct load_sample *s = &samples[i];

        /* The whole hour must lie after the grace period: a mean that
         * includes grace minutes would punish a line that stopped in time. */
        if (s->hour_end_ms - HOUR_MS < out->judged_from_ms ||
            s->hour_end_ms > now_ms)
            continue;
        if (!isfinite(s->kw) || s->kw < 0)
            continue; /* an impossible reading is a gap, not evidence */
        if (cleared_by && s->hour_end_ms <= cleared_by->at_ms)
            continue; /* an on-site finding outranks the meter before it */
        out->n_hours_judged++;
        if (s->hour_end_ms > out->last_hour_end_ms)
            out->last_hour_end_ms = s->hour_end_ms;
        if (s->kw > limit)
            add_evidence(out, s);
    }
    sort_evidence(out);

    if (violated_by) {
        out->state = COMPLIANCE_VIOLATION;
        out->has_inspection = true;
        out->inspection_at_ms = violated_by->at_ms;
        out->inspection_result = INSPECTION_VIOLATION;
        snprintf(out->reason, sizeof(out->reason),
                 "an inspection found a violation%s",
                 out->n_violating_hours ? "; metered hours over the threshold too"
                                        : "");
        return;
    }
    if (out->n_violating_hours) {
        out->state = COMPLIANCE_VIOLATION;
        snprintf(out->reason, sizeof(out->reason),
                 "%zu of %zu judged hours over %g kW", out->n_violating_hours,
                 out->n_hours_judged, out->threshold_kw);
        return;
    }
    if (cleared_by) {
        out->has_inspection = true;
        out->inspection_at_ms = cleared_by->at_ms;
        out->inspection_result = INSPECTION_COMPLIANT;
    }
    if (out->n_hours_judged == 0 && !cleared_by) {
        snprintf(out->reason, sizeof(out->reason),
                 "no data after the grace period");
        return;
    }
    out->state = COMPLIANCE_COMPLIANT;
    if (cleared_by && out->n_hours_judged == 0)
        snprintf(out->reason, sizeof(out->reason),
                 "an inspection found the line compliant");
    else
        snprintf(out->reason, sizeof(out->reason),
                 "%zu judged hours at or under %g kW%s", out->n_hours_judged,
                 out->threshold_kw,
                 cleared_by ? ", after a compliant inspection" : "");
}

enum compliance_state
compliance_combine(const struct line_judgement *lines, size_t n)
{
    size_t judged = 0, compliant = 0;

    for (size_t i = 0; i < n; i++) {
        if (lines[i].state == COMPLIANCE_VIOLATION)
            return COMPLIANCE_VIOLATION;
        if (lines[i].state == COMPLIANCE_NOT_JUDGED)
            continue;
        judged++;
        if (lines[i].state == COMPLIANCE_COMPLIANT)
            compliant++;
    }
    return judged > 0 && compliant == judged ? COMPLIANCE_COMPLIANT
                                             : COMPLIANCE_UNKNOWN;
}
