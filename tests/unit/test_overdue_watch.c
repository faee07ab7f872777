/* The deadline watch (store_orders_mark_overdue): each pass flags the
 * issued orders whose deadline passed since the last committed pass and
 * leaves the acknowledged ones alone; a pass that is rolled back is done
 * again; the next deadline is one no committed pass has looked at; a
 * clock set back makes the watch look again at what follows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "store/store_orders.h"

#define T0 FIXTURE_T0

static void
count_flagged(void *arg, int64_t id, const char *enterprise, int drill)
{
    (void)id;
    (void)enterprise;
    (void)drill;
    (*(int *)arg)++;
}

/* one pass at now, committed or rolled back; how many it flagged */
static int
pass(struct app *a, int64_t now, bool commit)
{
    int n = 0;

    CHECK_INT(store_begin(a->store), SM_OK);
    CHECK_INT(store_orders_mark_overdue(a->store, now, count_flagged, &n), SM_OK);
    if (commit)
        CHECK_INT(store_commit(a->store), SM_OK);
    else
        store_rollback(a->store);
    return n;
}

static void
ack_first(struct app *a, int how_many)
{
    char sql[160];

    for (int i = 1; i <= how_many; i++) {
        char ent[32];
        sqlite3_stmt *st = NULL;
        snprintf(sql, sizeof(sql), "SELECT enterprise FROM orders WHERE id = %d", i);
        CHECK(sqlite3_prepare_v2(a->store->db, sql, -1, &st, NULL) == SQLITE_OK);
        CHECK(sqlite3_step(st) == SQLITE_ROW);
        snprintf(ent, sizeof(ent), "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        struct order_ack ack = { i, ent, T0 + 60000, "firm", "enterprise", NULL, NULL };
        CHECK_INT(store_order_ack(a->store, &ack), SM_OK);
    }
}

static void
test_watch_flags_each_late_order_once(void)
{
    struct app a;
    int64_t deadline, next = 0, orders;

    fixture_open_app(&a, 60, 7, true);
    orders = fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    CHECK(orders > 10);
    deadline = fixture_one_int(&a, "SELECT min(ack_deadline_ms) FROM orders");
    CHECK_INT(fixture_one_int(&a, "SELECT max(ack_deadline_ms) FROM orders"), deadline);
    CHECK(deadline > T0);
    ack_first(&a, 4);

    /* before the deadline nothing is late */
    CHECK_INT(pass(&a, T0 + 120000, true), 0);
    CHECK_INT(store_orders_next_deadline(a.store, &next), SM_OK);
    CHECK(next == deadline);

    /* a pass rolled back is done again by the next one */
    CHECK_INT(pass(&a, deadline + 1000, false), (int)orders - 4);
    CHECK_INT(pass(&a, deadline + 2000, true), (int)orders - 4);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE overdue = 1"), orders - 4);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE overdue = 1 AND status <> 'issued'"),
              0);
    /* looked at once: nothing again, no deadline left to wait for */
    CHECK_INT(pass(&a, deadline + 3000, true), 0);
    CHECK_INT(store_orders_next_deadline(a.store, &next), SM_OK);
    CHECK(next == 0);

    /* the clock set back: an order due after the new now but before the
     * last pass (issued under the earlier clock) is still flagged */
    CHECK_INT(store_exec(a.store, "UPDATE orders SET status = 'issued', acknowledged_ms = NULL, "
                                  "ack_deadline_ms = ack_deadline_ms + 500 WHERE id = 1"),
              SM_OK);
    CHECK_INT(pass(&a, deadline - 60000, true), 0);
    CHECK_INT(store_orders_next_deadline(a.store, &next), SM_OK);
    CHECK(next == deadline); /* the acknowledged ones', looked at again */
    CHECK_INT(pass(&a, deadline + 600, true), 1);
    CHECK_INT(fixture_one_int(&a, "SELECT overdue FROM orders WHERE id = 1"), 1);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_watch_flags_each_late_order_once))
