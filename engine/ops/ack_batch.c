/* Group commit for acknowledgements (see ack_batch.h). The flush is an
 * event made active when the first ack of a turn is queued; libevent runs
 * it after the socket callbacks already pending in that turn, so every
 * request read in the same turn shares the COMMIT. With a file database
 * the COMMIT does not wait for the disk: the group waits in `flushing`
 * until the syncer thread reports its ticket durable (store_sync.h); the
 * loop meanwhile reads and commits the next groups, which the flush after
 * the one in progress covers together. */
#include "ops/ack_batch.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/util.h>

#include "app/app.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "clock/clock.h"
#include "ops/ops_int.h"
#include "store/store.h"
#include "store/store_sync.h"

#define LOG_MODULE "ack"
/* bounds the time the loop spends in one transaction */
#define ACK_BATCH_MAX 512
/* The ack log (store_acklog.c) is folded into the orders once no ack was
 * committed for this long, or once it holds FOLD_MAX acks or its oldest
 * waited FOLD_MAX_AGE_MS whatever comes: a fold rewrites each order page
 * once for all its acks, and during a flood it would stall the loop for
 * the pages of the acks of one pause. After a failed fold the next try is
 * FOLD_RETRY_MS later, and only the first failure of a run is logged. */
#define FOLD_IDLE_MS 100
#define FOLD_MAX 200000
#define FOLD_MAX_AGE_MS 10000
#define FOLD_RETRY_MS 1000

struct ack_item {
    const struct ops_actor *who;
    const struct ack_request *rq;
    ack_batch_done_fn *done;
    void *arg;
    enum sm_err err;
    int status;
    char *reply;
    struct sm_diag diag;
};

/* a committed group waiting for its flush */
struct ack_group {
    struct ack_group *next;
    uint64_t ticket;
    size_t n;
    struct ack_item items[];
};

struct ack_batch {
    struct app *app;
    struct event *flush;
    struct ack_item *q;
    size_t n, cap;
    bool armed;
    /* the queue waits for the checkpointer's final pass (see flush_cb) */
    bool waiting;
    bool closing;
    uint64_t commits, acks;
    /* NULL: commits wait for the disk on the loop (in-memory database) */
    struct store_syncer *syncer;
    struct event *synced;
    struct ack_group *flushing, **flushing_tail; /* in ticket order */
    /* the ack log's fold (see FOLD_IDLE_MS): acks committed at the last
     * look; when the log last went from empty to waiting (monotonic ms);
     * failed folds since the last that worked */
    struct event *fold;
    uint64_t fold_seen;
    int64_t fold_waiting_since;
    unsigned fold_failures;
};

static void
item_reset(struct ack_item *it)
{
    free(it->reply);
    it->reply = NULL;
    it->err = SM_OK;
    it->status = 200;
    memset(&it->diag, 0, sizeof(it->diag));
}

/* One transaction for items[0..n); on failure every result is cleared,
 * nothing was written, and the error says why.
 *
 * Without `steps` the items run one after the other in the transaction: a
 * savepoint per item cost each ack ≈ 0.5 µs (its pages copied to the
 * sub-journal) for an undo that almost never happens. An item that wrote
 * and then failed (an error after its log row: its reply too long, the
 * disk) leaves writes that must not stay: the group is rolled back and
 * *redo set, for the run with a savepoint per item. */
static enum sm_err
run_together(struct ack_batch *b, struct ack_item *items, size_t n, bool steps, uint64_t *ticket,
             bool *redo)
{
    struct store *s = b->app->store;
    int64_t now = clock_now(&b->app->clock);
    enum sm_err err = b->syncer ? store_begin_deferred(b->syncer, s) : store_begin(s);

    *ticket = 0;
    *redo = false;
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        struct ack_item *it = &items[i];
        uint64_t changes = store_change_count(s);
        bool keep = false;

        item_reset(it);
        if (steps && (err = store_step_begin(s)) != SM_OK)
            goto broken;
        it->err = ops_ack_in_tx(b->app, it->who, it->rq, now, &it->status, &it->reply, &keep,
                                &it->diag);
        if (!store_tx_alive(s)) {
            err = SM_ERR_DB;
            goto broken;
        }
        if (!steps && !keep && store_change_count(s) != changes) {
            *redo = true;
            goto broken;
        }
        if (steps && (err = keep ? store_step_keep(s) : store_step_undo(s)) != SM_OK)
            goto broken;
    }
    /* both roll back themselves when the COMMIT fails */
    err = b->syncer ? store_commit_deferred(b->syncer, s, ticket) : store_commit(s);
    if (err)
        goto lost;
    b->commits++;
    b->acks += n;
    return SM_OK;
broken:
    if (b->syncer)
        store_rollback_deferred(s);
    else
        store_rollback(s);
lost:
    for (size_t i = 0; i < n; i++)
        item_reset(&items[i]);
    return err ? err : SM_ERR_DB;
}

bool
ack_batch_fold(struct ack_batch *b)
{
    size_t n = store_acks_pending(b->app->store);
    int64_t t0;
    enum sm_err err;

    if (!n)
        return true;
    t0 = clock_mono_us();
    err = store_acks_fold(b->app->store);
    if (err) {
        if (!b->fold_failures++)
            log_warn("the acknowledgement log (%zu acks) could not be folded into the orders (%s); "
                     "they stay there, as durable, and the fold is tried again",
                     n, sm_strerror(err));
        return false;
    }
    if (b->fold_failures)
        log_info("the acknowledgement log was folded again after %u failed tries", b->fold_failures);
    b->fold_failures = 0;
    b->fold_waiting_since = 0;
    if (n >= 1000)
        log_info("%zu acknowledgements folded from the ack log into their orders in %lld ms", n,
                 (long long)(clock_mono_us() - t0) / 1000);
    return true;
}

static void
arm_fold(struct ack_batch *b, int64_t ms)
{
    struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

    if (!evtimer_pending(b->fold, NULL))
        evtimer_add(b->fold, &tv);
}

static void
fold_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ack_batch *b = arg;
    size_t n = store_acks_pending(b->app->store);

    (void)fd;
    (void)what;
    if (!n)
        return; /* folded by another writer or request */
    if (b->acks != b->fold_seen && n < FOLD_MAX &&
        clock_mono_ms() - b->fold_waiting_since < FOLD_MAX_AGE_MS) {
        b->fold_seen = b->acks; /* still coming: look again later */
        arm_fold(b, FOLD_IDLE_MS);
        return;
    }
    if (!ack_batch_fold(b))
        arm_fold(b, FOLD_RETRY_MS);
}

static void
run_alone(struct ack_batch *b, struct ack_item *it)
{
    item_reset(it);
    it->err = ops_ack(b->app, it->who, it->rq, &it->status, &it->reply, &it->diag);
}

static void
answer(struct ack_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ack_item *it = &items[i];
        char *reply = it->reply;
        it->reply = NULL;
        it->done(it->arg, it->err, it->status, reply, &it->diag);
    }
}

static void
refuse_not_durable(struct ack_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        item_reset(&items[i]);
        items[i].err = SM_ERR_IO;
        sm_diag_set(&items[i].diag, "not_durable",
                    "the acknowledgement could not be written to disk; retry");
    }
}

/* Keeps a committed group until its ticket is durable. */
static void
hold_for_flush(struct ack_batch *b, struct ack_item *items, size_t n, uint64_t ticket)
{
    struct ack_group *g = xmalloc(sizeof(*g) + n * sizeof(*items));

    g->next = NULL;
    g->ticket = ticket;
    g->n = n;
    memcpy(g->items, items, n * sizeof(*items));
    *b->flushing_tail = g;
    b->flushing_tail = &g->next;
}

/* Answers every group whose ticket is durable; all of them when the flush
 * failed (503: after a failed fsync nothing later can be promised). */
static void
release_flushed(struct ack_batch *b, uint64_t durable, bool failed)
{
    struct ack_group *g;

    while ((g = b->flushing) != NULL && (failed || g->ticket <= durable)) {
        b->flushing = g->next;
        if (!b->flushing)
            b->flushing_tail = &b->flushing;
        if (failed && g->ticket > durable)
            refuse_not_durable(g->items, g->n);
        answer(g->items, g->n);
        free(g);
    }
}

static void flush_cb(evutil_socket_t fd, short what, void *arg);

static void
synced_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ack_batch *b = arg;
    uint64_t durable = 0;
    bool failed;

    (void)fd;
    (void)what;
    failed = store_syncer_poll(b->syncer, &durable) != SM_OK;
    release_flushed(b, durable, failed);
    if (b->waiting && store_syncer_may_commit(b->syncer)) {
        b->waiting = false;
        flush_cb(-1, 0, b);
    }
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ack_batch *b = arg;
    struct ack_item *q = b->q;
    size_t n = b->n;

    (void)fd;
    (void)what;
    /* A turn's acks commit at once, also while the groups before them are
     * being flushed: the flusher's next fdatasync then starts the moment
     * the one in progress ends and covers every group committed meanwhile.
     * (Waiting for that flush to end before running the next group left
     * the disk idle while the loop ran the group's statements: 25.5k
     * against 29k acks/s at 64 connections.) Only the checkpointer's final
     * pass holds them (store_syncer_may_commit). */
    if (b->syncer && !store_syncer_may_commit(b->syncer) && !b->closing && n < ACK_BATCH_MAX) {
        b->waiting = true; /* armed stays set: submits only queue */
        return;
    }
    /* callbacks may queue new acks: they go to a fresh queue */
    b->q = NULL;
    b->n = b->cap = 0;
    b->armed = false;
    /* the log's oldest wait starts with the group that finds it empty */
    size_t waiting_before = store_acks_pending(b->app->store);
    for (size_t at = 0; at < n; at += ACK_BATCH_MAX) {
        size_t k = n - at < ACK_BATCH_MAX ? n - at : ACK_BATCH_MAX;
        uint64_t ticket = 0;
        bool redo;
        enum sm_err err = run_together(b, q + at, k, false, &ticket, &redo);
        if (redo)
            err = run_together(b, q + at, k, true, &ticket, &redo);
        if (err == SM_ERR_IO) {
            /* the disk refused to make it durable: after a failed fsync the
             * kernel may have dropped what it held, so nothing is retried
             * here; each client gets 503 and retries with its key */
            log_err("a batch of %zu acknowledgements could not be made durable; "
                    "answering 503", k);
            refuse_not_durable(q + at, k);
        } else if (err) {
            log_warn("a batch of %zu acknowledgements could not be committed (%s); "
                     "retrying each alone", k, sm_strerror(err));
            for (size_t i = 0; i < k; i++)
                run_alone(b, &q[at + i]);
        } else if (ticket) {
            hold_for_flush(b, q + at, k, ticket);
            if (!waiting_before && store_acks_pending(b->app->store))
                b->fold_waiting_since = clock_mono_ms();
            waiting_before = store_acks_pending(b->app->store);
            arm_fold(b, FOLD_IDLE_MS);
            continue;
        }
        answer(q + at, k);
    }
    free(q);
}

struct ack_batch *
ack_batch_new(struct app *app)
{
    struct ack_batch *b = xcalloc(1, sizeof(*b));

    b->app = app;
    b->flush = event_new(app->base, -1, 0, flush_cb, b);
    b->fold = evtimer_new(app->base, fold_cb, b);
    b->flushing_tail = &b->flushing;
    if (store_syncer_start(app->store, &b->syncer) == SM_OK) {
        b->synced = event_new(app->base, store_syncer_fd(b->syncer), EV_READ | EV_PERSIST,
                              synced_cb, b);
        event_add(b->synced, NULL);
    }
    return b;
}

void
ack_batch_free(struct ack_batch *b)
{
    if (!b)
        return;
    b->closing = true;
    if (b->n)
        flush_cb(-1, 0, b);
    if (b->syncer) {
        /* the thread flushes what was asked before it stops */
        bool failed = store_syncer_stop(b->syncer) != SM_OK;

        b->syncer = NULL;
        event_free(b->synced);
        release_flushed(b, failed ? 0 : UINT64_MAX, failed);
    }
    /* the orders as they stand, for whatever reads the file next */
    (void)ack_batch_fold(b);
    event_free(b->fold);
    event_free(b->flush);
    free(b->q);
    free(b);
}

void
ack_batch_submit(struct ack_batch *b, const struct ops_actor *who, const struct ack_request *rq,
                 ack_batch_done_fn *done, void *arg)
{
    struct ack_item *it;

    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->q = xrealloc(b->q, b->cap * sizeof(*b->q));
    }
    it = &b->q[b->n++];
    memset(it, 0, sizeof(*it));
    it->who = who;
    it->rq = rq;
    it->done = done;
    it->arg = arg;
    if (!b->armed) {
        b->armed = true;
        event_active(b->flush, EV_TIMEOUT, 1);
    } else if (b->waiting && b->n >= ACK_BATCH_MAX) {
        /* a full group does not wait for the final pass */
        b->waiting = false;
        event_active(b->flush, EV_TIMEOUT, 1);
    }
}

uint64_t
ack_batch_commits(const struct ack_batch *b)
{
    return b->commits;
}

uint64_t
ack_batch_acks(const struct ack_batch *b)
{
    return b->acks;
}

void
ack_batch_checkpoints(const struct ack_batch *b, uint64_t *off_loop, uint64_t *on_loop)
{
    *off_loop = *on_loop = 0;
    if (b->syncer)
        store_syncer_checkpoints(b->syncer, off_loop, on_loop);
}

uint64_t
ack_batch_flushes(const struct ack_batch *b)
{
    return b->syncer ? store_syncer_flushes(b->syncer) : b->commits;
}
