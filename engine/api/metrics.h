#ifndef SM_API_METRICS_H
#define SM_API_METRICS_H

#include <stdint.h>

#include "api/httpd.h"

#include "base/buf.h"

struct api;
struct app;

#define METRICS_BUCKETS 12

struct metrics_count {
    int route_index; /* -1: no route matched */
    int status;
    uint64_t count;
};

/* Request counters by route and status, and one latency histogram. */
struct api_metrics {
    struct metrics_count *counts;
    int ncounts, cap;
    uint64_t buckets[METRICS_BUCKETS]; /* cumulative at render time */
    uint64_t latency_count;
    double latency_sum_s;
    uint64_t accept_errors;
};

/* borrowed */
struct api_metrics *api_metrics_of(struct api *api);
/* the connection layer's counts (api/httpd.h) */
void api_http_stats(struct api *api, struct httpd_stats *out);
void api_metrics_observe(struct api *api, int route_index, int status,
                         int64_t dur_us);
void api_metrics_release(struct api_metrics *m);
/* Appends the Prometheus text exposition to out. */
void api_metrics_render(struct api *api, struct app *app, struct buf *out);

/* A section another module adds to /metrics (delivery queue, stations...). */
typedef void metrics_section_fn(struct app *app, struct buf *out);
void api_metrics_add_section(metrics_section_fn *fn);

#endif
