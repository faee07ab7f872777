/* The HTTP server: listener, limits, routing, authentication, one log line
 * and metrics per request. Business rules live in ops/, not here. */
#include "api/api_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "api/metrics.h"
#include "api/routes.h"
#include "api/token_cache.h"
#include "app/app.h"
#include "base/buf.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "clock/clock.h"
#include "ops/ack_batch.h"
#include "ops/ops_readings.h"

#define LOG_MODULE "http"
#define API_LISTEN_BACKLOG 4096

struct api {
    struct app *app;
    struct httpd *httpd;
    struct evconnlistener *listener;
    struct event *reenable;
    struct event *log_flush; /* writes the held request log lines */
    struct api_metrics metrics;
    struct ack_batch *acks;
    struct token_cache *tokens; /* bearer tokens seen (api/token_cache.h) */
    struct status_job *status_jobs; /* GET /v1/status being counted (api_status.c) */
    int64_t last_accept_log_ms;
};

/* The current turn of the event loop: libevent reads the clock once per
 * turn and hands that time to every callback of the turn. */
static uint64_t
loop_turn(struct app *app)
{
    struct timeval tv;

    if (event_base_gettimeofday_cached(app->base, &tv) != 0)
        return 0;
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec + 1;
}

/* Authenticates the bearer token against the route's roles. Replies and
 * returns false when the request must stop here. */
static bool
authorize(struct api_req *r)
{
    const char *h = api_header(r, "Authorization");
    enum sm_err err;

    if (r->route->roles == 0)
        return true;
    if (!h || strncmp(h, "Bearer ", 7) != 0 || !h[7]) {
        api_audit(r, "auth.denied", r->path, "missing_token", "");
        api_reply_error(r, 401, "unauthorized",
                        "this request needs an Authorization: Bearer token");
        return false;
    }
    err = token_cache_lookup(r->app->api->tokens, r->app->store, loop_turn(r->app), h + 7,
                             &r->who);
    if (err == SM_ERR_NOTFOUND) {
        api_audit(r, "auth.denied", r->path, "unknown_token", "");
        api_reply_error(r, 401, "unauthorized",
                        "the token is unknown or has been revoked");
        return false;
    }
    if (err) {
        api_reply_err(r, err, NULL);
        return false;
    }
    r->authed = true;
    if (!(r->route->roles & (unsigned)r->who.role)) {
        api_audit(r, "auth.denied", r->path, "wrong_role", "");
        api_reply_error(r, 403, "forbidden",
                        "a %s token may not use %s %s", role_name(r->who.role),
                        http_method_name(r->route->method), r->route->pattern);
        return false;
    }
    return true;
}

static void
req_release(struct api_req *r)
{
    for (int i = 0; i < r->nparams; i++)
        free(r->params[i]);
    if (r->has_query)
        evhttp_clear_headers(&r->query);
    free((char *)r->path);
}

/* one log line and the metrics of a request that has replied */
static void
req_done(struct api *api, const struct api_req *r)
{
    int64_t dur = clock_mono_us() - r->start_us;

    api_metrics_observe(api, r->route_index, r->status, dur);
    /* integer microseconds: printf's %f costs more than the rest of the line */
    if (dur < 0)
        dur = 0;
    /* written by hand, not by printf: one line per request of a flood */
    char line[1024], num[24];
    size_t n = 0;
    const char *actor = r->authed ? api_actor(r) : "-";
    const char *method = http_method_name(r->method);
    char frac[7] = { '.', (char)('0' + dur % 1000 / 100), (char)('0' + dur % 100 / 10),
                     (char)('0' + dur % 10), 'm', 's', ' ' };

    buf_put_cut(line, sizeof(line), &n, method, strlen(method));
    buf_put_cut(line, sizeof(line), &n, " ", 1);
    buf_put_cut(line, sizeof(line), &n, r->path, strlen(r->path));
    buf_put_cut(line, sizeof(line), &n, " ", 1);
    buf_put_cut(line, sizeof(line), &n, num, jsonw_fmt_int(num, r->status));
    buf_put_cut(line, sizeof(line), &n, " ", 1);
    buf_put_cut(line, sizeof(line), &n, num, jsonw_fmt_int(num, dur / 1000));
    buf_put_cut(line, sizeof(line), &n, frac, sizeof(frac));
    buf_put_cut(line, sizeof(line), &n, actor, strlen(actor));
    sm_log_held_text(LOG_INFO, LOG_MODULE, line, n);
}

/* the path and query of an origin-form ("/a?b") or absolute-form
 * ("http://host/a?b") request target; false when it is neither */
static bool
split_target(const char *target, const char **path, size_t *path_len, const char **query)
{
    if (target[0] != '/') {
        const char *scheme_end = strstr(target, "://");
        if (!scheme_end)
            return false;
        target = strchr(scheme_end + 3, '/');
        if (!target)
            target = "/";
    }
    const char *q = strchr(target, '?');
    const char *hash = strchr(target, '#');
    size_t len = q ? (size_t)(q - target) : hash ? (size_t)(hash - target) : strlen(target);
    *path = target;
    *path_len = len;
    *query = q ? q + 1 : NULL;
    return true;
}

static char *
decode_path(const char *path, size_t len)
{
    /* most paths have nothing to decode ('+' stays '+' in a path) */
    if (!memchr(path, '%', len))
        return xstrndup(path, len);
    char *raw = xstrndup(path, len);
    char *dec = evhttp_uridecode(raw, 0, NULL);
    free(raw);
    return dec;
}

static void
handle(struct httpd_req *req, void *arg)
{
    struct api *api = arg;
    struct api_req r;
    const char *raw_path = NULL, *raw_query = NULL;
    size_t path_len = 0, in_len = 0, declared = 0, limit = 0;
    int method = httpd_req_method(req);
    bool path_known = false, target_ok;

    memset(&r, 0, sizeof(r));
    r.req = req;
    r.app = api->app;
    r.route_index = -1;
    r.method = method;
    r.start_us = clock_mono_us();
    target_ok = split_target(httpd_req_target(req), &raw_path, &path_len, &raw_query);
    r.path = target_ok ? decode_path(raw_path, path_len) : NULL;
    if (!r.path)
        r.path = xstrdup("/");
    bool bad_query = false;
    if (raw_query) {
        if (evhttp_parse_query_str(raw_query, &r.query) == 0)
            r.has_query = true;
        else
            bad_query = true; /* answered below, once the route is known for the log */
    }
    /* HEAD is GET without the body (the connection layer leaves it out) */
    r.route = routes_match(method == HTTP_HEAD ? HTTP_GET : method, r.path, &r, &r.route_index,
                           &path_known);
    r.body = httpd_req_body(req, &in_len);
    r.body_len = in_len;
    if (httpd_req_body_too_large(req, &declared, &limit)) {
        if (declared)
            api_reply_error(&r, 413, "body_too_large",
                            "the request body has %zu bytes; the limit is %zu", declared, limit);
        else
            api_reply_error(&r, 413, "body_too_large",
                            "the request body passes the limit of %zu bytes", limit);
        goto done;
    }
    if (!target_ok) {
        api_reply_error(&r, 400, "bad_target", "the request target is not a path");
        goto done;
    }
    if (bad_query) {
        /* ignoring it would answer as if no filter or page had been asked for */
        api_reply_error(&r, 400, "malformed_query",
                        "the query string is not name=value pairs joined by '&'");
        goto done;
    }
    if (!r.route) {
        if (path_known)
            api_reply_error(&r, 405, "method_not_allowed",
                            "%s is not allowed on %s", http_method_name(method), r.path);
        else
            api_reply_error(&r, 404, "not_found", "there is no resource at %s", r.path);
        goto done;
    }
    if (authorize(&r)) {
        /* whatever else reads or writes orders sees the acks appended to
         * the ack log in them (a fold only when there are some; a failure
         * is logged and the request served from the orders as they are) */
        if (!r.route->keeps_ack_log && api->acks)
            (void)ack_batch_fold(api->acks);
        r.route->handler(&r);
    }
    if (r.deferred)
        return; /* api_req_finish completes it */
    if (!r.replied) {
        log_err("handler for %s did not reply", r.route->pattern);
        api_reply_error(&r, 500, "internal", "the server could not complete the request");
    }
done:
    req_done(api, &r);
    req_release(&r);
}

/* Bodies up to max_list_bytes go only to the routes that take lists. */
static bool
allows_big_body(int method, const char *target, size_t target_len, void *arg)
{
    const char *path, *query;
    size_t path_len;
    struct api_req probe;
    bool known, big = false;
    int index;
    char *t = xstrndup(target, target_len), *p;

    (void)arg;
    if (split_target(t, &path, &path_len, &query) && (p = decode_path(path, path_len)) != NULL) {
        memset(&probe, 0, sizeof(probe));
        const struct route *rt = routes_match(method, p, &probe, &index, &known);
        big = rt && rt->big_body;
        for (int i = 0; i < probe.nparams; i++)
            free(probe.params[i]);
        free(p);
    }
    free(t);
    return big;
}

struct api_req *
api_req_defer(struct api_req *r)
{
    struct api_req *h = xmalloc(sizeof(*h));

    /* the query list head cannot be moved (its entries point back at it) */
    if (r->has_query) {
        evhttp_clear_headers(&r->query);
        r->has_query = false;
    }
    *h = *r;
    memset(&h->query, 0, sizeof(h->query));
    r->deferred = true;
    return h;
}

void
api_req_finish(struct api_req *r)
{
    if (!r->replied) {
        log_err("deferred handler for %s did not reply", r->route->pattern);
        api_reply_error(r, 500, "internal", "the server could not complete the request");
    }
    req_done(r->app->api, r);
    req_release(r);
    free(r);
}

struct ack_batch *
api_ack_batch(struct api *api)
{
    return api->acks;
}

struct status_job **
api_status_jobs(struct api *api)
{
    return &api->status_jobs;
}

static void
log_flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    sm_log_flush();
}

static void
reenable_cb(evutil_socket_t fd, short what, void *arg)
{
    struct api *api = arg;

    (void)fd;
    (void)what;
    evconnlistener_enable(api->listener);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
          void *arg)
{
    struct api *api = arg;

    (void)l;
    httpd_accept(api->httpd, fd, sa, (socklen_t)salen);
}

/* EMFILE/ENFILE: stop accepting for a moment instead of spinning and
 * flooding the log; keep serving the connections already open. */
static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
    struct api *api = arg;
    int e = EVUTIL_SOCKET_ERROR();
    int64_t now = clock_mono_ms();
    struct timeval tv = { 0, 100000 };

    api->metrics.accept_errors++;
    if (now - api->last_accept_log_ms > 10000) {
        log_warn("accept failed: %s; pausing accepts (logged at most every 10 s)",
                 evutil_socket_error_to_string(e));
        api->last_accept_log_ms = now;
    }
    evconnlistener_disable(l);
    event_add(api->reenable, &tv);
}

static bool
parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(addr, ':');
    long port;
    char *end;

    if (!colon || (size_t)(colon - addr) >= sizeof(host))
        return false;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return false;
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[') {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        size_t hl = strlen(host);
        if (hl < 2 || host[hl - 1] != ']')
            return false;
        host[hl - 1] = '\0';
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*s6);
        return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len = sizeof(*s4);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

enum sm_err
api_start(struct app *app, const char *addr, struct api **out, char *bound_out,
          struct sm_diag *diag)
{
    struct api *api = xcalloc(1, sizeof(*api));
    struct sockaddr_storage ss;
    socklen_t sl = 0;

    *out = NULL;
    api->app = app;
    api_metrics_add_section(ops_readings_metrics);
    if (!parse_addr(addr, &ss, &sl)) {
        sm_diag_set(diag, "bad_listen", "cannot parse listen address '%s' (HOST:PORT)", addr);
        free(api);
        return SM_ERR_INVAL;
    }
    api->listener = evconnlistener_new_bind(
        app->base, accept_cb, api,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        API_LISTEN_BACKLOG, (struct sockaddr *)&ss, (int)sl);
    if (!api->listener) {
        sm_diag_set(diag, "listen_failed", "cannot listen on %s: %s", addr,
                    strerror(errno));
        free(api);
        return SM_ERR_IO;
    }
    evconnlistener_set_error_cb(api->listener, accept_error_cb);
    api->reenable = evtimer_new(app->base, reenable_cb, api);
    /* request lines are held (sm_log_held) and written at most 100 ms late */
    api->log_flush = event_new(app->base, -1, EV_PERSIST, log_flush_cb, NULL);
    const struct timeval flush_every = { 0, 100 * 1000 };
    event_add(api->log_flush, &flush_every);
    api->acks = ack_batch_new(app);
    api->tokens = token_cache_new();
    /* loaded before the first request rather than during it; a failure
     * here is retried by the first look-up */
    if (token_cache_load(api->tokens, app->store) != SM_OK)
        log_warn("cannot load the tokens now: %s", store_errmsg(app->store));
    const struct httpd_config hc = {
        .max_head = (size_t)app->cfg.max_header_bytes,
        .max_body = (size_t)app->cfg.max_body_bytes,
        .max_big_body = (size_t)(app->cfg.max_list_bytes > app->cfg.max_body_bytes
                                     ? app->cfg.max_list_bytes
                                     : app->cfg.max_body_bytes),
        .timeout_s = app->cfg.request_timeout_s,
        .handler = handle,
        .allows_big = allows_big_body,
        .arg = api,
    };
    api->httpd = httpd_new(app->base, &hc);
    /* report the real address (port 0 picks a free one) */
    struct sockaddr_storage got;
    socklen_t gl = sizeof(got);
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getsockname(evconnlistener_get_fd(api->listener), (struct sockaddr *)&got, &gl) == 0) {
        if (got.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&got;
            inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
            port = ntohs(s6->sin6_port);
            snprintf(bound_out, 64, "[%s]:%d", host, port);
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&got;
            inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
            port = ntohs(s4->sin_port);
            snprintf(bound_out, 64, "%s:%d", host, port);
        }
    }
    *out = api;
    return SM_OK;
}

void
api_free(struct api *api)
{
    if (!api)
        return;
    /* answers what is still queued while the connections exist */
    ack_batch_free(api->acks);
    api->acks = NULL;
    api_status_jobs_end(&api->status_jobs);
    if (api->listener)
        evconnlistener_free(api->listener);
    httpd_free(api->httpd);
    if (api->reenable)
        event_free(api->reenable);
    if (api->log_flush)
        event_free(api->log_flush);
    sm_log_flush();
    token_cache_free(api->tokens);
    api_metrics_release(&api->metrics);
    free(api);
}

struct api_metrics *
api_metrics_of(struct api *api)
{
    return &api->metrics;
}

void
api_http_stats(struct api *api, struct httpd_stats *out)
{
    httpd_stats(api->httpd, out);
}
