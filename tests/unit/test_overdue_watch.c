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

/* one pass at now looking at up to limit orders (0: all), committed or
 * rolled back; how many it flagged; *more: it stopped at the limit */
static int
pass_limited(struct app *a, int64_t now, size_t limit, bool commit, bool *more)
{
    int n = 0;

    CHECK_INT(store_begin(a->store), SM_OK);
    CHECK_INT(store_orders_mark_overdue(a->store, now, limit, count_flagged, &n, more), SM_OK);
    if (commit)
        CHECK_INT(store_commit(a->store), SM_OK);
    else
        store_rollback(a->store);
    return n;
}

static int
pass(struct app *a, int64_t now, bool commit)
{
    bool more = true;
    int n = pass_limited(a, now, 0, commit, &more);

    CHECK(!more);
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

/* A pass stops after limit orders, acknowledged ones counted (each is a
 * row to read); the next goes on after the last order it looked at, in
 * the same deadline, and together they flag each late order once. */
static void
test_watch_goes_on_where_a_limited_pass_stopped(void)
{
    struct app a;
    int64_t deadline, next = 0, orders;
    int flagged = 0, passes = 0, n;
    bool more = true;

    fixture_open_app(&a, 60, 7, true);
    orders = fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    deadline = fixture_one_int(&a, "SELECT min(ack_deadline_ms) FROM orders");
    CHECK(orders > 20);
    ack_first(&a, 4);
    /* one more order, due later than the others but already late */
    CHECK_INT(store_exec(a.store, "UPDATE orders SET ack_deadline_ms = ack_deadline_ms + 500 "
                                  "WHERE id = (SELECT max(id) FROM orders)"),
              SM_OK);

    /* the first pass looks at the 4 acknowledged ones and flags 3 */
    CHECK_INT(pass_limited(&a, deadline + 1000, 7, true, &more), 3);
    CHECK(more);
    CHECK_INT(store_orders_next_deadline(a.store, &next), SM_OK);
    CHECK(next == deadline); /* the rest of that deadline */
    /* rolled back: done again */
    CHECK_INT(pass_limited(&a, deadline + 1000, 7, false, &more), 7);
    for (flagged = 3; more && passes < 100; passes++) {
        n = pass_limited(&a, deadline + 1000, 7, true, &more);
        CHECK(n <= 7);
        flagged += n;
    }
    CHECK(!more);
    CHECK_INT(flagged, (int)orders - 4);
    CHECK_INT(passes, (int)((orders - 7) / 7 + 1)); /* the last one sees fewer than 7 */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE overdue = 1"), orders - 4);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE overdue = 1 AND status <> 'issued'"),
              0);
    CHECK_INT(store_orders_next_deadline(a.store, &next), SM_OK);
    CHECK(next == 0);
    CHECK_INT(pass_limited(&a, deadline + 2000, 7, true, &more), 0);
    CHECK(!more);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_watch_flags_each_late_order_once),
           CHECK_CASE(test_watch_goes_on_where_a_limited_pass_stopped))
