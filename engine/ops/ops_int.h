#ifndef SM_OPS_OPS_INT_H
#define SM_OPS_OPS_INT_H

/* Inside ops: the decision step every use case ends with. */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "app/app.h"
#include "base/level.h"
#include "compliance/compliance.h"
#include "ops/ops.h"

struct decision_cause {
    const char *source; /* municipal, local, manual, timer */
    const char *actor;
    const char *role;
    const char *reason;
    int64_t warning_id;
};

struct decision_result {
    enum level from, to;
    int64_t episode_id;
    int64_t decision_id; /* 0: nothing changed */
    int issued, superseded, lifted;
};

/* Recomputes the effective level of a context (drill or real) from the
 * stored warnings and floors, records a decision when the level or any
 * enterprise's order changes, and writes the orders, notices and audit
 * rows. Must run inside the caller's transaction. */
enum sm_err ops_reconcile(struct app *app, int drill, int64_t now_ms,
                          const struct decision_cause *cause,
                          struct decision_result *res);

/* The effective level of a context and its three sources. */
enum sm_err ops_levels(struct app *app, int drill, enum level *effective,
                       enum level *municipal, enum level *local,
                       enum level *manual);

/* Writes one audit row inside the current transaction. */
enum sm_err ops_audit(struct app *app, int64_t now_ms, const char *actor,
                      const char *role, const char *action,
                      const char *object, const char *result,
                      const char *detail);

/* Queues the notice of an order version to the outbox: event id
 * "order:<id>:v<version>:<kind>" (receivers deduplicate on it), payload
 * {"order_id", "version"}. Inside the caller's transaction. */
enum sm_err ops_order_notice(struct app *app, int64_t order_id, int version, const char *kind,
                             const char *uscc, int drill, int64_t now_ms, int64_t deadline_ms);

/* The same for refusals, where a failed audit write must not change the
 * answer (the refusal is logged instead). */
void ops_audit_quiet(struct app *app, int64_t now_ms, const char *actor,
                     const char *role, const char *action, const char *object,
                     const char *result, const char *detail);

struct judge_filter;

/* An order measure's action for the compliance core, by the rules of
 * rules/measures.json (rs borrowed): halt halts; an action written with N%
 * (limit) cuts by the order's N (order_pct); an action measures.json adds
 * cuts by its reduction_pct (100: judged as a halt; 0: like voluntary,
 * never judged). *limit_pct gets the cut of a MEASURE_KIND_LIMIT, else 0.
 * An action the rules no longer name counts as voluntary. */
enum measure_kind ops_measure_kind(const struct ruleset *rs, const char *action, double order_pct,
                                   double *limit_pct);

/* Judges every active (issued or acknowledged) order matched by f (NULL:
 * all) that has a halt or limit line or falls under the truck ban: each
 * line with compliance_judge_line over its hourly mean loads and
 * inspections, gate records for the truck ban, the order with
 * compliance_combine. Stores each line's judgement and the order's state;
 * a turn to violation queues an officer alert; every change is audited.
 * Appends {"id", "compliance"} per judged order to judged when not NULL.
 * Must run inside the caller's transaction. */
enum sm_err ops_judge_in_tx(struct app *app, int64_t now_ms, const struct judge_filter *f,
                            json_t *judged);

/* Runs ops_judge_in_tx over every active order when the clock hour changed
 * since the last hourly run (kept in the database). Inside the caller's
 * transaction. */
enum sm_err ops_judge_hourly(struct app *app, int64_t now_ms);
/* One acknowledgement inside the caller's open transaction (ops_ack and the
 * batched path share it). *keep: its writes must be committed (a success,
 * or a refusal whose audit row was written); otherwise the caller rolls
 * them back. *reply (new) as for ops_ack. */
enum sm_err ops_ack_in_tx(struct app *app, const struct ops_actor *who,
                          const struct ack_request *rq, int64_t now, int *status,
                          char **reply, bool *keep, struct sm_diag *diag);

/* ops_episode_figures that also hands over (*map new, when map is not
 * NULL and it succeeds) the industry of the first line of each (list,
 * enterprise) it read, for the city report (store_industry_fn
 * ops_industry_map_get, arg the map; NULL for the pairs it did not read). */
struct ops_industry_map;
SM_NODISCARD enum sm_err ops_episode_figures_map(struct app *app, int64_t episode_id,
                                                 json_t *episode, struct ops_industry_map **map);
const char *ops_industry_map_get(void *arg, int64_t list_id, const char *uscc);
void ops_industry_map_free(struct ops_industry_map *m);

#endif
