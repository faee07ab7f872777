#ifndef SM_STORE_STORE_SYNC_H
#define SM_STORE_STORE_SYNC_H

/* Group commit with the fsync off the event loop.
 *
 * A deferred transaction commits with PRAGMA synchronous=NORMAL: SQLite
 * writes its frames to the WAL and returns without waiting for the disk. It
 * gets a ticket. A syncer thread fdatasync()s the WAL file and reports the
 * highest ticket it made durable; the caller answers its clients only
 * then. In WAL mode synchronous=FULL is exactly "fsync the WAL after the
 * commit's frames", so a reply sent after the ticket is durable carries
 * FULL's guarantee, while the loop parses and commits the next group during
 * the flush. Checkpoints still sync the WAL before copying it and the
 * database file after (NORMAL keeps those syncs), so the WAL is never
 * reused before what it held is on disk. The connection stays at NORMAL
 * after the commit, for the next group; whatever else starts to write
 * (a transaction, a savepoint or a writing statement outside one) puts
 * FULL back first (store_sync_full in store_int.h).
 *
 * Checkpoints move to a second thread with its own connection: every 1000
 * new WAL frames wake it for a PASSIVE checkpoint (SQLite's own threshold),
 * which copies frames beside the loop's commits and then syncs the database
 * file. Only a checkpoint with no commit beside it can copy every frame and
 * let the WAL start over, so once the WAL holds 8192 frames the next ack
 * group waits (store_syncer_may_commit, the loop itself goes on) while the
 * thread copies the frames its last pass left; the group after it starts
 * the WAL over. Only a WAL that still grew to 32768 frames (groups too
 * large to wait) is checkpointed on the caller's thread.
 *
 * The one difference from FULL: another reader may see a deferred commit
 * before the flush that makes it durable ends (a crash in between loses a
 * commit nobody was told about). Only the syncer thread touches the WAL
 * file descriptor; every SQLite call stays on the caller's thread. */
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct store_syncer;

/* new: a syncer for the WAL of s (a database file in WAL mode). An
 * in-memory database has no WAL: SM_ERR_INVAL, and the caller commits with
 * store_commit as usual. */
SM_NODISCARD enum sm_err store_syncer_start(struct store *s, struct store_syncer **out);
/* Flushes what was requested, stops the thread and frees (NULL is fine).
 * SM_ERR_IO if any flush failed. */
enum sm_err store_syncer_stop(struct store_syncer *y);

/* BEGIN a transaction whose COMMIT will not wait for the disk. SM_ERR_IO
 * once a flush has failed: the kernel may have dropped the pages it could
 * not write, so nothing after it can be called durable until a restart
 * recovers the database from what is on disk. */
SM_NODISCARD enum sm_err store_begin_deferred(struct store_syncer *y, struct store *s);
/* COMMITs it (rolled back when that fails) and asks the thread to flush;
 * *ticket: durable once store_syncer_poll reports a value ≥ it. */
SM_NODISCARD enum sm_err store_commit_deferred(struct store_syncer *y, struct store *s,
                                               uint64_t *ticket);
/* Rolls the deferred transaction back. */
void store_rollback_deferred(struct store *s);

/* Whether a deferred transaction may start now: false while the WAL, long
 * enough to start over, waits for the checkpointer thread to copy its last
 * frames with nothing committed beside it. The descriptor becomes readable
 * when that pass ends; ask again then. Transactions started meanwhile are
 * fine: the WAL then starts over later. */
bool store_syncer_may_commit(struct store_syncer *y);
/* A descriptor that becomes readable when a flush ends (watch it with EV_READ). */
int store_syncer_fd(const struct store_syncer *y);
/* Drains the descriptor; *durable: every ticket ≤ it is on disk. SM_ERR_IO
 * when a flush failed: tickets above *durable never will be. */
SM_NODISCARD enum sm_err store_syncer_poll(struct store_syncer *y, uint64_t *durable);
/* Flushes done (fdatasync calls), for the metrics. */
uint64_t store_syncer_flushes(struct store_syncer *y);
/* Checkpoints by the checkpointer thread, and by the committing thread. */
void store_syncer_checkpoints(struct store_syncer *y, uint64_t *off_loop, uint64_t *on_loop);

#endif
