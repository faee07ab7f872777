/* Replies and request helpers shared by every handler: one JSON error
 * shape, one sm_err -> status table. */
#include "api/api_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "app/app.h"
#include "base/log.h"
#include "base/xalloc.h"

#define LOG_MODULE "http"

int
api_status_for(enum sm_err err)
{
    switch (err) {
    case SM_OK: return 200;
    case SM_ERR_PARSE: return 400;
    case SM_ERR_INVAL: return 422;
    case SM_ERR_RULE: return 422;
    case SM_ERR_NOTFOUND: return 404;
    case SM_ERR_CONFLICT: return 409;
    case SM_ERR_FORBIDDEN: return 403;
    case SM_ERR_LIMIT: return 413;
    case SM_ERR_BUSY: return 503;
    case SM_ERR_IO: return 503;
    default: return 500;
    }
}

static const char *
default_code(int status)
{
    switch (status) {
    case 400: return "malformed";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 413: return "body_too_large";
    case 422: return "invalid";
    case 503: return "unavailable";
    default: return "internal";
    }
}

static bool
reply_begin(struct api_req *r, const char *content_type)
{
    if (r->replied) {
        log_err("second reply to %s ignored", r->path);
        return false;
    }
    httpd_reply_header(r->req, "Content-Type", content_type);
    httpd_reply_header(r->req, "Cache-Control", "no-store");
    return true;
}

static void
reply_end(struct api_req *r, int status, const char *body, size_t len, enum httpd_body how)
{
    if (status == 503)
        httpd_reply_header(r->req, "Retry-After", "1");
    httpd_reply(r->req, status, body, len, how);
    r->req = NULL; /* handed over: the connection may be gone */
    r->status = status;
    r->replied = true;
}

void
api_reply_raw(struct api_req *r, int status, const char *content_type,
              const char *data, size_t len)
{
    if (reply_begin(r, content_type))
        reply_end(r, status, data, len, HTTPD_BODY_COPY);
}

void
api_reply_json_text(struct api_req *r, int status, char *text_take)
{
    if (!reply_begin(r, "application/json; charset=utf-8")) {
        free(text_take);
        return;
    }
    /* handed to the connection as it is; freed once written */
    reply_end(r, status, text_take, strlen(text_take), HTTPD_BODY_TAKE);
}

void
api_reply_json(struct api_req *r, int status, json_t *body_take)
{
    char *text = json_dumps(body_take, JSON_COMPACT);

    json_decref(body_take);
    if (!text) {
        api_reply_raw(r, 500, "application/json",
                      "{\"error\":{\"code\":\"internal\",\"message\":\"cannot encode reply\"}}", 61);
        return;
    }
    api_reply_json_text(r, status, text);
}

void
api_reply_error(struct api_req *r, int status, const char *code,
                const char *fmt, ...)
{
    char msg[640];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    api_reply_json(r, status,
                   json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

void
api_reply_err(struct api_req *r, enum sm_err err, const struct sm_diag *diag)
{
    int status = api_status_for(err);
    json_t *e;

    if (!diag || !diag->text[0]) {
        api_reply_error(r, status, default_code(status), "%s", sm_strerror(err));
        return;
    }
    e = json_pack("{s:s,s:s}", "code", diag->code[0] ? diag->code : default_code(status),
                  "message", diag->text);
    if (diag->line > 0)
        json_object_set_new(e, "line", json_integer(diag->line));
    if (diag->column > 0)
        json_object_set_new(e, "column", json_integer(diag->column));
    api_reply_json(r, status, json_pack("{s:o}", "error", e));
}

json_t *
api_body_json(struct api_req *r)
{
    json_error_t jerr;
    json_t *root;

    if (r->body_len == 0) {
        api_reply_error(r, 400, "empty_body", "the request needs a JSON body");
        return NULL;
    }
    root = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        api_reply_json(r, 400, json_pack("{s:{s:s,s:s,s:i,s:i}}", "error", "code", "malformed_json",
                                         "message", jerr.text, "line", jerr.line,
                                         "column", jerr.column));
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        api_reply_error(r, 400, "malformed_json", "the body must be a JSON object");
        return NULL;
    }
    return root;
}

const char *
api_query(struct api_req *r, const char *name)
{
    return r->has_query ? evhttp_find_header(&r->query, name) : NULL;
}

const char *
api_header(struct api_req *r, const char *name)
{
    return r->req ? httpd_req_header(r->req, name) : NULL;
}

const char *
api_actor(const struct api_req *r)
{
    if (!r->authed)
        return "anonymous";
    return r->who.name[0] ? r->who.name : (r->who.enterprise[0] ? r->who.enterprise : "token");
}

const char *
api_role(const struct api_req *r)
{
    return r->authed ? role_name(r->who.role) : "none";
}

void
api_audit(struct api_req *r, const char *action, const char *object,
          const char *result, const char *detail)
{
    struct audit_entry e = {
        .at_ms = clock_now(&r->app->clock),
        .actor = api_actor(r),
        .role = api_role(r),
        .action = action,
        .object = object,
        .result = result,
        .detail = detail,
    };

    if (store_audit_record(r->app->store, &e) != SM_OK)
        log_err("cannot write audit row for %s %s", action, object);
}

/* Parses a positive integer path parameter; replies 404 and returns 0 when
 * it is not one. */
int64_t
api_param_id(struct api_req *r, int i)
{
    char *end = NULL;
    long long v = i < r->nparams ? strtoll(r->params[i], &end, 10) : 0;

    if (v <= 0 || !end || *end) {
        api_reply_error(r, 404, "not_found", "'%s' is not an id", i < r->nparams ? r->params[i] : "");
        return 0;
    }
    return v;
}

/* limit/offset query parameters with bounds; replies 422 and returns false
 * when malformed. */
bool
api_paging(struct api_req *r, int *limit, int *offset)
{
    const char *l = api_query(r, "limit"), *o = api_query(r, "offset");
    char *end;

    *limit = 100;
    *offset = 0;
    if (l) {
        long v = strtol(l, &end, 10);
        if (*end || v < 1 || v > 10000) {
            api_reply_error(r, 422, "bad_limit", "limit must be 1..10000");
            return false;
        }
        *limit = (int)v;
    }
    if (o) {
        long v = strtol(o, &end, 10);
        if (*end || v < 0 || v > 100000000) {
            api_reply_error(r, 422, "bad_offset", "offset must be a non-negative number");
            return false;
        }
        *offset = (int)v;
    }
    return true;
}
