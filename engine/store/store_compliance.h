#ifndef SM_STORE_STORE_COMPLIANCE_H
#define SM_STORE_STORE_COMPLIANCE_H

/* Compliance evidence (meter and emission readings, inspections, gate
 * records), the stored judgement of each order line, and the read views of
 * them. Writes run inside the caller's transaction. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/level.h"
#include "store/store.h"

/* ---- recording evidence ---- */
struct meter_sample_rec {
    const char *uscc, *line;
    const char *metric; /* power_kw, so2_mg_m3, nox_mg_m3, pm_mg_m3 */
    double value;
    bool has_flow;
    double flow_m3_h;
    int64_t at_ms;
};
/* Inserts, or replaces the value of the same uscc + line + metric + time. */
SM_NODISCARD enum sm_err store_sample_put(struct store *s, const struct meter_sample_rec *r,
                                          int64_t now_ms, const char *by);

struct inspection_rec {
    const char *uscc, *line;
    const char *result; /* compliant | violation */
    const char *note;
    const char *photo;  /* NULL: none */
    int64_t at_ms;
};
/* Inserts, or replaces the inspection of the same line at the same time. */
SM_NODISCARD enum sm_err store_inspection_put(struct store *s, const struct inspection_rec *r,
                                              int64_t now_ms, const char *inspector);

struct gate_rec {
    const char *uscc, *plate;
    const char *stage; /* CN3..CN6, EV */
    int stage_num;     /* 3..6, EV 99 */
    int64_t at_ms;
};
SM_NODISCARD enum sm_err store_gate_put(struct store *s, const struct gate_rec *r,
                                        int64_t now_ms, const char *by);

/* *known: the enterprise (and, unless line is NULL, its line) is on the
 * active list or on a list an active order was issued from. */
SM_NODISCARD enum sm_err store_line_known(struct store *s, const char *uscc, const char *line,
                                          bool *known);

/* ---- judging ---- */
struct judge_order_view {
    int64_t id, episode_id, list_id, effective_from_ms;
    int64_t ended_ms; /* 0 while active */
    const char *enterprise, *town;
    enum level level;
    int drill;
    const char *measures;   /* JSON array text */
    const char *compliance; /* the stored state */
    const char *status;
};
typedef void store_judge_order_fn(void *arg, const struct judge_order_view *o);
/* Active (issued or acknowledged) orders; order_id 0 and enterprise NULL
 * match all. Strings are borrowed for the callback. */
/* with_evidence_only: only orders whose enterprise has meter data,
 * inspections or gate records. */
SM_NODISCARD enum sm_err store_orders_to_judge(struct store *s, int64_t order_id,
                                               const char *enterprise, bool with_evidence_only,
                                               store_judge_order_fn *fn, void *arg);

/* The latest version of each enterprise's order in an episode. */
SM_NODISCARD enum sm_err store_orders_latest_of_episode(struct store *s, int64_t episode_id,
                                                        store_judge_order_fn *fn, void *arg);

struct line_facts {
    double so2, nox, pm, vocs, power_kw;
    char town[16];
    char industry[128];
    char grade[32];
};
/* A list line; SM_ERR_NOTFOUND when the list has no such line. */
SM_NODISCARD enum sm_err store_line_facts(struct store *s, int64_t list_id, const char *uscc,
                                          const char *line, struct line_facts *out);

/* Every line of an enterprise in a list (id: the list_lines row), with
 * its facts and whether it has power_kw samples with from_ms < at <= to_ms
 * (one statement where a store_line_facts and a store_hourly_means per
 * line were two). Strings are borrowed for the callback. */
typedef void store_line_fn(void *arg, int64_t id, const char *line, const struct line_facts *lf,
                           bool has_power);
SM_NODISCARD enum sm_err store_enterprise_lines(struct store *s, int64_t list_id, const char *uscc,
                                                int64_t from_ms, int64_t to_ms,
                                                store_line_fn *fn, void *arg);
/* The same for enterprise after enterprise of one list, in uscc order: one
 * statement walks the list's lines (store_lines.c). Open with the window
 * that holds every later call's; each call gives the lines of uscc (at or
 * after the previous call's) with has_power in its own window. */
struct store_lines_walk;
SM_NODISCARD enum sm_err store_lines_walk_open(struct store *s, int64_t list_id, int64_t from_ms,
                                               int64_t to_ms, struct store_lines_walk **out);
SM_NODISCARD enum sm_err store_lines_walk_enterprise(struct store_lines_walk *w, const char *uscc,
                                                     int64_t from_ms, int64_t to_ms,
                                                     store_line_fn *fn, void *arg);
void store_lines_walk_close(struct store_lines_walk *w);

/* Hourly means of a metric over samples with from_ms < at <= to_ms; each
 * hour is (hour_end - 1 h, hour_end], oldest first. */
typedef void store_hour_fn(void *arg, int64_t hour_end_ms, double mean, int64_t samples);
SM_NODISCARD enum sm_err store_hourly_means(struct store *s, const char *uscc, const char *line,
                                            const char *metric, int64_t from_ms, int64_t to_ms,
                                            store_hour_fn *fn, void *arg);

/* Inspections of a line with from_ms <= at <= to_ms, oldest first. */
typedef void store_inspection_fn(void *arg, int64_t at_ms, const char *result,
                                 const char *note, const char *photo, const char *inspector);
SM_NODISCARD enum sm_err store_inspections_of(struct store *s, const char *uscc,
                                              const char *line, int64_t from_ms, int64_t to_ms,
                                              store_inspection_fn *fn, void *arg);

/* Gate records of an enterprise with from_ms <= at <= to_ms, oldest first. */
typedef void store_gate_fn(void *arg, int64_t at_ms, const char *plate, const char *stage,
                           int stage_num);
SM_NODISCARD enum sm_err store_gate_of(struct store *s, const char *uscc, int64_t from_ms,
                                       int64_t to_ms, store_gate_fn *fn, void *arg);

/* Inserts or updates the judgement of one line of an order. */
SM_NODISCARD enum sm_err store_judgement_put(struct store *s, int64_t order_id, const char *line,
                                             const char *state, double threshold_kw,
                                             const char *evidence, int64_t now_ms);
/* Sets orders.compliance. */
SM_NODISCARD enum sm_err store_order_compliance_set(struct store *s, int64_t order_id,
                                                    const char *state);
/* Counts one more turn to violation; *n is its number (1, 2, ...). */
SM_NODISCARD enum sm_err store_order_violation_next(struct store *s, int64_t order_id,
                                                    int64_t *n);
/* *due: the clock hour of now differs from the last hourly run's; when due,
 * records now as the last run. */
SM_NODISCARD enum sm_err store_compliance_hour_due(struct store *s, int64_t now_ms, bool *due);

/* ---- views (new jansson values) ---- */
/* The stored line judgements of an order: [{"line", "state",
 * "threshold_kw", "judged_at", "evidence"}], by line. */
SM_NODISCARD enum sm_err store_order_compliance_detail(struct store *s, int64_t order_id,
                                                       int tz_min, json_t **out);

#endif
