/* Acknowledging an order: owner-only (checked in SQL), idempotent, with
 * optional Idempotency-Key replay, one transaction with its audit row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "base/xalloc.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "store/store.h"
#include "store/store_orders.h"

/* ack replies stay far below this; a bound keeps a damaged row from growing it */
#define ACK_REPLY_MAX (64 * 1024)
/* what a reply usually takes (≈ 700 bytes): allocated once, not doubled up to */
#define ACK_REPLY_USUAL 1024

static enum sm_err
order_reply(struct app *app, int64_t id, char **reply)
{
    struct buf b;
    enum sm_err err;

    buf_init(&b, ACK_REPLY_MAX);
    err = store_order_ack_text(app->store, id, app->cfg.tz_min, &b);
    if (err) {
        buf_release(&b);
        return err;
    }
    *reply = buf_detach(&b);
    return SM_OK;
}

/* keys are per enterprise (or per officer for phone acks) */
static void
ack_scope(char scope[64], const struct ops_actor *who)
{
    snprintf(scope, 64, "ack:%s", who->enterprise ? who->enterprise : who->actor);
}

static char *
current_order_text(int64_t current)
{
    char t[24] = "null";

    if (current)
        jsonw_fmt_int(t, current);
    return xasprintf("{\"current_order_id\":%s}", t);
}

/* the order's text is needed: for the reply, or kept under the key */
static bool
wants_reply(const struct ack_request *rq)
{
    return !rq->no_reply || rq->idempotency_key;
}

/* The answer to an acknowledgement that stands (new or repeated): the order
 * as text, kept under the Idempotency-Key when one was sent; nothing when
 * the caller asked for no reply and sent no key. *reply: the text when the
 * acknowledging UPDATE already wrote it, else NULL and it is read here. */
static enum sm_err
answer(struct app *app, const struct ops_actor *who, const struct ack_request *rq, int64_t now,
       int64_t order_id, char **reply, bool *keep)
{
    char scope[64];
    enum sm_err err = SM_OK;

    if (!*reply && wants_reply(rq))
        err = order_reply(app, order_id, reply);
    if (!err && rq->idempotency_key) {
        ack_scope(scope, who);
        err = store_idem_put(app->store, scope, rq->idempotency_key, rq->body_hash, 200, *reply,
                             now);
    }
    if (err) {
        free(*reply);
        *reply = NULL;
        return err;
    }
    *keep = true;
    return SM_OK;
}

enum sm_err
ops_ack_in_tx(struct app *app, const struct ops_actor *who, const struct ack_request *rq,
              int64_t now, int *status, char **reply, bool *keep, struct sm_diag *diag)
{
    struct order_state o;
    char object[STORE_ORDER_OBJECT];
    const char *enterprise = rq->on_behalf_of ? rq->on_behalf_of : who->enterprise;
    char *stored = NULL;
    enum sm_err err;

    *reply = NULL;
    *status = 200;
    *keep = false;
    store_order_object(object, rq->order_id);
    if (rq->idempotency_key) {
        char scope[64];
        ack_scope(scope, who);
        err = store_idem_get(app->store, scope, rq->idempotency_key, rq->body_hash, status, &stored);
        if (err == SM_OK) {
            *reply = stored;
            return SM_OK;
        }
        if (err == SM_ERR_CONFLICT) {
            sm_diag_set(diag, "idempotency_key_reused",
                        "this Idempotency-Key was already used with a different request body");
            return SM_ERR_INVAL;
        }
        if (err != SM_ERR_NOTFOUND)
            return err;
    }
    if (enterprise) {
        /* the common case first, without reading the order before: an
         * issued order acknowledged by its own enterprise */
        const char *action = rq->on_behalf_of ? "order.ack_by_officer" : "order.ack";
        struct order_ack a = { rq->order_id, enterprise, now, who->actor, rq->channel, rq->note,
                               rq->contact, who->role, action };
        /* the reply is written by the UPDATE from the row it changes: the
         * order is not read a second time */
        struct buf text;

        buf_init(&text, ACK_REPLY_MAX);
        if (wants_reply(rq)) {
            buf_reserve(&text, ACK_REPLY_USUAL);
            err = store_order_ack_reply(app->store, &a, app->cfg.tz_min, &text);
        } else {
            err = store_order_ack(app->store, &a);
        }
        if (!err) {
            /* a logged ack's audit row is appended by the fold that writes
             * it into its order (store_acklog.c) */
            char other[STORE_ACK_DETAIL];
            if (!store_acks_logged(app->store))
                err = ops_audit(app, now, who->actor, who->role, action, object, "ok",
                                store_ack_audit_detail(rq->channel, other));
            if (err) {
                buf_release(&text);
                return err;
            }
            if (wants_reply(rq))
                *reply = buf_detach(&text);
            return answer(app, who, rq, now, rq->order_id, reply, keep);
        }
        buf_release(&text);
        if (err != SM_ERR_CONFLICT)
            return err;
    }
    /* not issued, not this enterprise's, or unknown: say which */
    err = store_order_state(app->store, rq->order_id, &o);
    if (err == SM_ERR_NOTFOUND) {
        sm_diag_set(diag, "not_found", "there is no order %lld", (long long)rq->order_id);
        return err;
    }
    if (err)
        return err;
    if (!enterprise || strcmp(o.enterprise, enterprise) != 0) {
        /* another enterprise's order: refused and audited, never revealed */
        ops_audit_quiet(app, now, who->actor, who->role, "order.ack", object, "forbidden", "");
        *keep = true;
        sm_diag_set(diag, "forbidden", "order %lld is not addressed to %s", (long long)rq->order_id,
                    enterprise ? enterprise : "this credential");
        return SM_ERR_FORBIDDEN;
    }
    if (strcmp(o.status, "superseded") == 0 || strcmp(o.status, "lifted") == 0) {
        int64_t current = 0;
        err = store_order_current(app->store, o.episode_id, o.enterprise, &current);
        if (err)
            return err;
        sm_diag_set(diag, "superseded",
                    "order %lld was %s%s; acknowledge the current order instead",
                    (long long)rq->order_id, o.status,
                    current ? "" : " and no order is in force now");
        *reply = current_order_text(current);
        return SM_ERR_CONFLICT;
    }
    /* already acknowledged: the same answer again, nothing written but the key */
    return answer(app, who, rq, now, o.id, reply, keep);
}

enum sm_err
ops_ack(struct app *app, const struct ops_actor *who, const struct ack_request *rq, int *status,
        char **reply, struct sm_diag *diag)
{
    bool keep = false;
    enum sm_err err, cerr;

    *reply = NULL;
    *status = 200;
    err = store_begin(app->store);
    if (err)
        return err;
    err = ops_ack_in_tx(app, who, rq, clock_now(&app->clock), status, reply, &keep, diag);
    if (!keep) {
        store_rollback(app->store);
        return err;
    }
    cerr = store_commit(app->store); /* rolls back itself when it fails */
    if (err == SM_ERR_FORBIDDEN)
        return err; /* the refusal stands even if its audit row was lost */
    if (cerr) {
        free(*reply);
        *reply = NULL;
        return cerr;
    }
    return err;
}
