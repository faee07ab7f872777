#ifndef SM_OPS_ACK_BATCH_H
#define SM_OPS_ACK_BATCH_H

/* Group commit for acknowledgements: the acks that arrive during one turn
 * of the event loop are written in one transaction (an ack that wrote and
 * then failed makes the group run again with a savepoint per ack), and
 * answered only after that COMMIT is on disk (flushed by a thread while
 * the loop goes on, see store/store_sync.h). A batch that cannot
 * be committed acknowledges nothing: each of its acks is then run again in
 * its own transaction, so every caller gets exactly what ops_ack would
 * have given it. */
#include <stdint.h>

#include "base/err.h"
#include "ops/ops.h"

struct app;
struct ack_batch;

/* Called once per submitted ack, from the event loop, after its data is
 * durable (or known not to be): err, status, reply (JSON text, given to the
 * callee, may be NULL) and diag exactly as ops_ack returns them. */
typedef void ack_batch_done_fn(void *arg, enum sm_err err, int status, char *reply,
                               const struct sm_diag *diag);

/* new: a batcher running on app->base (which must exist). */
struct ack_batch *ack_batch_new(struct app *app);
/* Runs whatever is still queued (its callbacks are called), then frees. */
void ack_batch_free(struct ack_batch *b);
/* Folds the acks the groups appended to the ack log into their orders
 * (store_acks_fold) before a request that reads or writes orders; false
 * (logged) when it could not, the log then kept for the next try. */
bool ack_batch_fold(struct ack_batch *b);
/* Queues one acknowledgement. who, rq and every string they point to are
 * borrowed until done has been called. */
void ack_batch_submit(struct ack_batch *b, const struct ops_actor *who,
                      const struct ack_request *rq, ack_batch_done_fn *done, void *arg);
/* Transactions committed by the batcher and acks they carried (metrics). */
uint64_t ack_batch_commits(const struct ack_batch *b);
uint64_t ack_batch_acks(const struct ack_batch *b);
/* fsyncs that made them durable (one flush may cover several commits) */
uint64_t ack_batch_flushes(const struct ack_batch *b);
/* WAL checkpoints by the checkpointer thread, and by the event loop
 * (zeros without a syncer, when SQLite's autocheckpoint runs them). */
void ack_batch_checkpoints(const struct ack_batch *b, uint64_t *off_loop, uint64_t *on_loop);

#endif
