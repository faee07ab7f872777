/* Episode figures: reductions promised and achieved, compliance by group. */
#include "compliance/figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static double
promised_fraction(const struct figures_line *l)
{
    switch (l->kind) {
    case MEASURE_KIND_HALT: return 1.0;
    case MEASURE_KIND_LIMIT:
        if (!(l->limit_pct > 0.0) || l->limit_pct > 100.0)
            return 0.0;
        return l->limit_pct / 100.0;
    case MEASURE_KIND_VOLUNTARY: return 0.0;
    }
    return 0.0;
}

/* What the meter shows removed: a line drawing 30 % of its normal load is
 * taken to emit 30 % of its baseline. Negative or non-finite loads and
 * lines with no normal load cannot be read. */
static bool
achieved_fraction(const struct figures_line *l, double *f)
{
    double x;

    if (!l->has_load || !isfinite(l->mean_load_kw) || l->mean_load_kw < 0.0 ||
        !isfinite(l->power_kw) || !(l->power_kw > 0.0))
        return false;
    x = 1.0 - l->mean_load_kw / l->power_kw;
    *f = x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    return true;
}

void
figures_reductions(const struct figures_line *lines, size_t n, const double *required_pct,
                   struct reduction_figures *out)
{
    memset(out, 0, sizeof(*out));
    if (required_pct)
        memcpy(out->required_pct, required_pct, sizeof(out->required_pct));
    for (size_t i = 0; i < n; i++) {
        const struct figures_line *l = &lines[i];
        double pf = promised_fraction(l), af = 0.0;
        bool curtailed = l->kind == MEASURE_KIND_HALT || l->kind == MEASURE_KIND_LIMIT;
        bool measured = curtailed && achieved_fraction(l, &af);

        out->n_lines++;
        if (curtailed) {
            out->n_curtailed++;
            if (measured)
                out->n_measured++;
            else
                out->n_unmeasured++;
        }
        for (int p = 0; p < RULESET_POLLUTANT_COUNT; p++) {
            double b = isfinite(l->baseline[p]) && l->baseline[p] > 0.0 ? l->baseline[p] : 0.0;
            out->baseline[p] += b;
            out->promised[p] += pf * b;
            if (measured)
                out->achieved[p] += af * b;
        }
    }
}

double
figures_share_pct(double part, double baseline)
{
    return baseline > 0.0 ? part / baseline * 100.0 : 0.0;
}

static const char *
key_of(const struct figures_order *o, enum figures_dim dim)
{
    const char *k = dim == FIGURES_BY_TOWN       ? o->town
                    : dim == FIGURES_BY_INDUSTRY ? o->industry
                                                 : o->grade;
    return k ? k : "";
}

void
figures_group_by(const struct figures_order *orders, size_t n, enum figures_dim dim,
                 struct figures_group **out, size_t *n_out)
{
    struct figures_group *g = NULL;
    size_t ng = 0;

    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return;
    g = xcalloc(n, sizeof(*g));
    for (size_t i = 0; i < n; i++) {
        const char *k = key_of(&orders[i], dim);
        size_t j = 0;

        while (j < ng && strcmp(g[j].key, k) != 0)
            j++;
        if (j == ng)
            g[ng++].key = k;
        switch (orders[i].state) {
        case COMPLIANCE_COMPLIANT: g[j].compliant++; break;
        case COMPLIANCE_VIOLATION: g[j].violation++; break;
        case COMPLIANCE_UNKNOWN:
        case COMPLIANCE_NOT_JUDGED: g[j].unknown++; break;
        }
    }
    *out = g;
    *n_out = ng;
}
