#ifndef SM_STORE_STORE_DISPATCH_H
#define SM_STORE_STORE_DISPATCH_H

/* Delivery of the outbox: enterprise contacts, deliveries (one per notice,
 * channel and recipient) and their attempts. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* ---- contacts ---- */
struct contact_rec {
    char *uscc;
    char *webhook_url;    /* NULL: none */
    char *webhook_secret; /* NULL: the channel's secret */
    char *emails;         /* JSON array text */
    char *phones;         /* JSON array text */
    int64_t updated_ms;
};
/* Frees the strings of c (not c itself). */
void contact_rec_release(struct contact_rec *c);
/* new (strings of *out): SM_ERR_NOTFOUND when the enterprise has none. */
SM_NODISCARD enum sm_err store_contact_get(struct store *s, const char *uscc,
                                           struct contact_rec *out);
/* Inserts or replaces the contacts of c->uscc; call inside a transaction. */
SM_NODISCARD enum sm_err store_contact_put(struct store *s, const struct contact_rec *c);

/* ---- the outbox, as dispatch reads it ---- */
struct outbox_row {
    int64_t id, order_id, created_ms, deadline_ms; /* order_id, deadline_ms: 0 when NULL */
    const char *event_id, *kind, *enterprise;      /* enterprise: NULL for officer alerts */
    const char *payload;
    int drill;
};
typedef void store_outbox_row_fn(void *arg, const struct outbox_row *o);
/* Notices not yet expanded into deliveries, oldest first, at most limit;
 * decisions' notices among them (store_notice_is_decision) are expanded
 * with store_notices_write_owed. */
SM_NODISCARD enum sm_err store_outbox_unexpanded(struct store *s, int limit,
                                                 store_outbox_row_fn *fn, void *arg);
/* Notices first_id..last_id in id order (those a decision's expansion just
 * wrote, see store_notices.h). Strings borrowed for the callback. */
SM_NODISCARD enum sm_err store_outbox_range(struct store *s, int64_t first_id, int64_t last_id,
                                            store_outbox_row_fn *fn, void *arg);
SM_NODISCARD enum sm_err store_outbox_mark_expanded(struct store *s, int64_t id, int64_t now_ms);
/* Adds a notice unless its event_id exists; *created tells which. Not for
 * the kinds order_issued, order_superseded and order_lifted (their ids are
 * unique by construction and not indexed, see 0015_outbox_event_unique.sql). */
SM_NODISCARD enum sm_err store_outbox_add_once(struct store *s, const char *event_id,
                                               const char *kind, int64_t order_id,
                                               const char *enterprise, int drill,
                                               const char *payload, int64_t now_ms,
                                               bool *created);
/* Enterprise notices past their deadline (deadline_ms, else created_ms +
 * default_deadline_ms) with no delivery, or one not delivered, and not yet
 * alerted on. Strings borrowed for the callback. */
SM_NODISCARD enum sm_err store_outbox_overdue(struct store *s, int64_t now_ms,
                                              int64_t default_deadline_ms,
                                              store_outbox_row_fn *fn, void *arg);
SM_NODISCARD enum sm_err store_outbox_mark_alerted(struct store *s, int64_t id);
/* The earliest deadline among the notices store_outbox_overdue would report
 * once it has passed (still undelivered, not yet alerted on); 0 when none. */
SM_NODISCARD enum sm_err store_outbox_next_overdue(struct store *s, int64_t default_deadline_ms,
                                                   int64_t *at_ms);

/* ---- deliveries ---- */
/* Adds a pending delivery due at now unless (outbox_id, channel, recipient) exists. */
SM_NODISCARD enum sm_err store_delivery_add(struct store *s, int64_t outbox_id,
                                            const char *channel, const char *recipient,
                                            int64_t now_ms);

struct delivery_row {
    int64_t id, outbox_id, order_id;
    const char *channel, *recipient, *event_id, *kind, *enterprise, *payload;
    int attempts, drill;
    /* a webhook to the enterprise's contact URL: the contact's own secret,
     * read with the row; NULL: the channel's secret */
    const char *webhook_secret;
};
typedef void store_delivery_row_fn(void *arg, const struct delivery_row *d);
/* Pending deliveries due at now, earliest first, at most limit, each with
 * its contact's webhook secret (one query for the batch). */
SM_NODISCARD enum sm_err store_deliveries_due(struct store *s, int64_t now_ms, int limit,
                                              store_delivery_row_fn *fn, void *arg);
/* The earliest next_attempt_ms of a pending delivery; 0 when none. */
SM_NODISCARD enum sm_err store_deliveries_next_due(struct store *s, int64_t *at_ms);
/* Moves next attempts later than latest_ms back to latest_ms (a clock that
 * was ahead must not freeze retries); *changed rows moved. */
SM_NODISCARD enum sm_err store_deliveries_clamp(struct store *s, int64_t latest_ms,
                                                int64_t *changed);

struct delivery_outcome {
    const char *status;  /* pending, delivered, dead */
    int attempts;
    int64_t next_attempt_ms, delivered_ms; /* delivered_ms 0: NULL */
    const char *last_error;
    int last_status;
    /* the attempt itself */
    int64_t started_ms, duration_ms, retry_after_ms;
    const char *result; /* delivered, transient, permanent */
};
/* Records one attempt and the delivery's new state; call inside a transaction. */
SM_NODISCARD enum sm_err store_delivery_record(struct store *s, int64_t id,
                                               const struct delivery_outcome *o);
/* dead -> pending due at now with attempts reset. SM_ERR_NOTFOUND, or
 * SM_ERR_CONFLICT when it is not dead. */
SM_NODISCARD enum sm_err store_delivery_retry(struct store *s, int64_t id, int64_t now_ms);

/* new: one delivery with its attempts (API shape). SM_ERR_NOTFOUND. */
SM_NODISCARD enum sm_err store_delivery_json(struct store *s, int64_t id, int tz_min,
                                             json_t **out);
struct delivery_filter {
    const char *status, *enterprise, *channel; /* NULL: any */
    int limit, offset;
};
/* new: {"deliveries": [...], "total", "limit", "offset"} */
SM_NODISCARD enum sm_err store_deliveries_json(struct store *s, const struct delivery_filter *f,
                                               int tz_min, json_t **out);

struct dispatch_stats {
    int64_t outbox_pending;       /* notices with an undelivered delivery or not expanded,
                                     and those decisions still owe */
    int64_t dead;                 /* dead deliveries */
    int64_t oldest_undelivered_ms; /* created_ms of the oldest pending notice; 0: none */
};
SM_NODISCARD enum sm_err store_dispatch_stats(struct store *s, struct dispatch_stats *st);

/* Delivery figures of one context (drill 0 or 1), for replay's expectations. */
struct delivery_counts {
    int64_t pending, delivered, dead; /* deliveries by status */
    int64_t failed_attempts;          /* attempts that did not deliver */
    int64_t duplicates;               /* deliveries delivered more than once (should be 0) */
    int64_t undelivered_notices;      /* notices with a delivery not delivered, or none (and
                                         those decisions still owe) */
};
/* channel NULL: every channel; else only that channel's deliveries. */
SM_NODISCARD enum sm_err store_delivery_counts(struct store *s, int drill, const char *channel,
                                               struct delivery_counts *out);

#endif
