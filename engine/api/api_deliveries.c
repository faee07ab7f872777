/* Deliveries and enterprise contacts for duty officers:
 * GET /v1/deliveries, GET /v1/deliveries/{id}, POST /v1/deliveries/{id}/retry,
 * GET and PUT /v1/enterprises/{uscc}/contacts. */
#include "api/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "dispatch/dispatch.h"
#include "store/store_dispatch.h"

#define DELIVERIES_MAX_LIMIT 500

static bool
parse_id(struct api_req *r, const char *s, int64_t *id)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);

    if (!*s || *end || v <= 0) {
        api_reply_error(r, 404, "not_found", "no delivery %.40s", s);
        return false;
    }
    *id = v;
    return true;
}

static bool
parse_count(struct api_req *r, const char *name, int def, int max, int *out)
{
    const char *s = api_query(r, name);
    char *end = NULL;
    long v;

    *out = def;
    if (!s)
        return true;
    v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > max) {
        api_reply_error(r, 422, "bad_query", "%s must be an integer in [0, %d]", name, max);
        return false;
    }
    *out = (int)v;
    return true;
}

static void
deliveries_list(struct api_req *r)
{
    struct delivery_filter f = {
        .status = api_query(r, "status"),
        .enterprise = api_query(r, "enterprise"),
        .channel = api_query(r, "channel"),
    };
    json_t *out = NULL;
    enum sm_err err;

    if (f.status && strcmp(f.status, "pending") != 0 && strcmp(f.status, "delivered") != 0 &&
        strcmp(f.status, "dead") != 0) {
        api_reply_error(r, 422, "bad_query", "status must be pending, delivered or dead");
        return;
    }
    if (!parse_count(r, "limit", 100, DELIVERIES_MAX_LIMIT, &f.limit) ||
        !parse_count(r, "offset", 0, 1 << 30, &f.offset))
        return;
    err = store_deliveries_json(r->app->store, &f, r->app->cfg.tz_min, &out);
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    api_reply_json(r, 200, out);
}

static void
delivery_get(struct api_req *r)
{
    json_t *out = NULL;
    int64_t id;
    enum sm_err err;

    if (!parse_id(r, r->params[0], &id))
        return;
    err = store_delivery_json(r->app->store, id, r->app->cfg.tz_min, &out);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "no delivery %lld", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    api_reply_json(r, 200, out);
}

/* dead -> pending now; the retry and its audit row in one transaction */
static void
delivery_retry(struct api_req *r)
{
    struct store *s = r->app->store;
    int64_t now = clock_now(&r->app->clock), id;
    char object[48];
    json_t *out = NULL;
    enum sm_err err;

    if (!parse_id(r, r->params[0], &id))
        return;
    snprintf(object, sizeof(object), "delivery:%lld", (long long)id);
    err = store_begin(s);
    if (!err)
        err = store_delivery_retry(s, id, now);
    if (!err) {
        struct audit_entry e = { now, api_actor(r), api_role(r), "delivery.retry", object, "ok", "" };
        err = store_audit_append(s, &e);
    }
    if (!err)
        err = store_commit(s);
    else
        store_rollback(s);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "no delivery %lld", (long long)id);
        return;
    }
    if (err == SM_ERR_CONFLICT) {
        api_reply_error(r, 409, "not_dead", "delivery %lld is not a dead letter", (long long)id);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    dispatch_kick(r->app);
    err = store_delivery_json(s, id, r->app->cfg.tz_min, &out);
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    api_reply_json(r, 200, out);
}

static bool
check_uscc(struct api_req *r)
{
    if (!contact_uscc_shape_ok(r->params[0])) {
        api_reply_error(r, 422, "bad_uscc", "\"%.40s\" is not an 18-character credit code",
                        r->params[0]);
        return false;
    }
    return true;
}

static void
contacts_get(struct api_req *r)
{
    struct contact_rec c;
    enum sm_err err;

    if (!check_uscc(r))
        return;
    err = store_contact_get(r->app->store, r->params[0], &c);
    if (err == SM_ERR_NOTFOUND) {
        api_reply_error(r, 404, "not_found", "no contacts for %s", r->params[0]);
        return;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    api_reply_json(r, 200, contact_to_json(&c, r->app->cfg.tz_min));
    contact_rec_release(&c);
}

static void
contacts_put(struct api_req *r)
{
    struct store *s = r->app->store;
    int64_t now = clock_now(&r->app->clock);
    struct sm_diag diag = { 0 };
    struct contact_rec c;
    json_t *body;
    char object[48];
    enum sm_err err;

    if (!check_uscc(r) || !(body = api_body_json(r)))
        return;
    err = contact_from_json(body, r->params[0], now, &c, &diag);
    json_decref(body);
    if (err) {
        api_reply_err(r, err, &diag);
        return;
    }
    snprintf(object, sizeof(object), "enterprise:%s", c.uscc);
    err = store_begin(s);
    if (!err)
        err = store_contact_put(s, &c);
    if (!err) {
        struct audit_entry e = { now, api_actor(r), api_role(r), "contacts.put", object, "ok", "" };
        err = store_audit_append(s, &e);
    }
    if (!err)
        err = store_commit(s);
    else
        store_rollback(s);
    if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, contact_to_json(&c, r->app->cfg.tz_min));
    contact_rec_release(&c);
}

const struct route api_routes_deliveries[] = {
    { HTTP_GET, "/v1/deliveries", ROLE_OFFICER | ROLE_ADMIN, deliveries_list },
    { HTTP_GET, "/v1/deliveries/{}", ROLE_OFFICER | ROLE_ADMIN, delivery_get },
    { HTTP_POST, "/v1/deliveries/{}/retry", ROLE_OFFICER | ROLE_ADMIN, delivery_retry },
    { HTTP_GET, "/v1/enterprises/{}/contacts", ROLE_OFFICER | ROLE_ADMIN, contacts_get, 0, 1 },
    { HTTP_PUT, "/v1/enterprises/{}/contacts", ROLE_OFFICER | ROLE_ADMIN, contacts_put },
};
const int api_routes_deliveries_count = SM_ARRAY_LEN(api_routes_deliveries);
