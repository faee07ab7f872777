#ifndef SM_LIST_REPORT_H
#define SM_LIST_REPORT_H

#include <stdbool.h>

#include <jansson.h>

#include "base/buf.h"
#include "list/row.h"
#include "list/strmap.h"

/* Required reduction shares at yellow, orange, red, in percent of the
 * baseline, each pollutant with its own (domain.md §4: 10 / 20 / 30 for
 * all four). The values belong in rules/ratios.json;
 * list_required_shares_default gives the national ones. */
struct list_required_shares {
    double pct[3][LIST_POLLUTANT_COUNT]; /* [level-1][pollutant] */
};

void list_required_shares_default(struct list_required_shares *s);

/* What a list achieves, per level and pollutant, and what it holds. */
struct list_report {
    struct list_required_shares required;
    int year;                                       /* 0: not given */
    double baseline_kg_day[LIST_POLLUTANT_COUNT];
    double reduced_kg_day[3][LIST_POLLUTANT_COUNT]; /* [level-1][pollutant] */
    long rows;
    long grade_count[GRADE_COUNT];
    struct list_strmap enterprises; /* uscc -> count of lines */
    struct list_strmap industries;  /* industry -> count of lines */
    struct list_strmap towns;       /* town code -> count of lines */
};

/* required NULL means the defaults. */
void list_report_init(struct list_report *rep,
                      const struct list_required_shares *required);
void list_report_release(struct list_report *rep);
/* Adds one (valid) row to the totals. */
void list_report_add_row(struct list_report *rep, const struct list_row *r);

/* Distinct enterprises (USCCs) seen. */
long list_report_enterprises(const struct list_report *rep);
/* Achieved share in percent at level 1..3; 0 when the baseline is 0. */
double list_report_share_pct(const struct list_report *rep, int level,
                             enum list_pollutant p);
/* The required share in percent of pollutant p at level 1..3; 0 outside. */
double list_report_required_pct(const struct list_report *rep, int level,
                                enum list_pollutant p);
/* true when the share meets that pollutant's required one at that level,
 * or there is no baseline of that pollutant to reduce. */
bool list_report_passes(const struct list_report *rep, int level,
                        enum list_pollutant p);
/* true when every level and pollutant passes. */
bool list_report_all_pass(const struct list_report *rep);

/* A monospace table for a person (UTF-8; Chinese names are padded by
 * display width). false when out's cap is exceeded. */
SM_NODISCARD bool list_report_render_text(const struct list_report *rep,
                                          struct buf *out);
/* new: {"year", "rows", "enterprises", "pass", "levels": {"yellow":
 * {"required_pct", "pass", "pollutants": {"so2": {"baseline_kg_day",
 * "reduced_kg_day", "share_pct", "required_pct", "pass"}, ...}}, ...},
 * "grades": {...}, "industries": {...}, "towns": {...}}. A level's
 * "required_pct" is the highest of its pollutants' (kept for readers of
 * reports stored before each pollutant carried its own). */
json_t *list_report_to_json(const struct list_report *rep);

#endif
