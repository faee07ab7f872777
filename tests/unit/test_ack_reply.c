/* The reply of an acknowledgement written by the UPDATE itself
 * (store_order_ack_reply, sm_ack_reply()) is byte for byte the text that
 * reading the order back gives (store_order_ack_text): with and without
 * note, contact and author, with text that needs escaping, a drill, a
 * reissue reason, an end and a successor; an order that cannot be
 * acknowledged writes nothing and gives no text; a cut reply is refused;
 * ops_ack's first reply equals its repeated one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "base/buf.h"
#include "store/store_orders.h"

#define T0 FIXTURE_T0
#define TZ 480

/* acknowledges order ack->order_id with its reply, then checks that reply
 * against the order read back */
static void
check_same_as_read_back(struct app *a, const struct order_ack *ack)
{
    struct buf written, read;

    buf_init(&written, 64 * 1024);
    buf_init(&read, 64 * 1024);
    CHECK_INT(store_begin(a->store), SM_OK);
    CHECK_INT(store_order_ack_reply(a->store, ack, TZ, &written), SM_OK);
    CHECK_INT(store_order_ack_text(a->store, ack->order_id, TZ, &read), SM_OK);
    CHECK_INT(store_commit(a->store), SM_OK);
    CHECK(written.len > 0);
    CHECK_STR(written.data, read.data);
    CHECK(strstr(written.data, "\"status\":\"acknowledged\"") != NULL);
    CHECK(strstr(written.data, "\"acknowledged_at\":\"2025-12-01T08:10:00+08:00\"") != NULL);
    buf_release(&written);
    buf_release(&read);
}

static void
test_reply_equals_read_back(void)
{
    struct app a;
    char *e1, *e2, *e3;

    fixture_open_app(&a, 60, 7, true);
    CHECK(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'") >= 3);
    e1 = fixture_order_enterprise(&a, 1);
    e2 = fixture_order_enterprise(&a, 2);
    e3 = fixture_order_enterprise(&a, 3);

    /* note and contact that need escaping, and an author */
    struct order_ack full = { 1, e1, T0 + 600000, "firm:\"a\"", "enterprise",
                              "已停炉 \"2#\"\\\n线", "张工 \t139" };
    check_same_as_read_back(&a, &full);
    {
        char *note = fixture_one_text(&a, "SELECT ack_note FROM orders WHERE id = 1");
        CHECK_STR(note, "已停炉 \"2#\"\\\n线");
        free(note);
    }
    CHECK_INT(fixture_one_int(&a, "SELECT ack_room IS NULL FROM orders WHERE id = 1"), 1);

    /* no author, note or contact: null in the reply */
    struct order_ack bare = { 2, e2, T0 + 600000, NULL, "officer_phone", NULL, NULL };
    check_same_as_read_back(&a, &bare);

    /* the columns an issued order rarely has: drill, reissue reason, an
     * end and a successor, all read from the row the UPDATE changes */
    CHECK(sqlite3_exec(a.store->db,
                       "UPDATE orders SET drill = 1, reissue_reason = 'wrong \"town\"', "
                       "ended_ms = 1764550800000, replaced_by = 2, compliance = 'pending' "
                       "WHERE id = 3",
                       NULL, NULL, NULL) == SQLITE_OK);
    struct order_ack odd = { 3, e3, T0 + 600000, "firm", "enterprise", "n", NULL };
    check_same_as_read_back(&a, &odd);
    {
        struct buf b;
        buf_init(&b, 0);
        CHECK_INT(store_order_ack_text(a.store, 3, TZ, &b), SM_OK);
        CHECK(strstr(b.data, "\"drill\":true") != NULL);
        CHECK(strstr(b.data, "\"ended_at\":\"2025-12-01T09:00:00+08:00\",\"replaced_by\":2,"
                             "\"reissue_reason\":\"wrong \\\"town\\\"\"}") != NULL);
        buf_release(&b);
    }
    free(e1);
    free(e2);
    free(e3);
    app_close(&a);
}

static void
test_no_reply_when_nothing_acknowledged(void)
{
    struct app a;
    struct buf b;
    char *e1, *e2;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    e2 = fixture_order_enterprise(&a, 2);
    buf_init(&b, 0);
    CHECK_INT(store_begin(a.store), SM_OK);
    /* another enterprise's order: refused, nothing written */
    struct order_ack other = { 1, e2, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack_reply(a.store, &other, TZ, &b), SM_ERR_CONFLICT);
    CHECK_INT(b.len, 0);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'issued' FROM orders WHERE id = 1"), 1);
    /* unknown order */
    struct order_ack unknown = { 999999, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack_reply(a.store, &unknown, TZ, &b), SM_ERR_CONFLICT);
    CHECK_INT(b.len, 0);
    /* the plain form writes no text anywhere; acknowledging again conflicts */
    struct order_ack own = { 1, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack(a.store, &own), SM_OK);
    CHECK_INT(store_order_ack_reply(a.store, &own, TZ, &b), SM_ERR_CONFLICT);
    CHECK_INT(b.len, 0);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'acknowledged' FROM orders WHERE id = 1"), 1);
    buf_release(&b);
    free(e1);
    free(e2);
    app_close(&a);
}

static void
test_cut_reply_refused(void)
{
    struct app a;
    struct buf b;
    char *e1;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    buf_init(&b, 40); /* far below any order's text */
    CHECK_INT(store_begin(a.store), SM_OK);
    struct order_ack own = { 1, e1, T0 + 600000, "firm", "enterprise", NULL, NULL };
    CHECK_INT(store_order_ack_reply(a.store, &own, TZ, &b), SM_ERR_LIMIT);
    store_rollback(a.store);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'issued' FROM orders WHERE id = 1"), 1);
    buf_release(&b);
    free(e1);
    app_close(&a);
}

/* through ops: the first acknowledgement's reply (written by the UPDATE)
 * and a repeated one's (read back) are the same bytes */
static void
test_ops_first_reply_equals_repeat(void)
{
    struct app a;
    struct sm_diag d = { 0 };
    char *e1, *first = NULL, *again = NULL;
    int status = 0;

    fixture_open_app(&a, 60, 7, true);
    e1 = fixture_order_enterprise(&a, 1);
    const struct ops_actor firm = { "enterprise:bench", "enterprise", e1 };
    struct ack_request rq = { 1, "已停炉", "张工", NULL, NULL, "enterprise", NULL, false };
    CHECK_INT(ops_ack(&a, &firm, &rq, &status, &first, &d), SM_OK);
    CHECK_INT(status, 200);
    CHECK(first != NULL);
    CHECK_INT(ops_ack(&a, &firm, &rq, &status, &again, &d), SM_OK);
    CHECK(again != NULL);
    CHECK_STR(first, again);
    CHECK(strstr(first, "\"ack\":{\"by\":\"enterprise:bench\",\"channel\":\"enterprise\","
                        "\"note\":\"已停炉\",\"contact\":\"张工\"}") != NULL);
    free(first);
    free(again);
    /* no reply asked: none given, the order acknowledged all the same */
    char *none = (char *)"x";
    struct ack_request quiet = { 2, NULL, NULL, NULL, NULL, "enterprise", NULL, true };
    char *e2 = fixture_order_enterprise(&a, 2);
    const struct ops_actor firm2 = { "enterprise:b2", "enterprise", e2 };
    CHECK_INT(ops_ack(&a, &firm2, &quiet, &status, &none, &d), SM_OK);
    CHECK(none == NULL);
    CHECK_INT(fixture_one_int(&a, "SELECT status = 'acknowledged' FROM orders WHERE id = 2"), 1);
    free(e1);
    free(e2);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_reply_equals_read_back), CHECK_CASE(test_no_reply_when_nothing_acknowledged),
           CHECK_CASE(test_cut_reply_refused), CHECK_CASE(test_ops_first_reply_equals_repeat))
