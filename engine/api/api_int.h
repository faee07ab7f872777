#ifndef SM_API_API_INT_H
#define SM_API_API_INT_H

/* Inside the api module: the request context, routes and reply helpers.
 * A handler sends exactly one reply on every path. */
#include <stdbool.h>
#include <stdint.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "api/api.h"
#include "api/httpd.h"
#include "base/compat.h"
#include "store/store.h"

#define API_MAX_PARAMS 4

struct api_req;
typedef void api_handler_fn(struct api_req *r);

struct route {
    int method;            /* HTTP_GET ... */
    const char *pattern;   /* "/v1/orders/{}/ack": {} matches one segment */
    unsigned roles;        /* enum role mask; 0 = anyone, no token needed */
    api_handler_fn *handler;
    int big_body;          /* 1: bodies up to max_list_bytes (list uploads) */
    int keeps_ack_log;     /* 1: served without folding the ack log into the orders
                            * first (acknowledgements themselves, probes, and reads
                            * of nothing an acknowledgement changes: warnings,
                            * lists, readings, proposals, contacts, the console) */
};

struct api_req {
    struct httpd_req *req; /* NULL once replied */
    struct app *app;
    const struct route *route;
    int route_index;
    const char *path;      /* decoded path, no query */
    struct evkeyvalq query;
    bool has_query;
    char *params[API_MAX_PARAMS];
    int nparams;
    bool authed;
    struct principal who;
    const char *body;      /* the request body, NUL-terminated; borrowed from the
                            * connection until the reply */
    size_t body_len;
    int status;            /* set by the reply helpers */
    bool replied;
    bool deferred;         /* moved to the heap by api_req_defer */
    int method;
    int64_t start_us;
};

/* ---- replies (each sends the one reply of the request) ---- */
void api_reply_json(struct api_req *r, int status, json_t *body_take);
void api_reply_error(struct api_req *r, int status, const char *code,
                     const char *fmt, ...) SM_PRINTF(4, 5);
/* 400/413/422/404/409/403/503 from an sm_err plus its diag */
void api_reply_err(struct api_req *r, enum sm_err err,
                   const struct sm_diag *diag);
void api_reply_raw(struct api_req *r, int status, const char *content_type,
                   const char *data, size_t len);
/* Sends JSON text (new, taken: freed here) as the body, without copying it. */
void api_reply_json_text(struct api_req *r, int status, char *text_take);
int api_status_for(enum sm_err err);

/* ---- request helpers ---- */
/* Parses the body as a JSON object; on failure replies 400 and returns NULL. */
json_t *api_body_json(struct api_req *r);
/* borrowed: a query parameter, or NULL */
const char *api_query(struct api_req *r, const char *name);
/* borrowed: a request header, or NULL */
const char *api_header(struct api_req *r, const char *name);
/* "officer:NAME" style actor name for audit rows */
const char *api_actor(const struct api_req *r);
const char *api_role(const struct api_req *r);
/* Writes an audit row in its own transaction (denials, reads that matter). */
void api_audit(struct api_req *r, const char *action, const char *object,
               const char *result, const char *detail);

/* A positive id from path parameter i; replies 404 and returns 0 if not. */
int64_t api_param_id(struct api_req *r, int i);
/* ?limit=&offset= with bounds; replies 422 and returns false if bad. */
bool api_paging(struct api_req *r, int *limit, int *offset);

/* ---- replies that wait (group commit) ---- */
/* new: moves a request past its handler. The handler returns without
 * replying; the copy owns the request's memory (query parameters are
 * dropped). Reply on the copy later, then call api_req_finish on it. */
struct api_req *api_req_defer(struct api_req *r);
/* Logs and counts a deferred request that has replied, then frees it. */
void api_req_finish(struct api_req *r);
/* borrowed: the acknowledgement batcher of the running server */
struct ack_batch *api_ack_batch(struct api *api);

/* ---- GET /v1/status, counted across turns (api_status.c) ---- */
struct status_job;
void api_status_get(struct api_req *r);
/* borrowed: the api's list of status requests being counted */
struct status_job **api_status_jobs(struct api *api);
/* Counts what is left of each at once and answers them (at stop). */
void api_status_jobs_end(struct status_job **head);

/* ---- route tables, one per area ---- */
extern const struct route api_routes_system[];
extern const int api_routes_system_count;
extern const struct route api_routes_warnings[];
extern const int api_routes_warnings_count;
extern const struct route api_routes_orders[];
extern const int api_routes_orders_count;
extern const struct route api_routes_lists[];
extern const int api_routes_lists_count;
extern const struct route api_routes_deliveries[];
extern const int api_routes_deliveries_count;
extern const struct route api_routes_compliance[];
extern const int api_routes_compliance_count;
extern const struct route api_routes_readings[];
extern const int api_routes_readings_count;
extern const struct route api_routes_console[];
extern const int api_routes_console_count;
extern const struct route api_routes_reports[];
extern const int api_routes_reports_count;
extern const struct route api_routes_cityreports[];
extern const int api_routes_cityreports_count;

#endif
