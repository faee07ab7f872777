/* dispatch: a webhook send takes its contact's secret from the due row the
 * dispatcher already read; it reads no contact from the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "app/app.h"
#include "check.h"
#include "dispatch/dispatch.h"
#include "store/store.h"
#include "store/store_dispatch.h"
#include "store/store_int.h"
#include "store/store_orders.h"

#define T0   1764547200000 /* 2025-12-01T08:00:00+08:00 */
#define USCC "91140826MA0K000001"
#define HOOK "http://127.0.0.1:9/hook" /* nothing listens: the send fails, later */

static int contact_reads;

/* counts the statements that read one enterprise's contacts */
static int
on_trace(unsigned what, void *arg, void *stmt, void *sql)
{
    (void)arg;
    (void)stmt;
    if (what == SQLITE_TRACE_STMT && strstr(sql, "FROM enterprise_contacts WHERE uscc"))
        contact_reads++;
    return 0;
}

static void
put_contact_and_notices(struct store *s, int n)
{
    struct contact_rec c = { .uscc = USCC, .webhook_url = HOOK, .webhook_secret = "own-secret",
                             .emails = "[]", .phones = "[]", .updated_ms = T0 };

    CHECK_INT(store_begin(s), SM_OK);
    CHECK_INT(store_contact_put(s, &c), SM_OK);
    for (int i = 0; i < n; i++) {
        char eid[32];
        snprintf(eid, sizeof(eid), "order:%d:ack_reminder", i + 1);
        CHECK_INT(store_outbox_add(s, eid, "ack_reminder", 0, USCC, 0, "{}", T0, 0), SM_OK);
    }
    CHECK_INT(store_commit(s), SM_OK);
}

struct secrets {
    int n, own, none;
};

static void
collect(void *arg, const struct delivery_row *d)
{
    struct secrets *s = arg;

    s->n++;
    if (d->webhook_secret && strcmp(d->webhook_secret, "own-secret") == 0)
        s->own++;
    if (!d->webhook_secret)
        s->none++;
}

static void
due_rows_carry_the_contact_secret(void)
{
    struct store *s;
    struct sm_diag d = { 0 };
    struct secrets got = { 0 };
    int64_t outbox_id = 0;

    CHECK_INT(store_open(&s, ":memory:", &d), SM_OK);
    put_contact_and_notices(s, 1);
    CHECK_INT(store_step_int64(s, store_stmt(s, "SELECT max(id) FROM outbox"), &outbox_id), SM_OK);
    CHECK_INT(store_begin(s), SM_OK);
    CHECK_INT(store_delivery_add(s, outbox_id, "webhook", HOOK, T0), SM_OK);
    /* another URL (an officer's), and another channel: the channel's secret */
    CHECK_INT(store_delivery_add(s, outbox_id, "webhook", "http://127.0.0.1:9/other", T0), SM_OK);
    CHECK_INT(store_delivery_add(s, outbox_id, "file", HOOK, T0), SM_OK);
    CHECK_INT(store_commit(s), SM_OK);
    CHECK_INT(store_deliveries_due(s, T0, 10, collect, &got), SM_OK);
    CHECK_INT(got.n, 3);
    CHECK_INT(got.own, 1);
    CHECK_INT(got.none, 2);
    store_close(s);
}

static void
webhook_send_reads_no_contact(void)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct delivery_counts dc = { 0 };
    char path[] = "/tmp/smogd-notifiers-XXXXXX";
    int fd = mkstemp(path);
    static const char text[] =
        "{\"channels\": {\"webhook\": {\"secret\": \"channel-secret\", \"timeout_ms\": 500,"
        " \"connect_timeout_ms\": 200}}}";

    CHECK(fd >= 0);
    CHECK_INT(write(fd, text, sizeof(text) - 1), (long)sizeof(text) - 1);
    close(fd);
    config_init_defaults(&a.cfg);
    CHECK_INT(config_set(&a.cfg, "notifiers", path, &d), SM_OK);
    clock_init_virtual(&a.clock, T0);
    a.base = event_base_new();
    CHECK_INT(store_open(&a.store, ":memory:", &d), SM_OK);
    put_contact_and_notices(a.store, 3);
    sqlite3_trace_v2(a.store->db, SQLITE_TRACE_STMT, on_trace, NULL);

    CHECK_INT(dispatch_start(&a, &d), SM_OK);
    /* the first pass: expand the three notices, send the three deliveries */
    CHECK_INT(event_base_loop(a.base, EVLOOP_ONCE), 0);
    /* one read per notice when it is expanded into deliveries; none per send */
    CHECK_INT(contact_reads, 3);
    /* the sends did go out: each refused, recorded as a failed attempt */
    for (int i = 0; i < 500 && dc.failed_attempts < 3; i++) {
        CHECK_INT(event_base_loop(a.base, EVLOOP_ONCE), 0);
        CHECK_INT(store_delivery_counts(a.store, 0, "webhook", &dc), SM_OK);
    }
    CHECK_INT(dc.failed_attempts, 3);
    CHECK_INT(contact_reads, 3);
    app_close(&a);
    unlink(path);
}

CHECK_MAIN(CHECK_CASE(due_rows_carry_the_contact_secret),
           CHECK_CASE(webhook_send_reads_no_contact))
