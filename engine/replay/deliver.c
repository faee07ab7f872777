/* Simulated delivery on the virtual clock: after each step and at each
 * clock stop the dispatcher's own pass runs without notifiers (nothing is
 * sent or written), with the channels of the scenario's outages down, so
 * retries, backoff, dead letters and the undelivered-past-deadline alert
 * behave as in service. Also the outage step and expect.deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "dispatch/dispatch.h"
#include "replay/replay_int.h"
#include "store/store_dispatch.h"

static bool
channel_up(void *arg, const char *channel)
{
    struct replay *r = arg;
    int64_t now = clock_now(&r->app->clock);

    for (size_t i = 0; i < r->noutages; i++) {
        struct replay_outage *o = &r->outages[i];
        if (strcmp(o->channel, channel) == 0 && o->from_ms <= now && now < o->until_ms) {
            o->refused++;
            return false;
        }
    }
    return true;
}

static void
tally(struct replay_tally *t, int n, int64_t now)
{
    if (!n)
        return;
    if (!t->n)
        t->first_ms = now;
    t->last_ms = now;
    t->n += n;
}

enum sm_err
replay_deliver(struct replay *r)
{
    struct dispatch_capture_counts c;
    struct sm_diag d = { 0 };
    int64_t now = clock_now(&r->app->clock);
    int level = sm_log_level();
    bool quiet = !(r->sc->config && json_object_get(r->sc->config, "log_level"));
    enum sm_err err;

    /* the dispatcher warns of each alert it raises; the timeline shows them
     * already, so by default replay keeps only its errors */
    if (quiet && level > LOG_ERR)
        sm_log_set_level(LOG_ERR);
    err = dispatch_capture_due(r->app, channel_up, r, &c, &d);
    sm_log_set_level(level);
    if (err)
        return err;
    r->next_delivery_ms = c.next_ms > now ? c.next_ms : 0;
    r->delivery_due_now = c.next_ms && c.next_ms <= now;
    tally(&r->late, c.late, now);
    tally(&r->dead, c.dead, now);
    for (size_t i = 0; i < r->noutages; i++) {
        struct replay_outage *o = &r->outages[i];
        if (o->refused && !o->reported) {
            o->reported = true;
            replay_event(r, "delivery", "%s channel down: %d %s failed, retried with backoff",
                         o->channel, o->refused, o->refused == 1 ? "delivery" : "deliveries");
        }
    }
    return SM_OK;
}

enum sm_err
replay_run_outage(struct replay *r, const struct scenario_step *st)
{
    const char *channel = json_string_value(json_object_get(st->arg, "channel"));
    int64_t now = clock_now(&r->app->clock), span = 0;
    struct replay_outage *o;
    char until[32];

    if (!sm_duration_parse(json_string_value(json_object_get(st->arg, "for")), &span))
        span = 0; /* validated when the scenario loaded */
    r->outages = xrealloc(r->outages, (r->noutages + 1) * sizeof(*r->outages));
    o = &r->outages[r->noutages++];
    memset(o, 0, sizeof(*o));
    snprintf(o->channel, sizeof(o->channel), "%s", channel);
    o->from_ms = now;
    o->until_ms = now + span;
    replay_event(r, "outage", "%s channel down until %s", o->channel,
                 sm_time_format(o->until_ms, r->app->cfg.tz_min, until));
    return SM_OK;
}

static json_t *
count_of(const struct delivery_counts *c, const char *key)
{
    int64_t n = strcmp(key, "delivered") == 0         ? c->delivered
                : strcmp(key, "pending") == 0         ? c->pending
                : strcmp(key, "dead") == 0            ? c->dead
                : strcmp(key, "failed_attempts") == 0 ? c->failed_attempts
                : strcmp(key, "duplicates") == 0      ? c->duplicates
                                                      : c->undelivered_notices;
    return json_integer((json_int_t)n);
}

static enum sm_err
expect_counts(struct replay *r, const json_t *want, int drill, const char *channel,
              const char *path)
{
    struct delivery_counts c;
    const char *key;
    json_t *v;
    enum sm_err err = store_delivery_counts(r->app->store, drill, channel, &c);

    if (err)
        return err;
    json_object_foreach((json_t *)want, key, v) {
        char p[96];
        snprintf(p, sizeof(p), "%s.%s", path, key);
        if (json_is_object(v)) {
            if ((err = expect_counts(r, v, drill, key, p)))
                return err;
            continue;
        }
        replay_compare(r, p, v, count_of(&c, key));
    }
    return SM_OK;
}

enum sm_err
replay_expect_deliveries(struct replay *r, const json_t *want, int drill)
{
    return expect_counts(r, want, drill, NULL, "expect.deliveries");
}
