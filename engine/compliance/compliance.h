#ifndef SM_COMPLIANCE_COMPLIANCE_H
#define SM_COMPLIANCE_COMPLIANCE_H

/* Pure compliance judgement of one production line under one measure, from
 * hourly mean loads and on-site inspections; and the order-level combiner.
 * No I/O, no clock: now_ms is a parameter. Semantics: README.md here. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset/ruleset.h"

/* ops/compliance_judge.c maps an order measure's action onto these. */
enum measure_kind {
    MEASURE_KIND_HALT,
    MEASURE_KIND_LIMIT,
    MEASURE_KIND_VOLUNTARY,
};

enum compliance_state {
    COMPLIANCE_UNKNOWN,    /* nothing to judge on yet (a gap), or not judgeable */
    COMPLIANCE_COMPLIANT,
    COMPLIANCE_VIOLATION,
    COMPLIANCE_NOT_JUDGED, /* voluntary: never judged; "unknown" for an order */
};

/* The mean electric load of the hour (hour_end_ms - 1 h, hour_end_ms]. */
struct load_sample {
    int64_t hour_end_ms;
    double kw;
};

enum inspection_result {
    INSPECTION_COMPLIANT,
    INSPECTION_VIOLATION,
};

struct inspection {
    int64_t at_ms;
    enum inspection_result result;
};

#define COMPLIANCE_EVIDENCE_MAX 24

/* One violating hour: its end and its mean load. */
struct compliance_hour {
    int64_t hour_end_ms;
    double kw;
};

struct line_judgement {
    enum compliance_state state;
    double threshold_kw;      /* the largest compliant hourly mean; 0 for voluntary */
    int64_t judged_from_ms;   /* effective_from + grace */
    size_t n_hours_judged;    /* metered hours that counted */
    int64_t last_hour_end_ms; /* latest hour that counted; 0 when none */
    size_t n_violating_hours; /* all of them; the first ones are kept below */
    size_t n_evidence;
    struct compliance_hour evidence[COMPLIANCE_EVIDENCE_MAX];
    bool has_inspection;      /* an inspection decided or contributed */
    int64_t inspection_at_ms; /* the deciding inspection */
    enum inspection_result inspection_result;
    char rule[192];           /* the rule applied, in words, with numbers */
    char reason[192];         /* why this state */
};

/* Judges one line. r: borrowed rules; kind and limit_pct (the N of 限产N%,
 * 0 < N <= 100; ignored unless LIMIT) the measure; power_kw the line's
 * normal load; samples (any order) hourly means; insp (any order)
 * inspections of this line. Only hours that begin at or after
 * effective_from + grace and end at or before now count, and only
 * inspections in [effective_from + grace, now]. out is filled. */
void compliance_judge_line(const struct compliance_rules *r,
                           enum measure_kind kind, double limit_pct,
                           double power_kw, int64_t effective_from_ms,
                           int64_t now_ms, const struct load_sample *samples,
                           size_t n, const struct inspection *insp,
                           size_t n_insp, struct line_judgement *out);

/* An order's state from its lines: any violation -> violation; else, when
 * at least one line was judged and every judged line is compliant ->
 * compliant; else unknown. NOT_JUDGED (voluntary) lines are left out. */
enum compliance_state compliance_combine(const struct line_judgement *lines,
                                         size_t n);

/* True when a heavy truck of China emission stage `stage` (4 for 国四) may
 * not enter under r's truck ban. */
bool compliance_truck_banned(const struct compliance_rules *r, int stage);

/* "unknown", "compliant", "violation", "not_judged". */
const char *compliance_state_name(enum compliance_state s);

#endif
