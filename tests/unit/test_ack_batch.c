/* The ack group (ops/ack_batch.c): the acks of one loop turn run in one
 * transaction without a savepoint each; when one of them writes and then
 * fails (here: its reply would pass the 64 KiB bound, found after its
 * UPDATE), the group runs again with a savepoint per ack, so the others
 * stand, that one leaves nothing behind, and every caller gets what ops_ack
 * alone would have given it. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "ops/ack_batch.h"

struct result {
    bool called;
    enum sm_err err;
    int status;
    char *reply;
};

static void
on_done(void *arg, enum sm_err err, int status, char *reply, const struct sm_diag *diag)
{
    struct result *r = arg;

    (void)diag;
    r->called = true;
    r->err = err;
    r->status = status;
    r->reply = reply;
}

static void
test_group_undoes_a_failed_ack_alone(void)
{
    struct app a;
    struct result res[3] = { 0 };
    char *ent[3];
    char *big = malloc(70 * 1024 + 1);
    const struct ops_actor *who[3];
    struct ops_actor firm[3];
    struct ack_request rq[3];

    memset(big, 'x', 70 * 1024);
    big[70 * 1024] = '\0';
    fixture_open_app(&a, 60, 7, true);
    a.base = event_base_new(); /* freed by app_close */
    for (int i = 0; i < 3; i++) {
        ent[i] = fixture_order_enterprise(&a, i + 1);
        firm[i] = (struct ops_actor){ "enterprise:batch", "enterprise", ent[i] };
        who[i] = &firm[i];
        rq[i] = (struct ack_request){ i + 1, i == 1 ? big : "已停炉", "张工", NULL, NULL,
                                      "enterprise", NULL, false };
    }
    struct ack_batch *b = ack_batch_new(&a);
    for (int i = 0; i < 3; i++)
        ack_batch_submit(b, who[i], &rq[i], on_done, &res[i]);
    /* the flush is an event made active by the first submit */
    CHECK(event_base_loop(a.base, EVLOOP_NONBLOCK) >= 0);
    for (int i = 0; i < 3; i++)
        CHECK(res[i].called);
    CHECK_INT(res[0].err, SM_OK);
    CHECK_INT(res[0].status, 200);
    CHECK(res[0].reply && strstr(res[0].reply, "\"status\":\"acknowledged\""));
    CHECK_INT(res[1].err, SM_ERR_LIMIT);
    CHECK(res[1].reply == NULL);
    CHECK_INT(res[2].err, SM_OK);
    CHECK(res[2].reply && strstr(res[2].reply, "\"status\":\"acknowledged\""));
    CHECK_INT(ack_batch_commits(b), 1);
    CHECK_INT(ack_batch_acks(b), 3);
    ack_batch_free(b);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE id IN (1, 3) AND "
                                  "status = 'acknowledged' AND ack_note = '已停炉'"),
              2);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE id = 2 AND status = 'issued' "
                                  "AND acknowledged_ms IS NULL AND ack_note IS NULL"),
              1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM audit WHERE action = 'order.ack'"), 2);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM audit WHERE object = 'order:2'"), 0);
    for (int i = 0; i < 3; i++) {
        free(res[i].reply);
        free(ent[i]);
    }
    free(big);
    app_close(&a);
}

/* a group without such an ack runs once, all in one transaction */
static void
test_group_commits_once(void)
{
    struct app a;
    struct result res[4] = { 0 };
    char *ent[4];
    struct ops_actor firm[4];
    struct ack_request rq[4];

    fixture_open_app(&a, 60, 7, true);
    a.base = event_base_new();
    struct ack_batch *b = ack_batch_new(&a);
    for (int i = 0; i < 4; i++) {
        ent[i] = fixture_order_enterprise(&a, i + 1);
        firm[i] = (struct ops_actor){ "enterprise:batch", "enterprise", ent[i] };
        rq[i] = (struct ack_request){ i + 1, NULL, "张工", NULL, NULL, "enterprise", NULL, false };
    }
    for (int i = 0; i < 4; i++)
        ack_batch_submit(b, &firm[i], &rq[i], on_done, &res[i]);
    CHECK(event_base_loop(a.base, EVLOOP_NONBLOCK) >= 0);
    for (int i = 0; i < 4; i++) {
        CHECK(res[i].called);
        CHECK_INT(res[i].err, SM_OK);
        free(res[i].reply);
        free(ent[i]);
    }
    CHECK_INT(ack_batch_commits(b), 1);
    ack_batch_free(b);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'acknowledged'"), 4);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_group_undoes_a_failed_ack_alone), CHECK_CASE(test_group_commits_once))
