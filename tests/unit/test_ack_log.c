/* The acknowledgement log (0025, store_acklog.c): in an ack group's
 * transaction an acknowledgement is appended to ack_log, not written into
 * its order; its reply, the order's state and its text read back show it
 * all the same; a second one conflicts; the next other transaction folds
 * the log into the orders (the first acknowledgement of an order stands),
 * a rolled back fold keeps the log, and an append whose step was undone
 * does not stand in the way of the next acknowledgement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "base/buf.h"
#include "ops/ops_int.h"
#include "store/store_int.h"
#include "store/store_orders.h"

#define T0 FIXTURE_T0
#define TZ 480

/* what store_begin_deferred does to the store, without a flusher thread */
static void
begin_group(struct app *a)
{
    a->store->ack_log_tx = true;
    CHECK_INT(store_begin(a->store), SM_OK);
}

static void
test_logged_ack_reads_as_acknowledged_and_folds(void)
{
    struct app a;
    struct buf written, read, folded;
    struct order_state o;
    char *e1 = NULL, *e2 = NULL;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    e2 = fixture_order_enterprise(&a, 2);
    buf_init(&written, 64 * 1024);
    buf_init(&read, 64 * 1024);
    buf_init(&folded, 64 * 1024);

    begin_group(&a);
    struct order_ack first = { 1, e1, T0 + 600000, "firm:\"a\"", "enterprise", "已停炉 \"2#\"",
                               "张工" };
    CHECK_INT(store_order_ack_reply(a.store, &first, TZ, &written), SM_OK);
    CHECK(strstr(written.data, "\"status\":\"acknowledged\"") != NULL);
    /* in the log, not in the order */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log WHERE order_id = 1"), 1);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'issued' FROM orders WHERE id = 1"), 1);
    CHECK_INT((long long)store_acks_pending(a.store), 1);
    /* read back through the log: the same bytes, the state acknowledged */
    CHECK_INT(store_order_ack_text(a.store, 1, TZ, &read), SM_OK);
    CHECK_STR(written.data, read.data);
    CHECK_INT(store_order_state(a.store, 1, &o), SM_OK);
    CHECK_STR(o.status, "acknowledged");
    CHECK_INT(o.acknowledged_ms, T0 + 600000);
    /* a second acknowledgement of the order conflicts, and logs nothing */
    struct order_ack again = { 1, e1, T0 + 700000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack_reply(a.store, &again, TZ, NULL), SM_ERR_CONFLICT);
    /* another firm's order: refused, nothing logged */
    struct order_ack other = { 2, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack_reply(a.store, &other, TZ, NULL), SM_ERR_CONFLICT);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 1);
    /* the plain form logs too */
    struct order_ack second = { 2, e2, T0 + 650000, NULL, "officer_phone", NULL, NULL };
    CHECK_INT(store_order_ack(a.store, &second), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT((long long)store_acks_pending(a.store), 2);

    /* the next other transaction folds: a rolled back one keeps the log */
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 0);
    store_rollback(a.store);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 2);
    CHECK_INT((long long)store_acks_pending(a.store), 2);
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    CHECK_INT((long long)store_acks_pending(a.store), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'acknowledged' AND acknowledged_ms = "
                                  "1764547200000 + 600000 AND ack_by = 'firm:\"a\"' AND "
                                  "ack_channel = 'enterprise' AND ack_note = '已停炉 \"2#\"' AND "
                                  "ack_contact = '张工' AND ack_room IS NULL FROM orders WHERE id = 1"),
              1);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'acknowledged' AND ack_by IS NULL AND "
                                  "ack_channel = 'officer_phone' FROM orders WHERE id = 2"),
              1);
    /* the folded order reads as the logged one did */
    CHECK_INT(store_order_ack_text(a.store, 1, TZ, &folded), SM_OK);
    CHECK_STR(written.data, folded.data);
    buf_release(&written);
    buf_release(&read);
    buf_release(&folded);
    free(e1);
    free(e2);
    app_close(&a);
}

static void
test_first_logged_ack_stands(void)
{
    struct app a;

    fixture_open_app(&a, 60, 7, true);
    /* two rows for one order (written by hand: the server's map keeps a
     * second one out): the first stands */
    CHECK(sqlite3_exec(a.store->db,
                       "INSERT INTO ack_log (order_id, at_ms, ack_by, channel) VALUES "
                       "(3, 1000, 'first', 'enterprise'), (3, 2000, 'second', 'enterprise'), "
                       "(999999, 3000, 'nobody', 'enterprise')",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT acknowledged_ms = 1000 AND ack_by = 'first' FROM orders "
                                  "WHERE id = 3"),
              1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 0);
    app_close(&a);
}

static void
test_undone_append_does_not_block(void)
{
    struct app a;
    struct buf b;
    char *e1, *e2;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    e2 = fixture_order_enterprise(&a, 2);
    buf_init(&b, 64 * 1024);
    begin_group(&a);
    CHECK_INT(store_step_begin(a.store), SM_OK);
    struct order_ack first = { 1, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack(a.store, &first), SM_OK);
    CHECK_INT(store_step_undo(a.store), SM_OK);
    /* the map still names the order; its row is gone: the next ack stands */
    CHECK_INT((long long)store_acks_pending(a.store), 1);
    CHECK_INT(store_step_begin(a.store), SM_OK);
    struct order_ack next = { 1, e1, T0 + 900000, "firm", "enterprise", "n", NULL };
    CHECK_INT(store_order_ack_reply(a.store, &next, TZ, &b), SM_OK);
    CHECK_INT(store_step_keep(a.store), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK(strstr(b.data, "\"note\":\"n\"") != NULL);
    /* an undone append beside a logged one: the fold takes the one, forgets both */
    begin_group(&a);
    CHECK_INT(store_step_begin(a.store), SM_OK);
    struct order_ack undone = { 2, e2, T0 + 900000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack(a.store, &undone), SM_OK);
    CHECK_INT(store_step_undo(a.store), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT((long long)store_acks_pending(a.store), 2);
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    CHECK_INT((long long)store_acks_pending(a.store), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT acknowledged_ms = 1764547200000 + 900000 FROM orders "
                                  "WHERE id = 1"),
              1);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'issued' FROM orders WHERE id = 2"), 1);
    /* only stale entries left: the next fold empties the map all the same */
    begin_group(&a);
    CHECK_INT(store_step_begin(a.store), SM_OK);
    CHECK_INT(store_order_ack(a.store, &undone), SM_OK);
    CHECK_INT(store_step_undo(a.store), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT((long long)store_acks_pending(a.store), 1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 0);
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    CHECK_INT((long long)store_acks_pending(a.store), 0);
    buf_release(&b);
    free(e1);
    free(e2);
    app_close(&a);
}

/* through ops: a repeated acknowledgement answered while the first is in
 * the log gives the same bytes as the first */
static void
test_ops_repeat_while_logged(void)
{
    struct app a;
    struct sm_diag d = { 0 };
    char *e1, *first = NULL, *again = NULL;
    int status = 0;
    bool keep = false;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    const struct ops_actor firm = { "enterprise:bench", "enterprise", e1 };
    struct ack_request rq = { 1, "已停炉", "张工", NULL, NULL, "enterprise", NULL, false };
    begin_group(&a);
    CHECK_INT(ops_ack_in_tx(&a, &firm, &rq, T0 + 600000, &status, &first, &keep, &d), SM_OK);
    CHECK(keep);
    CHECK_INT(ops_ack_in_tx(&a, &firm, &rq, T0 + 700000, &status, &again, &keep, &d), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK(first != NULL && again != NULL);
    CHECK_STR(first, again);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 1);
    free(first);
    free(again);
    free(e1);
    app_close(&a);
}

/* A logged ack's audit row waits in the log and is appended by the fold,
 * in the transaction that writes the ack into its order, the same row an
 * ack outside a group gets at once; the chain verifies; a second ack of
 * the order while logged writes no audit row. */
static void
test_logged_ack_audited_by_the_fold(void)
{
    struct app a;
    struct sm_diag d = { 0 };
    char *e1, *e2, *e3, *reply = NULL;
    int status = 0;
    bool keep = false;
    int64_t rows = 0, bad = 0;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    e2 = fixture_order_enterprise(&a, 2);
    e3 = fixture_order_enterprise(&a, 3);
    const struct ops_actor firm1 = { "enterprise:one", "enterprise", e1 };
    const struct ops_actor firm3 = { "enterprise:three", "enterprise", e3 };
    struct ack_request rq3 = { 3, NULL, NULL, NULL, NULL, "enterprise", NULL, false };
    const struct ops_actor firm2 = { "enterprise:two", "enterprise", e2 };
    struct ack_request rq1 = { 1, NULL, "张工", NULL, NULL, "enterprise", NULL, false };
    struct ack_request rq2 = { 2, NULL, "李工", NULL, NULL, "enterprise", NULL, false };
    const char *audited = "SELECT count(*) FROM audit WHERE action = 'order.ack'";
    int before = fixture_one_int(&a, "SELECT count(*) FROM audit");

    begin_group(&a);
    CHECK_INT(ops_ack_in_tx(&a, &firm1, &rq1, T0 + 600000, &status, &reply, &keep, &d), SM_OK);
    free(reply);
    reply = NULL;
    CHECK_INT(ops_ack_in_tx(&a, &firm1, &rq1, T0 + 610000, &status, &reply, &keep, &d), SM_OK);
    free(reply);
    reply = NULL;
    CHECK_INT(ops_ack_in_tx(&a, &firm3, &rq3, T0 + 620000, &status, &reply, &keep, &d), SM_OK);
    free(reply);
    reply = NULL;
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT(fixture_one_int(&a, audited), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log WHERE role = 'enterprise' AND "
                                  "action = 'order.ack'"),
              2);
    /* the fold appends it; an ack outside a group is audited at once */
    CHECK_INT(ops_ack(&a, &firm2, &rq2, &status, &reply, &d), SM_OK);
    free(reply);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM audit") - before, 3);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM audit WHERE action = 'order.ack' AND "
                                  "role = 'enterprise' AND result = 'ok' AND detail = "
                                  "'{\"channel\":\"enterprise\"}' AND ((object = 'order:1' AND "
                                  "actor = 'enterprise:one' AND at_ms = 1764547200000 + 600000) OR "
                                  "(object = 'order:2' AND actor = 'enterprise:two'))"),
              2);
    /* the logged acks' rows come first, in the order they were logged:
     * they were folded before the other ack */
    CHECK_INT(fixture_one_int(&a, "SELECT group_concat(object, ' ') = 'order:1 order:3 order:2' "
                                  "FROM (SELECT object FROM audit WHERE action = 'order.ack' "
                                  "ORDER BY seq)"),
              1);
    CHECK_INT(store_audit_verify(a.store, &rows, &bad, &d), SM_OK);
    CHECK_INT(bad, 0);
    CHECK_INT(rows, before + 3);
    free(e1);
    free(e2);
    free(e3);
    app_close(&a);
}

/* the status counts see a logged ack without a fold: acknowledged, and no
 * longer overdue */
static void
test_counts_see_the_log(void)
{
    struct app a;
    struct order_counts before, logged, folded;
    int64_t episode;
    char *e1, *e3;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    e3 = fixture_order_enterprise(&a, 3);
    episode = fixture_one_int(&a, "SELECT episode_id FROM orders WHERE id = 1");
    /* order 3 past its deadline */
    CHECK(sqlite3_exec(a.store->db, "UPDATE orders SET ack_deadline_ms = 1 WHERE id = 3", NULL, NULL,
                       NULL) == SQLITE_OK);
    CHECK_INT(store_order_counts(a.store, episode, T0 + 600000, &before), SM_OK);
    CHECK(before.overdue >= 1);
    begin_group(&a);
    struct order_ack one = { 1, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    struct order_ack three = { 3, e3, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack(a.store, &one), SM_OK);
    CHECK_INT(store_order_ack(a.store, &three), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 2);
    CHECK_INT(store_order_counts(a.store, episode, T0 + 600000, &logged), SM_OK);
    CHECK_INT(logged.active, before.active);
    CHECK_INT(logged.acknowledged, before.acknowledged + 2);
    CHECK_INT(logged.overdue, before.overdue - 1);
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    CHECK_INT(store_order_counts(a.store, episode, T0 + 600000, &folded), SM_OK);
    CHECK_INT(folded.acknowledged, logged.acknowledged);
    CHECK_INT(folded.overdue, logged.overdue);
    free(e1);
    free(e3);
    app_close(&a);
}

/* an order read with its versions while its ack is in the log: the same
 * JSON as once folded, and reading it folds nothing */
static void
test_order_json_sees_the_log(void)
{
    struct app a;
    json_t *logged = NULL, *folded = NULL;
    char *e1;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    begin_group(&a);
    struct order_ack one = { 1, e1, T0 + 600000, "firm", "enterprise", "n", "c" };
    CHECK_INT(store_order_ack(a.store, &one), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT(store_order_json(a.store, 1, TZ, 1, &logged), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 1);
    CHECK_STR(json_string_value(json_object_get(logged, "status")), "acknowledged");
    CHECK_STR(json_string_value(json_object_get(logged, "acknowledged_at")),
              "2025-12-01T08:10:00+08:00");
    json_t *h = json_array_get(json_object_get(logged, "history"), 0);
    CHECK(h != NULL);
    CHECK_STR(json_string_value(json_object_get(h, "status")), "acknowledged");
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    CHECK_INT(store_order_json(a.store, 1, TZ, 1, &folded), SM_OK);
    CHECK(json_equal(logged, folded));
    json_decref(logged);
    json_decref(folded);
    free(e1);
    app_close(&a);
}

/* the total of a filtered list, and whether order id is on its page */
static int64_t
listed(struct app *a, const char *status, int overdue, int64_t now, int64_t id, bool *found)
{
    struct order_filter f = { .status = status, .overdue = overdue, .now_ms = now, .limit = 1000 };
    json_t *out = NULL, *o;
    size_t i;
    int64_t total;

    CHECK_INT(store_orders_json(a->store, &f, TZ, &out), SM_OK);
    *found = false;
    json_array_foreach(json_object_get(out, "orders"), i, o)
    {
        if (json_integer_value(json_object_get(o, "id")) == id) {
            *found = true;
            CHECK_STR(json_string_value(json_object_get(o, "status")), status ? status : "acknowledged");
        }
    }
    total = json_integer_value(json_object_get(out, "total"));
    json_decref(out);
    return total;
}

/* the order lists, their filters and totals read the log as folded, and
 * leave it in place; after the fold they read the same */
static void
test_order_lists_see_the_log(void)
{
    struct app a;
    char *e1;
    bool found = false;
    int64_t issued, late = T0 + 30LL * 24 * 3600 * 1000;

    fixture_open_app(&a, 60, 7, true);
    issued = fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    e1 = fixture_order_enterprise(&a, 1);
    begin_group(&a);
    struct order_ack one = { 1, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack(a.store, &one), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    for (int pass = 0; pass < 2; pass++) {
        CHECK_INT(listed(&a, "acknowledged", -1, T0, 1, &found), 1);
        CHECK(found);
        CHECK_INT(listed(&a, "issued", -1, T0, 1, &found), issued - 1);
        CHECK(!found);
        /* overdue: every issued order past its deadline, not the acknowledged one */
        CHECK_INT(listed(&a, NULL, 1, late, 1, &found), issued - 1);
        CHECK(!found);
        CHECK_INT(listed(&a, NULL, 0, late, 1, &found), 1);
        CHECK(found);
        CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), pass == 0 ? 1 : 0);
        if (pass == 0)
            CHECK_INT(store_acks_fold(a.store), SM_OK);
    }
    free(e1);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_logged_ack_reads_as_acknowledged_and_folds),
           CHECK_CASE(test_counts_see_the_log), CHECK_CASE(test_order_json_sees_the_log),
           CHECK_CASE(test_first_logged_ack_stands), CHECK_CASE(test_undone_append_does_not_block),
           CHECK_CASE(test_ops_repeat_while_logged), CHECK_CASE(test_logged_ack_audited_by_the_fold),
           CHECK_CASE(test_order_lists_see_the_log))
