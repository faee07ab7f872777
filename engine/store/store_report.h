#ifndef SM_STORE_STORE_REPORT_H
#define SM_STORE_STORE_REPORT_H

/* Reads for replay and the episode report: decisions and notices in the
 * order they were written, order figures, and the rows behind the report's
 * charts. Strings passed to callbacks are borrowed for the call only. */
#include <jansson.h>
#include <stdint.h>

#include "base/level.h"
#include "store/store.h"

/* The newest episode of a context, open or closed; *id 0 when none. */
SM_NODISCARD enum sm_err store_episode_latest(struct store *s, int drill, int64_t *id);

struct episode_order_figures {
    int64_t active, acknowledged, overdue, lifted, superseded, versions, enterprises;
    int64_t compliant, violation, unknown; /* over current orders */
    int max_version;                       /* over current orders; 0 when none */
    enum level min_level, max_level;       /* over current orders */
};
SM_NODISCARD enum sm_err store_episode_order_figures(struct store *s, int64_t episode_id,
                                                     int64_t now_ms,
                                                     struct episode_order_figures *f);

/* Notices of one kind ever written to the outbox in one context (drill 0
 * or 1), counting those a decision's notice still owes (0023). */
SM_NODISCARD enum sm_err store_outbox_count(struct store *s, const char *kind, int drill,
                                            int64_t *n);

struct outbox_seen {
    int64_t id, order_id, created_ms;
    const char *kind, *enterprise;
    int drill;
    const char *event_id;
};
typedef void store_outbox_seen_fn(void *arg, const struct outbox_seen *r);
/* Outbox rows with id > after_id, oldest first. */
SM_NODISCARD enum sm_err store_outbox_since(struct store *s, int64_t after_id,
                                            store_outbox_seen_fn *fn, void *arg);

struct decision_row {
    int64_t id, episode_id, at_ms, warning_id;
    int drill;
    enum level from, to;
    const char *source, *actor, *reason;
    int issued, superseded, lifted;
};
typedef void store_decision_row_fn(void *arg, const struct decision_row *d);
/* Decisions with id > after_id (episode_id 0: of every episode), oldest first. */
SM_NODISCARD enum sm_err store_decisions_since(struct store *s, int64_t after_id,
                                               int64_t episode_id, store_decision_row_fn *fn,
                                               void *arg);

struct report_order_row {
    int64_t id, issued_ms, ack_deadline_ms, acknowledged_ms, ended_ms; /* 0: none */
    const char *enterprise, *name, *town, *industry, *status, *compliance, *ack_channel;
    enum level level;
    int version, overdue;
    double promised_kg_day[4]; /* so2, nox, pm, vocs removed by its measures */
};
typedef void store_report_order_fn(void *arg, const struct report_order_row *o);
/* Every order version of an episode, by id, with the enterprise's industry
 * and the reduction its measures promise (from the list lines). */
SM_NODISCARD enum sm_err store_report_orders(struct store *s, int64_t episode_id,
                                             store_report_order_fn *fn, void *arg);

struct report_warning_row {
    int64_t id, received_ms, start_ms, expires_ms, ended_ms;
    const char *identifier, *msg_type, *status, *state, *reason, *headline, *pollutant;
    enum level level;
    int applied, drill;
};
typedef void store_report_warning_fn(void *arg, const struct report_warning_row *w);
/* Warnings received from a day before the episode opened until it closed. */
SM_NODISCARD enum sm_err store_report_warnings(struct store *s, int64_t episode_id,
                                               store_report_warning_fn *fn, void *arg);

/* new: the reduction report of the list the episode's orders came from
 * (JSON null when the episode issued no orders). */
SM_NODISCARD enum sm_err store_report_list(struct store *s, int64_t episode_id, json_t **out);

#endif
