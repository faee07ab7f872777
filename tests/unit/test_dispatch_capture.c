/* dispatch_capture_all: replay's synchronous delivery on a virtual clock. */
#include <string.h>

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

CHECK_MAIN(CHECK_CASE(capture_delivers_each_once))
