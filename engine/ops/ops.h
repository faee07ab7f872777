#ifndef SM_OPS_OPS_H
#define SM_OPS_OPS_H

/* Use cases: each runs the pure core, then commits its decision in one
 * transaction. HTTP, the CLI and replay all call these. */
#include <jansson.h>

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/level.h"
#include "list/diags.h"
#include "list/import.h"
#include "list/report.h"

struct app;

/* Who asks: the token's name (or "system", "cli") and role name. */
struct ops_actor {
    const char *actor;
    const char *role;
    const char *enterprise; /* USCC for enterprise tokens, else NULL */
};

/* Reads and applies a municipal warning (CAP 1.2 or JSON). *reply (new) is
 * the contract's {"warning_id", "applied", "reason", "duplicate", "level"}.
 * Parse errors come back as SM_ERR_PARSE/INVAL/LIMIT with diag filled. */
SM_NODISCARD enum sm_err ops_apply_warning(struct app *app, const struct ops_actor *who,
                                           const char *content_type, const char *body,
                                           size_t len, json_t **reply,
                                           struct sm_diag *diag);

/* Sets (or with LEVEL_NONE clears, with the local floor) the manual floor.
 * SM_ERR_CONFLICT when it would relax below an active municipal warning. */
SM_NODISCARD enum sm_err ops_escalate(struct app *app, const struct ops_actor *who,
                                      enum level level, const char *reason,
                                      struct sm_diag *diag);

/* Acknowledges an order for its enterprise. On success *reply (new) is the
 * order as JSON text; on SM_ERR_CONFLICT (a superseded or lifted order) it
 * is {"current_order_id": N|null}; otherwise NULL. *status the HTTP status
 * to send (200, or a replayed one). */
struct ack_request {
    int64_t order_id;
    const char *note, *contact;
    const char *idempotency_key; /* NULL: none */
    const char *body_hash;       /* SHA-256 of the request body */
    const char *channel;         /* "enterprise" or "officer_phone" */
    const char *on_behalf_of;    /* officer acks: the enterprise (checked) */
    bool no_reply;               /* the caller discards the reply: *reply stays NULL on
                                  * success (a replay; ignored with an idempotency key) */
};
SM_NODISCARD enum sm_err ops_ack(struct app *app, const struct ops_actor *who,
                                 const struct ack_request *rq, int *status,
                                 char **reply, struct sm_diag *diag);

/* Imports a yearly list (from a file, or from bytes when data is set) as a
 * new version of its year, optionally activating it; all or nothing.
 * res->diags lists every error (then the result is SM_ERR_INVAL/PARSE) and
 * warning; res->report the reduction figures. Release res always. */
typedef void list_progress_fn(void *arg, long lines);
struct list_import_req {
    const char *path;   /* a file, or */
    const void *data;   /* bytes (HTTP upload) */
    size_t len;
    const char *name;   /* shown in messages: the file name */
    int year;           /* 0: from the file, else the current year */
    bool activate;
    enum list_format format;
    list_progress_fn *progress;
    void *progress_arg;
};
struct list_import_result {
    int64_t list_id;
    int version, year;
    long lines;
    bool activated;
    struct list_report report;
    struct list_diags diags;
};
SM_NODISCARD enum sm_err ops_import_list(struct app *app, const struct ops_actor *who,
                                         const struct list_import_req *rq,
                                         struct list_import_result *res);
void ops_list_result_release(struct list_import_result *res);
/* Makes a list version the active one (used from the next level change). */
SM_NODISCARD enum sm_err ops_activate_list(struct app *app, const struct ops_actor *who,
                                           int64_t list_id);

/* An officer re-issues one enterprise's current order (same level, version
 * + 1, with the reason), superseding the old one. *new_id: the new order. */
SM_NODISCARD enum sm_err ops_reissue(struct app *app, const struct ops_actor *who,
                                     int64_t order_id, const char *reason, int64_t *new_id,
                                     struct sm_diag *diag);

/* The episode report's figures (report_figures) with the county's hourly
 * AQI over the episode added when readings exist. *out is new. */
struct report_meta;
SM_NODISCARD enum sm_err ops_report_figures(struct app *app, int64_t episode_id,
                                            const struct report_meta *meta, json_t **out);

/* Runs every persisted deadline that is due at now: warning onsets and
 * expiries, acknowledgement deadlines. *next_ms: the next one (0: none);
 * now itself when more orders were late than one run flags. */
SM_NODISCARD enum sm_err ops_run_timers(struct app *app, int64_t *next_ms);
/* *next_ms: the next persisted deadline as ops_run_timers gives it (0: none
 * or unknown); read-only. */
void ops_timers_next_deadline(struct app *app, int64_t *next_ms);
/* The earliest time after a run of ops_run_timers at ran_ms at which its
 * clock-driven passes (the hourly compliance judgement, the local trigger,
 * the daily report to the city) can act again. Until then, and before the
 * next persisted deadline, a run writes nothing; pure (config and time). */
int64_t ops_timers_quiet_until(const struct app *app, int64_t ran_ms);

/* ---- compliance (engine/compliance, README "Compliance") ---- */

/* Which active orders to judge: order_id 0 and no enterprises mean all. */
struct judge_filter {
    int64_t order_id;
    const char *const *enterprises; /* borrowed USCCs */
    size_t n_enterprises;
    /* the hourly pass: only orders whose enterprise has sent evidence (an
     * order without any stays unknown, with no line judged, until some
     * arrives and is judged at once) */
    bool with_evidence_only;
};

/* Judges every active order the filter matches (see ops_judge_in_tx) in
 * its own transaction. */
SM_NODISCARD enum sm_err ops_judge_orders(struct app *app, int64_t now_ms,
                                          const struct judge_filter *filter);

/* Records meter and emission readings, inspections and gate records from a
 * POST /v1/compliance body (borrowed), each item accepted or rejected on its
 * own, then re-judges the orders of the enterprises it touched, all in one
 * transaction. who->role "monitor" may not send inspections (the caller
 * refuses those). *reply (new): {"accepted", "rejected": [{"index", "kind",
 * "code", "message"}], "orders": [{"id", "compliance"}]}. SM_ERR_INVAL with
 * diag when the body's shape is wrong, SM_ERR_LIMIT when it has too many
 * items. */
SM_NODISCARD enum sm_err ops_record_compliance(struct app *app, const struct ops_actor *who,
                                               const json_t *body, json_t **reply,
                                               struct sm_diag *diag);

/* new: the evidence behind an order's compliance: per line the stored
 * judgement, its threshold, the hourly means of every metric, the
 * inspections; and the enterprise's gate records. SM_ERR_NOTFOUND. */
SM_NODISCARD enum sm_err ops_order_evidence(struct app *app, int64_t order_id, json_t **out);

/* Adds "reductions" and "compliance_by" to an episode view (borrowed,
 * modified) from the latest order of each enterprise in it. */
SM_NODISCARD enum sm_err ops_episode_figures(struct app *app, int64_t episode_id,
                                             json_t *episode);

/* new: the contract's /v1/status object */
SM_NODISCARD enum sm_err ops_status(struct app *app, json_t **out);
/* The same in two steps, for a caller that counts the orders itself
 * (store_order_counts_slice): new *out without the order figures, the
 * current real episode (0: none) and the time to count them at … */
SM_NODISCARD enum sm_err ops_status_begin(struct app *app, json_t **out, int64_t *episode,
                                          int64_t *now_ms);
/* … then the figures set into it. */
struct order_counts;
void ops_status_counts(json_t *status, const struct order_counts *c);

#endif
