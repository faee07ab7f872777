#ifndef SM_COMPLIANCE_FIGURES_H
#define SM_COMPLIANCE_FIGURES_H

/* Pure episode figures: emission reductions promised by the orders and
 * achieved as the meters show them, and compliance counts grouped by town,
 * industry or grade. No I/O, no clock. Semantics: README.md here. */
#include <stdbool.h>
#include <stddef.h>

#include "compliance/compliance.h"
#include "ruleset/ruleset.h"

/* One ordered production line. */
struct figures_line {
    double baseline[RULESET_POLLUTANT_COUNT]; /* kg/day, by enum ruleset_pollutant */
    enum measure_kind kind;
    double limit_pct;    /* N of 限产N%; LIMIT only */
    double power_kw;     /* normal load */
    bool has_load;       /* a mean load was measured after the grace period */
    double mean_load_kw; /* that mean; has_load only */
};

struct reduction_figures {
    double baseline[RULESET_POLLUTANT_COUNT]; /* kg/day over every line */
    double promised[RULESET_POLLUTANT_COUNT]; /* kg/day the measures remove */
    double achieved[RULESET_POLLUTANT_COUNT]; /* kg/day the loads show removed */
    double required_pct[RULESET_POLLUTANT_COUNT];
    size_t n_lines;      /* every line */
    size_t n_curtailed;  /* halt or limit lines */
    size_t n_measured;   /* curtailed lines with a usable load */
    size_t n_unmeasured; /* curtailed lines without one: they count 0 achieved */
};

/* Sums lines[0..n) (borrowed). Promised: halt 100 %, limit N %, voluntary
 * 0 of each line's baseline. Achieved: for each halt or limit line with a
 * load and power_kw > 0, clamp(1 - mean_load / power_kw, 0, 1) x baseline;
 * other curtailed lines are unmeasured and add 0. required_pct is copied
 * (borrowed array of RULESET_POLLUTANT_COUNT; NULL: zeros). */
void figures_reductions(const struct figures_line *lines, size_t n,
                        const double *required_pct, struct reduction_figures *out);

/* A share in percent of the baseline; 0 when the baseline is 0. */
double figures_share_pct(double part, double baseline);

/* One enterprise's current order. Strings borrowed. */
struct figures_order {
    const char *town, *industry, *grade;
    enum compliance_state state; /* NOT_JUDGED counts as unknown */
};

enum figures_dim {
    FIGURES_BY_TOWN,
    FIGURES_BY_INDUSTRY,
    FIGURES_BY_GRADE,
};

struct figures_group {
    const char *key; /* borrowed from the orders */
    size_t compliant, violation, unknown;
};

/* Groups orders[0..n) by dim, keys in order of first appearance. *out is
 * new (free() it), *n_out its length; NULL and 0 when n is 0. */
void figures_group_by(const struct figures_order *orders, size_t n, enum figures_dim dim,
                      struct figures_group **out, size_t *n_out);

#endif
