/* Episode figures against hand-computed values: promised and achieved
 * reductions per pollutant, unmeasured lines, grouping of compliance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compliance/figures.h"

static struct figures_line
line(double so2, double nox, double pm, double vocs, enum measure_kind kind, double pct,
     double power_kw, bool has_load, double load)
{
    struct figures_line l = { { so2, nox, pm, vocs }, kind, pct, power_kw, has_load, load };
    return l;
}

/* Three lines:
 *  A halt,      baseline so2 10 nox 20 pm 5 vocs 1, 1000 kW, mean 50 kW
 *  B limit 30%, baseline so2 40 nox 0  pm 8 vocs 2,  500 kW, mean 300 kW
 *  C voluntary, baseline so2 50 nox 10 pm 2 vocs 7 (no measure to check)
 * baseline: so2 100, nox 30, pm 15, vocs 10
 * promised: so2 10 + 0.3*40 = 22; nox 20; pm 5 + 2.4 = 7.4; vocs 1 + 0.6 = 1.6
 * achieved: A 0.95, B 0.4 -> so2 9.5 + 16 = 25.5; nox 19; pm 4.75 + 3.2 = 7.95;
 *           vocs 0.95 + 0.8 = 1.75 */
static void
test_reductions_hand_computed(void)
{
    struct figures_line l[3] = {
        line(10, 20, 5, 1, MEASURE_KIND_HALT, 0, 1000, true, 50),
        line(40, 0, 8, 2, MEASURE_KIND_LIMIT, 30, 500, true, 300),
        line(50, 10, 2, 7, MEASURE_KIND_VOLUNTARY, 0, 800, true, 800),
    };
    double req[RULESET_POLLUTANT_COUNT] = { 20, 20, 20, 20 };
    struct reduction_figures f;

    figures_reductions(l, 3, req, &f);
    CHECK_NEAR(f.baseline[RULESET_POLLUTANT_SO2], 100.0, 1e-9);
    CHECK_NEAR(f.baseline[RULESET_POLLUTANT_NOX], 30.0, 1e-9);
    CHECK_NEAR(f.baseline[RULESET_POLLUTANT_PM], 15.0, 1e-9);
    CHECK_NEAR(f.baseline[RULESET_POLLUTANT_VOCS], 10.0, 1e-9);
    CHECK_NEAR(f.promised[RULESET_POLLUTANT_SO2], 22.0, 1e-9);
    CHECK_NEAR(f.promised[RULESET_POLLUTANT_NOX], 20.0, 1e-9);
    CHECK_NEAR(f.promised[RULESET_POLLUTANT_PM], 7.4, 1e-9);
    CHECK_NEAR(f.promised[RULESET_POLLUTANT_VOCS], 1.6, 1e-9);
    CHECK_NEAR(f.achieved[RULESET_POLLUTANT_SO2], 25.5, 1e-9);
    CHECK_NEAR(f.achieved[RULESET_POLLUTANT_NOX], 19.0, 1e-9);
    CHECK_NEAR(f.achieved[RULESET_POLLUTANT_PM], 7.95, 1e-9);
    CHECK_NEAR(f.achieved[RULESET_POLLUTANT_VOCS], 1.75, 1e-9);
    CHECK_NEAR(f.required_pct[RULESET_POLLUTANT_PM], 20.0, 1e-9);
    CHECK_INT(f.n_lines, 3);
    CHECK_INT(f.n_curtailed, 2);
    CHECK_INT(f.n_measured, 2);
    CHECK_INT(f.n_unmeasured, 0);
    CHECK_NEAR(figures_share_pct(f.promised[RULESET_POLLUTANT_SO2],
                                 f.baseline[RULESET_POLLUTANT_SO2]), 22.0, 1e-9);
}

/* A halted line without data adds nothing achieved and is unmeasured; a
 * line over its normal load clamps to 0; one with a negative load is
 * unreadable; a limit with N outside (0, 100] promises nothing. */
static void
test_unmeasured_and_clamps(void)
{
    struct figures_line l[4] = {
        line(10, 10, 10, 10, MEASURE_KIND_HALT, 0, 1000, false, 0),
        line(10, 10, 10, 10, MEASURE_KIND_HALT, 0, 1000, true, 1500),
        line(10, 10, 10, 10, MEASURE_KIND_LIMIT, 50, 1000, true, -1),
        line(10, 10, 10, 10, MEASURE_KIND_LIMIT, 150, 0, true, 0),
    };
    struct reduction_figures f;

    figures_reductions(l, 4, NULL, &f);
    CHECK_NEAR(f.baseline[RULESET_POLLUTANT_SO2], 40.0, 1e-9);
    CHECK_NEAR(f.promised[RULESET_POLLUTANT_SO2], 25.0, 1e-9); /* 10 + 10 + 5 + 0 */
    CHECK_NEAR(f.achieved[RULESET_POLLUTANT_SO2], 0.0, 1e-12);
    CHECK_INT(f.n_curtailed, 4);
    CHECK_INT(f.n_measured, 1); /* only the over-load line can be read */
    CHECK_INT(f.n_unmeasured, 3);
    CHECK_NEAR(f.required_pct[RULESET_POLLUTANT_SO2], 0.0, 1e-12);
    CHECK_NEAR(figures_share_pct(5, 0), 0.0, 1e-12);
}

static void
test_empty(void)
{
    struct reduction_figures f;
    struct figures_group *g = (struct figures_group *)1;
    size_t n = 9;

    figures_reductions(NULL, 0, NULL, &f);
    CHECK_NEAR(f.baseline[RULESET_POLLUTANT_VOCS], 0.0, 1e-12);
    CHECK_INT(f.n_lines, 0);
    figures_group_by(NULL, 0, FIGURES_BY_TOWN, &g, &n);
    CHECK(g == NULL);
    CHECK_INT(n, 0);
}

static void
test_group_by(void)
{
    struct figures_order o[5] = {
        { "140826100", "铁合金", "C", COMPLIANCE_VIOLATION },
        { "140826101", "铸造", "B", COMPLIANCE_COMPLIANT },
        { "140826100", "铁合金", "A", COMPLIANCE_NOT_JUDGED },
        { "140826101", "水泥", "C", COMPLIANCE_UNKNOWN },
        { "140826100", "铸造", "C", COMPLIANCE_COMPLIANT },
    };
    struct figures_group *g = NULL;
    size_t n = 0;

    figures_group_by(o, 5, FIGURES_BY_TOWN, &g, &n);
    CHECK_INT(n, 2);
    CHECK_STR(g[0].key, "140826100");
    CHECK_INT(g[0].compliant, 1);
    CHECK_INT(g[0].violation, 1);
    CHECK_INT(g[0].unknown, 1);
    CHECK_STR(g[1].key, "140826101");
    CHECK_INT(g[1].compliant, 1);
    CHECK_INT(g[1].violation, 0);
    CHECK_INT(g[1].unknown, 1);
    free(g);

    figures_group_by(o, 5, FIGURES_BY_INDUSTRY, &g, &n);
    CHECK_INT(n, 3);
    CHECK_STR(g[1].key, "铸造");
    CHECK_INT(g[1].compliant, 2);
    CHECK_STR(g[2].key, "水泥");
    CHECK_INT(g[2].unknown, 1);
    free(g);

    figures_group_by(o, 5, FIGURES_BY_GRADE, &g, &n);
    CHECK_INT(n, 3);
    CHECK_STR(g[0].key, "C");
    CHECK_INT(g[0].violation, 1);
    CHECK_INT(g[0].unknown, 1);
    CHECK_INT(g[0].compliant, 1);
    CHECK_STR(g[2].key, "A");
    CHECK_INT(g[2].unknown, 1);
    free(g);
}

CHECK_MAIN(CHECK_CASE(test_reductions_hand_computed), CHECK_CASE(test_unmeasured_and_clamps),
           CHECK_CASE(test_empty), CHECK_CASE(test_group_by))
