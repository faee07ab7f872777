/* GET /v1/status, its order figures counted a slice per turn of the event
 * loop. Counting every active order of a province-sized episode (187k)
 * holds the loop 55-70 ms; the console polls the status every few seconds
 * during the very flood of acknowledgements that must not wait for it. A
 * slice of STATUS_SLICE_ROWS orders holds it a few milliseconds, and the
 * requests that arrive meanwhile are served between slices. Each order is
 * counted once, as it stands when its slice is read. */
#include "api/api_int.h"

#include <stdlib.h>

#include <event2/event.h>

#include "app/app.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "ops/ops.h"
#include "store/store_orders.h"

#define LOG_MODULE "api"
#define STATUS_SLICE_ROWS 2048

struct status_job {
    struct status_job *next;
    struct status_job **head; /* the api's list */
    struct app *app;
    struct api_req *r;        /* deferred */
    json_t *out;              /* the status without its figures yet */
    int64_t episode, now_ms;
    struct order_count_cursor cur;
    struct order_counts c;
    struct event *ev;
};

/* the status with its figures, or the error; takes out */
static void
reply_counts(struct api_req *r, json_t *out, const struct order_counts *c, enum sm_err err)
{
    if (err) {
        json_decref(out);
        api_reply_err(r, err, NULL);
    } else {
        ops_status_counts(out, c);
        api_reply_json(r, 200, out);
    }
}

static void
job_free(struct status_job *j)
{
    if (j->ev)
        event_free(j->ev);
    free(j->cur.enterprise);
    free(j);
}

/* answers a deferred request, frees the job */
static void
job_answer(struct status_job *j, enum sm_err err)
{
    reply_counts(j->r, j->out, &j->c, err);
    api_req_finish(j->r);
    job_free(j);
}

static enum sm_err
count_slice(struct status_job *j)
{
    return store_order_counts_slice(j->app->store, j->episode, j->now_ms, &j->cur,
                                    STATUS_SLICE_ROWS, &j->c);
}

/* a zero timer: run after the I/O of the next turn */
static const struct timeval next_turn = { 0, 0 };

static void
slice_cb(evutil_socket_t fd, short what, void *arg)
{
    struct status_job *j = arg;
    enum sm_err err = count_slice(j);

    (void)fd;
    (void)what;
    if (err || j->cur.done) {
        struct status_job **p = j->head;

        while (*p != j)
            p = &(*p)->next;
        *p = j->next;
        job_answer(j, err);
    } else
        evtimer_add(j->ev, &next_turn);
}

void
api_status_get(struct api_req *r)
{
    struct status_job *j;
    int64_t episode = 0, now = 0;
    json_t *out = NULL;
    enum sm_err err = ops_status_begin(r->app, &out, &episode, &now);

    if (err) {
        api_reply_err(r, err, NULL);
        return;
    }
    j = xcalloc(1, sizeof(*j));
    j->app = r->app;
    j->out = out;
    j->episode = episode;
    j->now_ms = now;
    j->cur.done = episode == 0; /* no episode: nothing to count */
    if (!j->cur.done)
        err = count_slice(j);
    if (!err && !j->cur.done && (j->ev = evtimer_new(r->app->base, slice_cb, j)) != NULL) {
        j->r = api_req_defer(r);
        j->head = api_status_jobs(r->app->api);
        j->next = *j->head;
        *j->head = j;
        evtimer_add(j->ev, &next_turn);
        return;
    }
    /* answered now: one slice held them all, it failed, or no timer */
    while (!err && !j->cur.done)
        err = count_slice(j);
    reply_counts(r, out, &j->c, err);
    job_free(j);
}

void
api_status_jobs_end(struct status_job **head)
{
    /* at stop: what is left counted at once, every request answered
     * while its connection still exists */
    int n = 0;

    while (*head) {
        struct status_job *j = *head;
        enum sm_err err = SM_OK;

        n++;
        *head = j->next;
        while (!err && !j->cur.done)
            err = count_slice(j);
        job_answer(j, err);
    }
    if (n)
        log_info("stopping: %d status request%s counted to the end and answered", n,
                 n == 1 ? "" : "s");
}
