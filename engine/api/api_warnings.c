/* Municipal warnings, escalations and episodes over HTTP. */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/crypto.h"
#include "ops/ops.h"
#include "store/store_views.h"

static struct ops_actor
actor_of(struct api_req *r)
{
    struct ops_actor a = { api_actor(r), api_role(r),
                           r->who.enterprise[0] ? r->who.enterprise : NULL };
    return a;
}

static void
post_warning(struct api_req *r)
{
    struct ops_actor who = actor_of(r);
    struct sm_diag d = { 0 };
    json_t *reply = NULL;
    enum sm_err err;

    if (r->body_len == 0) {
        api_reply_error(r, 400, "empty_body", "send the warning as CAP 1.2 XML or JSON");
        return;
    }
    err = ops_apply_warning(r->app, &who, api_header(r, "Content-Type"), r->body, r->body_len,
                            &reply, &d);
    if (err) {
        if (strcmp(d.code, "unsupported_media_type") == 0) {
            api_reply_error(r, 415, d.code, "%s", d.text);
            return;
        }
        api_reply_err(r, err, &d);
        return;
    }
    api_reply_json(r, 200, reply);
}

static void
list_warnings(struct api_req *r)
{
    int limit, offset;
    json_t *out = NULL;
    enum sm_err err;

    if (!api_paging(r, &limit, &offset))
        return;
    err = store_warnings_json(r->app->store, limit, offset, r->app->cfg.tz_min, &out);
    if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

static void
get_warning(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    json_t *out = NULL;
    enum sm_err err;

    if (!id)
        return;
    err = store_warning_json(r->app->store, id, r->app->cfg.tz_min, &out);
    if (err == SM_ERR_NOTFOUND)
        api_reply_error(r, 404, "not_found", "there is no warning %lld", (long long)id);
    else if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

static void
post_escalation(struct api_req *r)
{
    json_t *body = api_body_json(r);
    struct ops_actor who = actor_of(r);
    struct sm_diag d = { 0 };
    const char *level_s = NULL, *reason = NULL;
    json_error_t je;
    enum level level;
    json_t *status = NULL;
    enum sm_err err;

    if (!body)
        return;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s,s?s}", "level", &level_s, "reason", &reason)) {
        api_reply_error(r, 422, "invalid", "escalation: %s (expected {\"level\", \"reason\"})", je.text);
        json_decref(body);
        return;
    }
    if (!level_parse(level_s, &level)) {
        api_reply_error(r, 422, "bad_level", "level '%s' is not none, yellow, orange or red", level_s);
        json_decref(body);
        return;
    }
    err = ops_escalate(r->app, &who, level, reason, &d);
    json_decref(body);
    if (!err)
        err = ops_status(r->app, &status);
    if (err)
        api_reply_err(r, err, &d);
    else
        api_reply_json(r, 200, status);
}

static void
get_episode(struct api_req *r)
{
    int64_t id = api_param_id(r, 0);
    json_t *out = NULL;
    enum sm_err err;

    if (!id)
        return;
    bool reading = store_read_begin(r->app->store);
    err = store_episode_json(r->app->store, id, clock_now(&r->app->clock), r->app->cfg.tz_min, &out);
    if (!err) {
        /* reductions promised and achieved, compliance by town, industry, grade */
        err = ops_episode_figures(r->app, id, out);
        if (err) {
            json_decref(out);
            out = NULL;
        }
    }
    store_read_end(r->app->store, reading);
    if (err == SM_ERR_NOTFOUND)
        api_reply_error(r, 404, "not_found", "there is no episode %lld", (long long)id);
    else if (err)
        api_reply_err(r, err, NULL);
    else
        api_reply_json(r, 200, out);
}

const struct route api_routes_warnings[] = {
    { HTTP_POST, "/v1/warnings", ROLE_ISSUER | ROLE_OFFICER, post_warning },
    { HTTP_GET, "/v1/warnings", ROLE_OFFICER, list_warnings, 0, 1 },
    { HTTP_GET, "/v1/warnings/{}", ROLE_OFFICER, get_warning, 0, 1 },
    { HTTP_POST, "/v1/escalations", ROLE_OFFICER, post_escalation },
    { HTTP_GET, "/v1/episodes/{}", ROLE_OFFICER, get_episode },
};
const int api_routes_warnings_count = SM_ARRAY_LEN(api_routes_warnings);
