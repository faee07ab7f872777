#ifndef SM_STORE_STORE_NOTICES_H
#define SM_STORE_STORE_NOTICES_H

/* The notices a decision owes its orders. Issuing writes one notice per
 * decision and kind, with its row in outbox_decisions
 * (0023_outbox_decisions.sql); expanding it writes the
 * per-order notices it stands for, a slice per call, with the same event
 * ids, payloads and deadlines the issuance used to write itself. */
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* the kinds of a decision's notice */
#define STORE_NOTICE_DECISION_ORDERS "decision_orders" /* its new orders */
#define STORE_NOTICE_DECISION_LIFTED "decision_lifted" /* the orders it lifted */

/* true for the kinds above: a notice delivered to nobody itself */
bool store_notice_is_decision(const char *kind);

struct store_owed_slice {
    int64_t first_id, last_id; /* outbox ids of the notices written; 0 when none */
    int written;
    bool done; /* the decision notice is expanded: nothing is owed any more */
};

/* Writes the next notices (at most limit > 0) that decision notice
 * outbox_id owes, in order id order, already marked expanded at now_ms
 * (the caller adds their deliveries in the same transaction), and moves
 * its cursor (outbox_decisions.upto) past them; when none is left it marks the decision
 * notice expanded and settled. Call inside a transaction: a crash before
 * the COMMIT loses the slice and its cursor together. SM_ERR_NOTFOUND when
 * outbox_id is not an unexpanded decision notice. */
SM_NODISCARD enum sm_err store_notices_write_owed(struct store *s, int64_t outbox_id, int limit,
                                                  int64_t now_ms, struct store_owed_slice *out);

#endif
