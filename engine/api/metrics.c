/* Prometheus text exposition of request counts, latency and database
 * health, plus sections contributed by other modules. */
#include "api/metrics.h"

#include <stdlib.h>

#include "api/api_int.h"
#include "api/routes.h"
#include "app/app.h"
#include "base/xalloc.h"
#include "ops/ack_batch.h"
#include "store/store.h"

static const double bucket_le[METRICS_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};

#define METRICS_MAX_SECTIONS 16
static metrics_section_fn *sections[METRICS_MAX_SECTIONS];
static int nsections;

void
api_metrics_add_section(metrics_section_fn *fn)
{
    for (int i = 0; i < nsections; i++)
        if (sections[i] == fn)
            return;
    if (nsections < METRICS_MAX_SECTIONS)
        sections[nsections++] = fn;
}

void
api_metrics_observe(struct api *api, int route_index, int status, int64_t dur_us)
{
    struct api_metrics *m = api_metrics_of(api);
    double s = (double)dur_us / 1e6;
    int i;

    for (i = 0; i < m->ncounts; i++)
        if (m->counts[i].route_index == route_index && m->counts[i].status == status)
            break;
    if (i == m->ncounts) {
        if (m->ncounts == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 32;
            m->counts = xrealloc(m->counts, (size_t)m->cap * sizeof(*m->counts));
        }
        m->counts[i].route_index = route_index;
        m->counts[i].status = status;
        m->counts[i].count = 0;
        m->ncounts++;
    }
    m->counts[i].count++;
    for (int b = 0; b < METRICS_BUCKETS; b++)
        if (s <= bucket_le[b]) {
            m->buckets[b]++;
            break;
        }
    m->latency_count++;
    m->latency_sum_s += s;
}

void
api_metrics_release(struct api_metrics *m)
{
    free(m->counts);
    m->counts = NULL;
    m->ncounts = m->cap = 0;
}

static const char *
method_label(int method)
{
    return http_method_name(method);
}

void
api_metrics_render(struct api *api, struct app *app, struct buf *out)
{
    struct api_metrics *m = api_metrics_of(api);
    uint64_t cum = 0;
    bool ok = true;

    ok &= buf_addstr(out, "# HELP smogd_http_requests_total HTTP requests by route and status.\n"
                          "# TYPE smogd_http_requests_total counter\n");
    for (int i = 0; i < m->ncounts; i++) {
        const struct route *rt = m->counts[i].route_index >= 0 ? routes_at(m->counts[i].route_index) : NULL;
        ok &= buf_printf(out, "smogd_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                         rt ? method_label(rt->method) : "any", rt ? rt->pattern : "unmatched",
                         m->counts[i].status, (unsigned long long)m->counts[i].count);
    }
    ok &= buf_addstr(out, "# HELP smogd_http_request_duration_seconds Time from request read to reply.\n"
                          "# TYPE smogd_http_request_duration_seconds histogram\n");
    for (int b = 0; b < METRICS_BUCKETS; b++) {
        cum += m->buckets[b];
        ok &= buf_printf(out, "smogd_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                         bucket_le[b], (unsigned long long)cum);
    }
    ok &= buf_printf(out, "smogd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                          "smogd_http_request_duration_seconds_sum %.6f\n"
                          "smogd_http_request_duration_seconds_count %llu\n",
                     (unsigned long long)m->latency_count, m->latency_sum_s,
                     (unsigned long long)m->latency_count);
    ok &= buf_printf(out, "# HELP smogd_accept_errors_total Failed accepts (e.g. out of file descriptors).\n"
                          "# TYPE smogd_accept_errors_total counter\nsmogd_accept_errors_total %llu\n",
                     (unsigned long long)m->accept_errors);
    struct httpd_stats hs = { 0 };
    api_http_stats(api, &hs);
    ok &= buf_printf(out,
                     "# HELP smogd_http_connections Client connections open now.\n"
                     "# TYPE smogd_http_connections gauge\nsmogd_http_connections %zu\n"
                     "# HELP smogd_http_connections_accepted_total Client connections accepted.\n"
                     "# TYPE smogd_http_connections_accepted_total counter\n"
                     "smogd_http_connections_accepted_total %llu\n"
                     "# HELP smogd_http_refused_total Requests refused before routing: not "
                     "HTTP/1.x, oversized head, bad framing, or not arrived in time.\n"
                     "# TYPE smogd_http_refused_total counter\nsmogd_http_refused_total %llu\n",
                     hs.open, (unsigned long long)hs.accepted, (unsigned long long)hs.refused);
    ok &= buf_printf(out, "# HELP smogd_db_errors_total Database errors since start.\n"
                          "# TYPE smogd_db_errors_total counter\nsmogd_db_errors_total %llu\n"
                          "# HELP smogd_db_commits_total Committed write transactions since start.\n"
                          "# TYPE smogd_db_commits_total counter\nsmogd_db_commits_total %llu\n",
                     (unsigned long long)store_error_count(app->store),
                     (unsigned long long)store_commit_count(app->store));
    if (app->api) {
        const struct ack_batch *b = api_ack_batch(app->api);
        uint64_t off_loop, on_loop;

        ack_batch_checkpoints(b, &off_loop, &on_loop);
        ok &= buf_printf(
            out,
            "# HELP smogd_acks_committed_total Acknowledgements written by group commits.\n"
            "# TYPE smogd_acks_committed_total counter\nsmogd_acks_committed_total %llu\n"
            "# HELP smogd_ack_commits_total Group commits of acknowledgements.\n"
            "# TYPE smogd_ack_commits_total counter\nsmogd_ack_commits_total %llu\n"
            "# HELP smogd_ack_flushes_total fsyncs that made acknowledgements durable.\n"
            "# TYPE smogd_ack_flushes_total counter\nsmogd_ack_flushes_total %llu\n"
            "# HELP smogd_wal_checkpoints_total WAL checkpoints, by the checkpointer thread or "
            "by the event loop.\n"
            "# TYPE smogd_wal_checkpoints_total counter\n"
            "smogd_wal_checkpoints_total{thread=\"checkpointer\"} %llu\n"
            "smogd_wal_checkpoints_total{thread=\"loop\"} %llu\n"
            "# HELP smogd_ack_log_pending Acknowledgements in the ack log, not yet folded into "
            "their orders.\n"
            "# TYPE smogd_ack_log_pending gauge\nsmogd_ack_log_pending %zu\n",
            (unsigned long long)ack_batch_acks(b), (unsigned long long)ack_batch_commits(b),
            (unsigned long long)ack_batch_flushes(b), (unsigned long long)off_loop,
            (unsigned long long)on_loop, store_acks_pending(app->store));
    }
    (void)ok; /* the buffer is uncapped */
    for (int i = 0; i < nsections; i++)
        sections[i](app, out);
}
