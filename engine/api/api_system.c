/* Probes and the overall status: /healthz, /metrics, /v1/status. */
#include "api/api_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>


#include "api/metrics.h"
#include "app/app.h"
#include "base/buf.h"

static void
healthz(struct api_req *r)
{
    if (store_ping(r->app->store) != SM_OK) {
        api_reply_json(r, 503, json_pack("{s:b,s:s}", "ok", 0, "error", "database does not answer"));
        return;
    }
    api_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static bool
from_loopback(struct api_req *r)
{
    const struct sockaddr *sa = r->req ? httpd_req_peer(r->req) : NULL;

    if (!sa)
        return false;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
    return false;
}

static void
metrics(struct api_req *r)
{
    struct buf b;

    if (!from_loopback(r)) {
        api_reply_error(r, 403, "forbidden", "metrics are served on loopback only");
        return;
    }
    buf_init(&b, 0);
    api_metrics_render(r->app->api, r->app, &b);
    api_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len);
    buf_release(&b);
}

const struct route api_routes_system[] = {
    { HTTP_GET, "/healthz", 0, healthz, 0, 1 },
    { HTTP_GET, "/metrics", 0, metrics, 0, 1 },
    /* counts the acks in the log without folding it (store_order_counts),
     * a slice per loop turn (api_status.c) */
    { HTTP_GET, "/v1/status", ROLE_OFFICER | ROLE_ADMIN, api_status_get, 0, 1 },
};
const int api_routes_system_count = SM_ARRAY_LEN(api_routes_system);
