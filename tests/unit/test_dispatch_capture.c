/* dispatch_capture_all and dispatch_capture_due: replay's synchronous
 * delivery on a virtual clock, with channels taken down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "check.h"
#include "dispatch/dispatch.h"
#include "notifier.h"
#include "store/store.h"
#include "store/store_dispatch.h"
#include "store/store_orders.h"

struct seen {
    int n;
    char event_id[64], channel[16], subject[256];
};

static void
capture(void *arg, const char *channel, const struct notice *n)
{
    struct seen *s = arg;

    s->n++;
    snprintf(s->event_id, sizeof(s->event_id), "%s", n->event_id);
    snprintf(s->channel, sizeof(s->channel), "%s", channel);
    snprintf(s->subject, sizeof(s->subject), "%s", n->subject);
}

static void
capture_delivers_each_once(void)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct seen seen = { 0 };
    struct dispatch_stats st;
    int count = -1;

    config_init_defaults(&a.cfg);
    clock_init_virtual(&a.clock, 1764547200000); /* 2025-12-01T08:00:00+08:00 */
    CHECK_INT(store_open(&a.store, ":memory:", &d), SM_OK);
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_outbox_add(a.store, "order:0:ack_reminder", "ack_reminder", 0,
                               "91140826MA0K000001", 0, "{}", 1764547200000, 0),
              SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);

    CHECK_INT(dispatch_capture_all(&a, capture, &seen, &count, &d), SM_OK);
    CHECK_INT(count, 1);
    CHECK_INT(seen.n, 1);
    CHECK_STR(seen.event_id, "order:0:ack_reminder");
    CHECK_STR(seen.channel, "file");
    CHECK(strstr(seen.subject, "请尽快确认减排指令") != NULL);
    CHECK_INT(store_dispatch_stats(a.store, &st), SM_OK);
    CHECK_INT(st.outbox_pending, 0);

    /* nothing twice */
    CHECK_INT(dispatch_capture_all(&a, capture, &seen, &count, &d), SM_OK);
    CHECK_INT(count, 0);
    CHECK_INT(seen.n, 1);
    app_close(&a);
}

#define T0 1764547200000 /* 2025-12-01T08:00:00+08:00 */

static bool
file_down(void *arg, const char *channel)
{
    int *refused = arg;
    if (strcmp(channel, "file") != 0)
        return true;
    (*refused)++;
    return false;
}

/* deliveries of every status: one per notice on the single file channel */
static int64_t
deliveries(struct app *a)
{
    struct delivery_counts dc;
    CHECK_INT(store_delivery_counts(a->store, 0, NULL, &dc), SM_OK);
    return dc.pending + dc.delivered + dc.dead;
}

/* true when a notice with event_id exists (the probe adds none then) */
static bool
has_notice(struct app *a, const char *event_id)
{
    bool created = true;
    CHECK_INT(store_begin(a->store), SM_OK);
    CHECK_INT(store_outbox_add_once(a->store, event_id, "officer_alert", 0, NULL, 0, "{}", T0,
                                    &created),
              SM_OK);
    store_rollback(a->store);
    return !created;
}

static void
open_with_notice(struct app *a, const char *kind, int64_t deadline_ms)
{
    struct sm_diag d = { 0 };

    config_init_defaults(&a->cfg);
    clock_init_virtual(&a->clock, T0);
    CHECK_INT(store_open(&a->store, ":memory:", &d), SM_OK);
    CHECK_INT(store_begin(a->store), SM_OK);
    CHECK_INT(store_outbox_add(a->store, "order:0:x", kind, 0, "91140826MA0K000001", 0, "{}", T0,
                               deadline_ms),
              SM_OK);
    CHECK_INT(store_commit(a->store), SM_OK);
}

/* a down channel: a transient failure with the dispatcher's backoff, then
 * delivered once it is up again */
static void
capture_due_retries_while_down(void)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct dispatch_capture_counts c;
    struct delivery_counts dc;
    int refused = 0;
    int64_t first_retry;

    open_with_notice(&a, "ack_reminder", 0);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK_INT(refused, 1);
    CHECK_INT(c.delivered, 0);
    CHECK_INT(c.failed, 1);
    CHECK_INT(c.dead, 0);
    /* first retry: base 2 s jittered into [1 s, 2 s] */
    CHECK(c.next_ms >= T0 + 1000 && c.next_ms <= T0 + 2000);
    first_retry = c.next_ms;
    CHECK_INT(store_delivery_counts(a.store, 0, "file", &dc), SM_OK);
    CHECK_INT(dc.pending, 1);
    CHECK_INT(dc.failed_attempts, 1);
    CHECK_INT(dc.undelivered_notices, 1);

    /* nothing is due before the retry time */
    clock_advance_to(&a.clock, first_retry - 1);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK_INT(refused, 1);
    CHECK_INT(c.failed + c.delivered, 0);
    CHECK_INT(c.next_ms, first_retry);

    /* still down: the second step is 4 s */
    clock_advance_to(&a.clock, first_retry);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK_INT(refused, 2);
    CHECK(c.next_ms >= first_retry + 2000 && c.next_ms <= first_retry + 4000);

    /* up: delivered on the next retry, late, once */
    clock_advance_to(&a.clock, c.next_ms);
    CHECK_INT(dispatch_capture_due(&a, NULL, NULL, &c, &d), SM_OK);
    CHECK_INT(c.delivered, 1);
    CHECK_INT(c.late, 1);
    CHECK_INT(c.next_ms, 0);
    CHECK_INT(store_delivery_counts(a.store, 0, NULL, &dc), SM_OK);
    CHECK_INT(dc.delivered, 1);
    CHECK_INT(dc.pending, 0);
    CHECK_INT(dc.failed_attempts, 2);
    CHECK_INT(dc.duplicates, 0);
    CHECK_INT(dc.undelivered_notices, 0);
    CHECK_INT(store_delivery_counts(a.store, 1, NULL, &dc), SM_OK);
    CHECK_INT(dc.delivered, 0);
    app_close(&a);
}

/* keeps retrying on the down file channel, stop after stop, until the next
 * stop is at or past until; nothing is delivered meanwhile */
static void
retry_while_down_until(struct app *a, int64_t until, int *refused, struct dispatch_capture_counts *c,
                       struct sm_diag *d)
{
    while (c->next_ms && c->next_ms < until) {
        clock_advance_to(&a->clock, c->next_ms);
        CHECK_INT(dispatch_capture_due(a, file_down, refused, c, d), SM_OK);
        CHECK_INT(c->delivered, 0);
    }
}

/* undelivered at the notice's deadline: one officer alert, exactly then */
static void
capture_due_alerts_at_deadline(void)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct dispatch_capture_counts c;
    int refused = 0;
    int64_t deadline = T0 + 10 * 60000;

    open_with_notice(&a, "order_issued", deadline);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    /* keep retrying while down until the deadline is the next stop */
    retry_while_down_until(&a, deadline, &refused, &c, &d);
    CHECK_INT(deliveries(&a), 1);
    CHECK_INT(c.next_ms, deadline);
    clock_advance_to(&a.clock, deadline);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK_INT(deliveries(&a), 2);
    CHECK(has_notice(&a, "order:0:x:undelivered"));
    /* the alert is itself a notice on the down channel: it failed too */
    CHECK_INT(c.failed >= 1, 1);
    /* never twice */
    clock_advance_to(&a.clock, deadline + 3600000);
    CHECK_INT(dispatch_capture_due(&a, NULL, NULL, &c, &d), SM_OK);
    CHECK_INT(deliveries(&a), 2);
    CHECK_INT(c.delivered, 2);
    app_close(&a);
}

/* a notice without a deadline of its own is due at the default one after
 * its creation; the watch finds both kinds (two indexes) in time order */
static void
capture_due_alerts_at_default_deadline(void)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct dispatch_capture_counts c;
    int refused = 0;
    int64_t dflt = T0 + (int64_t)DISPATCH_DEFAULT_DEADLINE_MIN * 60000, own = dflt + 15 * 60000;

    open_with_notice(&a, "ack_reminder", 0);
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_outbox_add(a.store, "order:0:y", "order_issued", 0, "91140826MA0K000001", 0,
                               "{}", T0, own),
              SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    retry_while_down_until(&a, dflt, &refused, &c, &d);
    CHECK_INT(c.next_ms, dflt);
    clock_advance_to(&a.clock, dflt - 1);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK(!has_notice(&a, "order:0:x:undelivered"));
    clock_advance_to(&a.clock, dflt);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK(has_notice(&a, "order:0:x:undelivered"));
    CHECK(!has_notice(&a, "order:0:y:undelivered"));
    retry_while_down_until(&a, own, &refused, &c, &d);
    CHECK_INT(c.next_ms, own);
    clock_advance_to(&a.clock, own);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK(has_notice(&a, "order:0:y:undelivered"));
    app_close(&a);
}

/* past max_attempts: a dead letter and its officer alert, as in service */
static void
capture_due_dead_letter(void)
{
    char path[] = "/tmp/notifiers-XXXXXX";
    const char *text = "{\"channels\": {\"file\": {\"path\": \"/dev/null\"}},"
                       " \"retry\": {\"base_ms\": 1000, \"cap_ms\": 1000, \"max_attempts\": 2}}";
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct dispatch_capture_counts c;
    struct delivery_counts dc;
    int refused = 0, fd = mkstemp(path);

    CHECK(fd >= 0);
    CHECK_INT((int)write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    open_with_notice(&a, "ack_reminder", 0);
    CHECK_INT(config_set(&a.cfg, "notifiers", path, &d), SM_OK);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK_INT(c.failed, 1);
    clock_advance_to(&a.clock, c.next_ms);
    CHECK_INT(dispatch_capture_due(&a, file_down, &refused, &c, &d), SM_OK);
    CHECK_INT(c.dead, 1);
    CHECK(has_notice(&a, "delivery:1:dead"));
    CHECK_INT(store_delivery_counts(a.store, 0, "file", &dc), SM_OK);
    CHECK_INT(dc.dead, 1);
    /* the dead letter's alert went out on the same (down) channel and failed */
    CHECK_INT(dc.pending, 1);
    unlink(path);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(capture_delivers_each_once), CHECK_CASE(capture_due_retries_while_down),
           CHECK_CASE(capture_due_alerts_at_deadline), CHECK_CASE(capture_due_alerts_at_default_deadline),
           CHECK_CASE(capture_due_dead_letter))
