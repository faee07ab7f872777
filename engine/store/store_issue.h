#ifndef SM_STORE_STORE_ISSUE_H
#define SM_STORE_STORE_ISSUE_H

/* Issuing a decision's orders as a few set-based statements inside the
 * caller's transaction: new orders, the decision's notices and the orders they end
 * are written by INSERT ... SELECT / UPDATE ... FROM over list_enterprises
 * (one row per enterprise of a list, measures per level written at import)
 * and the episode's orders, with the pure planner asked per enterprise
 * through sm_plan(). */
#include <stdbool.h>
#include <stdint.h>

#include "base/level.h"
#include "store/store.h"

enum store_plan_kind {
    STORE_PLAN_NONE,
    STORE_PLAN_ISSUE,     /* a new order, no current one */
    STORE_PLAN_SUPERSEDE, /* a new order replacing the current one */
    STORE_PLAN_LIFT,      /* the current order ends, no new one */
};

/* What the planner knows of one enterprise (strings borrowed for the call). */
struct store_plan_in {
    const char *uscc, *town; /* town "" when not on the list */
    bool on_list;            /* on the list in scope */
    bool has_order;          /* its last order in the episode is issued or acknowledged */
    enum level order_level;  /* that order's level */
    int last_version;        /* highest version in the episode, 0 if none */
};
struct store_plan_out {
    enum store_plan_kind kind;
    enum level level; /* the new order's level */
    int version;      /* the new order's version */
};
typedef void store_plan_fn(void *arg, const struct store_plan_in *in, struct store_plan_out *out);

struct store_issue_req {
    int64_t episode_id, decision_id;
    int64_t list_id; /* the list in scope; 0: none (every current order is lifted) */
    int drill;
    int64_t now_ms;            /* issued_ms, ended_ms, notices' created_ms */
    int64_t effective_from_ms; /* of the new orders */
    int64_t ack_deadline_ms[4]; /* absolute, per level (index enum level) */
    store_plan_fn *plan;
    void *plan_arg;
};

struct store_issue_result {
    int issued, superseded, lifted;
    int64_t first_id, last_id; /* the new orders: every id in between, 0 when none */
    char digest[65];           /* their store_orders_digest, taken as they were written;
                                  "" when none */
};

/* Plans and writes: lifts (orders ended), new orders in enterprise order,
 * superseded orders ended with replaced_by, and one notice per kind for
 * the decision (decision_orders when it made new orders, then
 * decision_lifted when it lifted some; store_notices.h: the dispatcher
 * writes their 'order_issued', 'order_superseded' and 'order_lifted'
 * notices when it expands them). Ended
 * orders carry ended_decision_id. SM_ERR_DB when the episode, the decision
 * or the list (when not 0) does not exist. No audit rows: res->digest is
 * the new orders' digest for the caller's (see store_orders_digest). */
SM_NODISCARD enum sm_err store_orders_issue(struct store *s, const struct store_issue_req *rq,
                                            struct store_issue_result *res);

/* SHA-256 (hex) over the orders first_id..last_id in id order, each as
 * id US enterprise US level US version US measures RS (US = 0x1f,
 * RS = 0x1e); *count: how many there are. */
SM_NODISCARD enum sm_err store_orders_digest(struct store *s, int64_t first_id, int64_t last_id,
                                             int64_t *count, char hex[65]);
/* SHA-256 (hex) over the orders a decision ended, in id order, each as
 * id US status US replaced_by ("" when none) RS; *count: how many. */
SM_NODISCARD enum sm_err store_orders_ended_digest(struct store *s, int64_t decision_id,
                                                   int64_t *count, char hex[65]);

/* Fills list_enterprises for a list whose lines are all written (import),
 * with one INSERT in uscc order: a list's rows hold consecutive ids in uscc
 * order, which store_orders_issue reads them by. */
SM_NODISCARD enum sm_err store_list_enterprises_fill(struct store *s, int64_t list_id);
/* The same for a list written by other means (lines inserted directly):
 * fills it when it has no row yet. */
SM_NODISCARD enum sm_err store_list_enterprises_ensure(struct store *s, int64_t list_id);
/* Removes a decision that turned out to change nothing (no orders refer to it). */
SM_NODISCARD enum sm_err store_decision_drop(struct store *s, int64_t decision_id);

#endif
