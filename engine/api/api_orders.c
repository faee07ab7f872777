/* Orders and acknowledgements over HTTP. Enterprise tokens see and touch
 * only their own orders; the check is made in SQL. */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/crypto.h"
#include "base/xalloc.h"
#include "ops/ack_batch.h"
#include "ops/ops.h"
#include "store/store_orders.h"

/* a filter value outside its set would just match nothing: refused */
static bool
filter_ok(struct api_req *r, const char *name, const char *value, const char *const *allowed)
{
    if (!value)
        return true;
    for (; *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    api_reply_error(r, 422, "bad_filter", "%s=%s is not one of the %s values", name, value, name);
    return false;
}

static void
list_orders(struct api_req *r)
{
    static const char *const statuses[] = { "issued", "acknowledged", "superseded", "lifted",
                                            NULL };
    static const char *const levels[] = { "yellow", "orange", "red", NULL };
    static const char *const states[] = { "unknown", "compliant", "violation", NULL };
    static const char *const booleans[] = { "true", "false", "1", "0", NULL };
    struct order_filter f = { 0 };
    const char *ep = api_query(r, "episode"), *od = api_query(r, "overdue");
    json_t *out = NULL;
    enum sm_err err;

    if (!api_paging(r, &f.limit, &f.offset))
        return;
    f.enterprise = api_query(r, "enterprise");
    f.status = api_query(r, "status");
    f.level = api_query(r, "level");
    f.compliance = api_query(r, "compliance");
    f.town = api_query(r, "town");
    f.industry = api_query(r, "industry");
    f.grade = api_query(r, "grade");
    if (!filter_ok(r, "status", f.status, statuses) || !filter_ok(r, "level", f.level, levels) ||
        !filter_ok(r, "compliance", f.compliance, states) ||
        !filter_ok(r, "overdue", od, booleans))
        return;
    f.overdue = od ? (strcmp(od, "true") == 0 || strcmp(od, "1") == 0) : -1;
    f.now_ms = clock_now(&r->app->clock);
    if (ep) {
        char *end;
        f.episode_id = strtoll(ep, &end, 10);
        if (*end || f.episode_id <= 0) {
            api_reply_error(r, 422, "bad_episode", "episode must be an episode id");
            return;
        }
    }
    if (r->who.role == ROLE_ENTERPRISE) {
        if (f.enterprise && strcmp(f.enterprise, r->who.enterprise) != 0) {
            api_audit(r, "order.list", f.enterprise, "forbidden", "");
            api_reply_error(r, 403, "forbidden", "an enterprise token sees only its own orders");
            return;
        }
        f.enterprise = r->who.enterprise;
    }
    err = store_orders_json(r->app->store, &f, r->app->cfg.tz_min, &out);
    if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

static void
get_order(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    json_t *out = NULL;
    enum sm_err err;

    if (!id)
        return;
    err = store_order_json(r->app->store, id, r->app->cfg.tz_min, 1, &out);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "there is no order %lld", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    if (r->who.role == ROLE_ENTERPRISE &&
        strcmp(json_string_value(json_object_get(out, "enterprise")), r->who.enterprise) != 0) {
        json_decref(out);
        api_audit(r, "order.read", r->path, "forbidden", "");
        api_reply_error(r, 403, "forbidden", "order %lld is not addressed to you", (long long)id);
        return;
    }
    api_reply_json(r, 200, out);
}

/* An acknowledgement waiting for its group commit: owns the request and
 * the parsed body its fields point into. */
struct ack_call {
    struct api_req *r;
    json_t *body;
    struct ops_actor who;
    struct ack_request rq;
    char *idempotency_key;
    char hash[65];
};

static void
ack_done(void *arg, enum sm_err err, int status, char *reply, const struct sm_diag *d)
{
    struct ack_call *c = arg;
    struct api_req *r = c->r;
    json_t *conflict;

    if (err == SM_ERR_CONFLICT && reply && (conflict = json_loads(reply, 0, NULL)) != NULL) {
        /* {"current_order_id": N} with the error beside it */
        json_object_set_new(conflict, "error",
                            json_pack("{s:s,s:s}", "code", d->code, "message", d->text));
        api_reply_json(r, 409, conflict);
        free(reply);
    } else if (err) {
        free(reply);
        api_reply_err(r, err, d);
    } else {
        api_reply_json_text(r, status, reply);
    }
    json_decref(c->body);
    free(c->idempotency_key);
    api_req_finish(r);
    free(c);
}

/* Hands the validated acknowledgement to the batcher: the reply is sent
 * after the COMMIT that makes it durable. */
static void
ack_submit(struct api_req *r, bool by_officer, json_t *body, const struct ack_request *rq)
{
    struct ack_call *c = xcalloc(1, sizeof(*c));

    c->r = api_req_defer(r);
    c->body = body;
    c->rq = *rq;
    if (rq->idempotency_key) {
        c->idempotency_key = xstrdup(rq->idempotency_key);
        c->rq.idempotency_key = c->idempotency_key;
        /* only a replay under the same key compares bodies */
        sm_sha256_hex(c->r->body, c->r->body_len, c->hash);
        c->rq.body_hash = c->hash;
    }
    c->rq.channel = by_officer ? "officer_phone" : "enterprise";
    c->who.actor = api_actor(c->r);
    c->who.role = api_role(c->r);
    c->who.enterprise = c->r->who.enterprise[0] ? c->r->who.enterprise : NULL;
    ack_batch_submit(api_ack_batch(r->app->api), &c->who, &c->rq, ack_done, c);
}

static void
ack(struct api_req *r, bool by_officer)
{
    int64_t id = api_param_id(r, 0);
    struct ack_request rq = { 0 };
    json_t *body = NULL;
    json_error_t je;

    if (!id)
        return;
    if (r->body_len) {
        body = api_body_json(r);
        if (!body)
            return;
        int bad = by_officer
                      ? json_unpack_ex(body, &je, JSON_STRICT, "{s:s,s:s,s?s}", "enterprise",
                                       &rq.on_behalf_of, "note", &rq.note, "contact", &rq.contact)
                      : json_unpack_ex(body, &je, JSON_STRICT, "{s?s,s?s}", "note", &rq.note,
                                       "contact", &rq.contact);
        if (bad) {
            api_reply_error(r, 422, "invalid", "acknowledgement: %s", je.text);
            json_decref(body);
            return;
        }
    } else if (by_officer) {
        api_reply_error(r, 422, "invalid",
                        "a phone acknowledgement needs {\"enterprise\", \"note\", \"contact\"}");
        return;
    }
    if (by_officer && (!rq.note || !rq.note[0])) {
        api_reply_error(r, 422, "reason_required",
                        "record who confirmed by phone and when, in \"note\"");
        json_decref(body);
        return;
    }
    rq.order_id = id;
    rq.idempotency_key = api_header(r, "Idempotency-Key");
    if (rq.idempotency_key && (strlen(rq.idempotency_key) == 0 || strlen(rq.idempotency_key) > 128)) {
        api_reply_error(r, 422, "bad_idempotency_key", "Idempotency-Key must be 1..128 characters");
        json_decref(body);
        return;
    }
    ack_submit(r, by_officer, body, &rq);
}

static void
ack_enterprise(struct api_req *r)
{
    ack(r, false);
}

static void
ack_by_phone(struct api_req *r)
{
    ack(r, true);
}

static void
reissue(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    struct ops_actor who = { api_actor(r), api_role(r), NULL };
    struct sm_diag d = { 0 };
    const char *reason = NULL;
    json_t *body, *out = NULL;
    json_error_t je;
    int64_t new_id = 0;
    enum sm_err err;

    if (!id)
        return;
    body = api_body_json(r);
    if (!body)
        return;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s}", "reason", &reason) || !reason[0]) {
        api_reply_error(r, 422, "reason_required", "a re-issue needs {\"reason\"}");
        json_decref(body);
        return;
    }
    err = ops_reissue(r->app, &who, id, reason, &new_id, &d);
    json_decref(body);
    if (!err)
        err = store_order_json(r->app->store, new_id, r->app->cfg.tz_min, 1, &out);
    if (err)
        api_reply_err(r, err, &d);
    else
        api_reply_json(r, 200, out);
}

const struct route api_routes_orders[] = {
    /* both read the ack log beside the orders (store_orders_json,
     * store_order_json): no fold */
    { HTTP_GET, "/v1/orders", ROLE_OFFICER | ROLE_ENTERPRISE, list_orders, 0, 1 },
    { HTTP_GET, "/v1/orders/{}", ROLE_OFFICER | ROLE_ENTERPRISE, get_order, 0, 1 },
    { HTTP_POST, "/v1/orders/{}/ack", ROLE_ENTERPRISE, ack_enterprise, 0, 1 },
    { HTTP_POST, "/v1/orders/{}/phone-ack", ROLE_OFFICER, ack_by_phone, 0, 1 },
    { HTTP_POST, "/v1/orders/{}/reissue", ROLE_OFFICER, reissue },
};
const int api_routes_orders_count = SM_ARRAY_LEN(api_routes_orders);
