/* Running the scheduled acknowledgements through ops_ack_in_tx, many to a
 * transaction, each in its own savepoint so that one refused answer undoes
 * only itself (as engine/ops/ack_batch.c groups the acks of one loop turn).
 * Each acknowledgement is made at its own virtual time. */
#include <stdio.h>
#include <string.h>

#include "ops/ops_int.h"
#include "replay/replay_int.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_orders.h"

/* One acknowledgement inside the open transaction: *counted is 0 when it
 * was refused (an event says why), 1 when done, 2 when it found no open
 * order. */
static enum sm_err
run_one(struct replay *r, const struct pending_ack *a, int64_t now, int *counted)
{
    struct store *s = r->app->store;
    struct ops_actor ent = { a->uscc, "enterprise", a->uscc };
    struct ack_request rq = { 0 };
    struct order_state os;
    struct sm_diag d = { 0 };
    int64_t episode = 0, since, id = 0;
    enum level lv;
    char *reply = NULL;
    int status;
    bool keep = false;
    enum sm_err err, serr;

    *counted = 0;
    err = store_episode_current(s, a->drill, &episode, &lv, &since);
    if (!err && episode)
        err = store_order_current(s, episode, a->uscc, &id);
    if (!err && id)
        err = store_order_state(s, id, &os);
    if (err)
        return err;
    if (!id || strcmp(os.status, "issued") != 0) {
        *counted = 2; /* lifted or already answered since it was scheduled */
        return SM_OK;
    }
    rq.order_id = id;
    rq.note = a->note;
    rq.contact = a->contact;
    rq.body_hash = "";
    rq.channel = a->phone ? "officer_phone" : "enterprise";
    rq.on_behalf_of = a->phone ? a->uscc : NULL;
    rq.no_reply = true;
    if ((err = store_step_begin(s)) != SM_OK)
        return err;
    err = ops_ack_in_tx(r->app, a->phone ? &replay_officer : &ent, &rq, now, &status, &reply,
                        &keep, &d);
    free(reply);
    if (!store_tx_alive(s))
        return err ? err : SM_ERR_DB;
    serr = keep ? store_step_keep(s) : store_step_undo(s);
    if (serr)
        return serr;
    if (err == SM_ERR_DB || err == SM_ERR_BUSY || err == SM_ERR_IO)
        return err;
    if (err) {
        replay_event(r, "ack", "acknowledgement by %s refused (%s): %s", a->uscc, d.code,
                     d.text);
        return SM_OK;
    }
    *counted = 1;
    return SM_OK;
}

/* The acknowledgements due at or before now, in the open transaction; the
 * timeline tallies them as one clock stop. */
static enum sm_err
run_due(struct replay *r)
{
    int64_t now = clock_now(&r->app->clock);
    int done[2] = { 0, 0 }, gone = 0;
    enum sm_err err = SM_OK;

    while (!err && r->head < r->nacks && r->acks[r->head].at_ms <= now) {
        const struct pending_ack *a = &r->acks[r->head++];
        int counted;
        err = run_one(r, a, now, &counted);
        if (counted == 1)
            done[a->phone]++;
        else if (counted == 2)
            gone++;
    }
    if (done[0] || done[1] || gone) {
        if (!r->batch[0] && !r->batch[1] && !r->batch_gone)
            r->batch_first = now;
        r->batch_last = now;
        r->batch[0] += done[0];
        r->batch[1] += done[1];
        r->batch_gone += gone;
    }
    return err;
}

/* Runs the acknowledgements with at_ms < until (all due now when until is
 * 0), moving the clock to each one's time, in one transaction. */
static enum sm_err
run_in_tx(struct replay *r, int64_t until)
{
    struct store *s = r->app->store;
    enum sm_err err = store_begin(s);

    if (err)
        return err;
    if (!until) {
        err = run_due(r);
    } else {
        while (!err && r->head < r->nacks && r->acks[r->head].at_ms < until) {
            if (r->acks[r->head].at_ms > clock_now(&r->app->clock))
                clock_advance_to(&r->app->clock, r->acks[r->head].at_ms);
            err = run_due(r);
        }
    }
    if (err) {
        store_rollback(s);
        return err;
    }
    return store_commit(s); /* rolls back itself when it fails */
}

enum sm_err
replay_run_acks(struct replay *r)
{
    return run_in_tx(r, 0);
}

enum sm_err
replay_run_acks_before(struct replay *r, int64_t until)
{
    return run_in_tx(r, until);
}
