#ifndef SM_STORE_STORE_ORDERS_H
#define SM_STORE_STORE_ORDERS_H

/* The active list, a list line as the importer writes it, orders,
 * acknowledgements, the outbox. Read views are returned as jansson objects
 * in the contract's shapes. */
#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/level.h"
#include "store/store.h"

/* ---- the active list; a list line (store_list_add_line) ---- */
SM_NODISCARD enum sm_err store_list_active(struct store *s, int64_t *list_id);

struct list_line_view {
    const char *uscc, *name, *town, *industry, *grade, *line;
    double so2, nox, pm, vocs, power_kw;
    const char *action[3]; /* per level yellow, orange, red: halt|limit|voluntary */
    double pct[3];
    const char *text[3];
};

/* ---- orders ---- */
struct order_head {
    int64_t id;
    const char *enterprise;
    enum level level;
    int version;
    const char *status;
};
typedef void store_order_head_fn(void *arg, const struct order_head *o);
/* Every order of an episode, by enterprise then version. */
SM_NODISCARD enum sm_err store_orders_of_episode(struct store *s, int64_t episode_id,
                                                 store_order_head_fn *fn, void *arg);

/* status: superseded or lifted. */
SM_NODISCARD enum sm_err store_order_end(struct store *s, int64_t id, const char *status,
                                         int64_t ended_ms, int64_t replaced_by);

struct order_state {
    int64_t id, episode_id, acknowledged_ms, replaced_by;
    char enterprise[24];
    char status[16];
    int drill;
    enum level level;
};
SM_NODISCARD enum sm_err store_order_state(struct store *s, int64_t id, struct order_state *o);
/* The enterprise's current (issued or acknowledged) order in an episode; 0 if none. */
SM_NODISCARD enum sm_err store_order_current(struct store *s, int64_t episode_id,
                                             const char *enterprise, int64_t *id);
/* An acknowledgement as it is written on the order. */
struct order_ack {
    int64_t order_id;
    const char *enterprise; /* must be the order's: checked in SQL */
    int64_t at_ms;
    const char *by, *channel, *note, *contact; /* note and contact may be NULL */
    /* the ack's audit row (actor: by): appended by the fold when the ack
     * goes to the log (store_acks_logged), else written by the caller;
     * NULL action: no audit row from the log */
    const char *role, *action;
};
/* Marks an issued order of a->enterprise acknowledged. SM_ERR_CONFLICT
 * when there is no such issued order (unknown, another enterprise's,
 * already acknowledged, superseded or lifted): nothing written. */
SM_NODISCARD enum sm_err store_order_ack(struct store *s, const struct order_ack *a);
/* store_order_ack that also appends to out the order as
 * store_order_ack_text shows it once acknowledged, taken from the row the
 * UPDATE changes (the order is not looked up a second time). */
SM_NODISCARD enum sm_err store_order_ack_reply(struct store *s, const struct order_ack *a,
                                               int tz_min, struct buf *out);
/* true in a deferred ack group: acks go to the ack log, and their audit
 * rows with them to the fold (store_acklog.c) */
bool store_acks_logged(const struct store *s);
/* An order as an audit row's object, "order:<id>", without printf (the
 * ack flood's hot path) */
#define STORE_ORDER_OBJECT 32
void store_order_object(char out[STORE_ORDER_OBJECT], int64_t id);
/* An ack's audit detail, {"channel":"<channel>"}: a constant for the two
 * channels there are, else written into other. */
#define STORE_ACK_DETAIL 96
const char *store_ack_audit_detail(const char *channel, char other[STORE_ACK_DETAIL]);

/* Issued orders past their deadline not yet flagged; flags them. Each
 * pass looks at the orders after those of the last committed pass, by
 * deadline, at most limit of them (0: all); *more: it stopped there. */
typedef void store_overdue_fn(void *arg, int64_t id, const char *enterprise, int drill);
SM_NODISCARD enum sm_err store_orders_mark_overdue(struct store *s, int64_t now_ms, size_t limit,
                                                   store_overdue_fn *fn, void *arg, bool *more);
/* The earliest deadline no committed pass has looked at (0: none). */
SM_NODISCARD enum sm_err store_orders_next_deadline(struct store *s, int64_t *at_ms);

struct order_counts {
    int64_t active, acknowledged, overdue, violation;
};
SM_NODISCARD enum sm_err store_order_counts(struct store *s, int64_t episode_id, int64_t now_ms,
                                            struct order_counts *c);
/* Where a count in slices stands: after the active order (enterprise, id)
 * in orders_active's order; zeroed to start, enterprise freed by the owner. */
struct order_count_cursor {
    char *enterprise;
    int64_t id;
    bool done; /* the last slice has been counted */
};
/* Adds to *c the next slice of at most rows active orders of the episode
 * (the figures of store_order_counts, each order as it stands when its
 * slice is read) and moves the cursor past them. */
SM_NODISCARD enum sm_err store_order_counts_slice(struct store *s, int64_t episode_id,
                                                  int64_t now_ms, struct order_count_cursor *cur,
                                                  int rows, struct order_counts *c);

/* A new version of an order (same level, measures and list) issued now,
 * for an officer's re-issue. *new_id and *version: the new order. */
SM_NODISCARD enum sm_err store_order_reissue(struct store *s, int64_t id, int64_t now_ms,
                                             int64_t deadline_ms, const char *reason,
                                             int64_t *new_id, int *version);

/* ---- outbox ---- */
SM_NODISCARD enum sm_err store_outbox_add(struct store *s, const char *event_id,
                                          const char *kind, int64_t order_id,
                                          const char *enterprise, int drill,
                                          const char *payload, int64_t now_ms,
                                          int64_t deadline_ms);

/* ---- views ---- */
/* new: one order in the contract §6 shape, with "history" when with_history. */
SM_NODISCARD enum sm_err store_order_json(struct store *s, int64_t id, int tz_min,
                                          int with_history, json_t **out);
/* The answer to an acknowledgement, appended to out as compact JSON text: the
 * order object without "measures", "industry" and "grade" (status, version,
 * level, acknowledged_at, ack, ...), written without building a json_t (it
 * is the hot path of a red warning's ack flood). */
SM_NODISCARD enum sm_err store_order_ack_text(struct store *s, int64_t id, int tz_min,
                                              struct buf *out);
struct order_filter {
    const char *enterprise, *status, *level, *compliance;
    int64_t episode_id;
    int overdue; /* -1 any, 0 no, 1 yes */
    int64_t now_ms;
    int limit, offset;
    const char *town, *industry, *grade; /* NULL: any */
};
/* new: {"orders": [...], "total": n, "limit", "offset"} */
SM_NODISCARD enum sm_err store_orders_json(struct store *s, const struct order_filter *f,
                                           int tz_min, json_t **out);

#endif
