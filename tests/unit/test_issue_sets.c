/* Set-based issuance on a generated list: the digest taken while the
 * orders are written is the one read back from the table; SQLite's
 * foreign-key checks, switched off for the issuing statements, are on
 * again afterwards and still refuse a missing parent; a missing decision
 * is refused before anything is written; the outbox rebuilt by 0015 keeps
 * its notices and deliveries, unique event ids for the kinds other than
 * orders' notices (written when a decision's notice is expanded, 0023),
 * and no unique index on those. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "dispatch/dispatch_int.h"
#include "list/gen.h"
#include "ops/ops.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/store_dispatch.h"
#include "store/store_int.h"
#include "store/store_issue.h"
#include "store/store_orders.h"

#define T0 FIXTURE_T0


/* the primary result code (the store asks for extended ones) */
static int
exec(struct app *a, const char *sql)
{
    return sqlite3_exec(a->store->db, sql, NULL, NULL, NULL) & 0xff;
}

/* An app on an in-memory database with an active generated list of lines
 * lines; a red warning issued when warn. */
static void
open_app(struct app *a, long lines, bool warn)
{
    fixture_open_app(a, lines, 11, warn);
}

static void
test_digest_while_writing_is_the_read_back_one(void)
{
    struct app a;
    int64_t first, last, n = 0, orders;
    char hex[65], *audited;

    open_app(&a, 2000, true);
    orders = fixture_one_int(&a, "SELECT count(*) FROM orders");
    CHECK(orders > 1000);
    first = fixture_one_int(&a, "SELECT json_extract(detail, '$.first_id') FROM audit "
                        "WHERE action = 'orders.issue'");
    last = fixture_one_int(&a, "SELECT json_extract(detail, '$.last_id') FROM audit "
                       "WHERE action = 'orders.issue'");
    CHECK_INT(first, 1);
    CHECK_INT(last, orders);
    audited = fixture_one_text(&a, "SELECT json_extract(detail, '$.sha256') FROM audit "
                           "WHERE action = 'orders.issue'");
    CHECK_INT(store_orders_digest(a.store, first, last, &n, hex), SM_OK);
    CHECK_INT(n, orders);
    CHECK(audited != NULL);
    CHECK_STR(audited ? audited : "", hex);
    free(audited);
    /* ids follow the enterprises' order */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders a JOIN orders b ON b.id = a.id + 1 "
                          "WHERE b.enterprise <= a.enterprise"),
              0);
    app_close(&a);
}

static void
plan_issue_red(void *arg, const struct store_plan_in *in, struct store_plan_out *out)
{
    (void)arg;
    (void)in;
    out->kind = STORE_PLAN_ISSUE;
    out->level = LEVEL_RED;
    out->version = 1;
}

static void
test_foreign_keys_on_after_issuing(void)
{
    struct app a;
    int64_t list, episode;
    struct store_issue_result res;
    struct store_issue_req rq = { .plan = plan_issue_red, .now_ms = T0,
                                  .effective_from_ms = T0 };

    open_app(&a, 200, true);
    CHECK_INT(fixture_one_int(&a, "PRAGMA foreign_keys"), 1);
    /* a writer after the issuance: a missing decision is refused */
    CHECK_INT(exec(&a, "INSERT INTO orders (episode_id, enterprise, enterprise_name, town, "
                       "version, level, list_id, drill, status, measures, decision_id, "
                       "issued_ms, effective_from_ms, ack_deadline_ms) "
                       "SELECT episode_id, enterprise, enterprise_name, town, 9, level, "
                       "list_id, drill, status, measures, 999999, issued_ms, "
                       "effective_from_ms, ack_deadline_ms FROM orders WHERE id = 1"),
              SQLITE_CONSTRAINT);
    CHECK_INT(exec(&a, "INSERT INTO outbox (event_id, kind, order_id, payload, created_ms) "
                       "VALUES ('x', 'officer_alert', 999999, '{}', 0)"),
              SQLITE_CONSTRAINT);

    /* store_orders_issue itself with a decision that does not exist */
    list = fixture_one_int(&a, "SELECT id FROM lists WHERE active = 1");
    episode = fixture_one_int(&a, "SELECT max(id) FROM episodes");
    CHECK(list > 0 && episode > 0);
    rq.episode_id = episode;
    rq.list_id = list;
    rq.decision_id = 999999;
    int64_t before = fixture_one_int(&a, "SELECT count(*) FROM orders");
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_orders_issue(a.store, &rq, &res), SM_ERR_DB);
    CHECK_INT(res.issued, 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders"), before);
    CHECK_INT(fixture_one_int(&a, "PRAGMA foreign_keys"), 1);
    /* the same with a list that does not exist */
    rq.decision_id = fixture_one_int(&a, "SELECT max(id) FROM decisions");
    rq.list_id = 999999;
    CHECK_INT(store_orders_issue(a.store, &rq, &res), SM_ERR_DB);
    CHECK_INT(fixture_one_int(&a, "PRAGMA foreign_keys"), 1);
    store_rollback(a.store);
    app_close(&a);
}

static void
test_outbox_event_ids(void)
{
    struct app a;
    bool created = false;

    struct dispatch_config cfg;
    struct sm_diag d = { 0 };
    bool more = true;

    open_app(&a, 300, true);
    /* the decision's one notice, expanded into one per order (0023) */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox"), 1);
    CHECK_INT(dispatch_config_load(&cfg, NULL, ":memory:", &d), SM_OK);
    CHECK_INT(dispatch_expand(a.store, &cfg, T0, 0, &more), SM_OK);
    dispatch_config_release(&cfg);
    CHECK(!more);
    CHECK(fixture_one_int(&a, "SELECT count(*) FROM outbox") > 100);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) - count(DISTINCT event_id) FROM outbox"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                          "AND tbl_name = 'outbox' AND sql LIKE '%UNIQUE%'"),
              1);
    /* other kinds stay unique: the second alert with the same id is not added */
    CHECK_INT(store_outbox_add_once(a.store, "order:1:overdue_alert", "officer_alert", 1, NULL, 0,
                                    "{}", T0, &created),
              SM_OK);
    CHECK(created);
    CHECK_INT(store_outbox_add_once(a.store, "order:1:overdue_alert", "officer_alert", 1, NULL, 0,
                                    "{}", T0, &created),
              SM_OK);
    CHECK(!created);
    CHECK_INT(exec(&a, "INSERT INTO outbox (event_id, kind, order_id, payload, created_ms) "
                       "VALUES ('order:1:overdue_alert', 'officer_alert', 1, '{}', 0)"),
              SQLITE_CONSTRAINT);
    app_close(&a);
}

/* 0015 run again on a database with notices and deliveries: the rebuild
 * keeps every row, and refuses to commit when a delivery lost its notice. */
static void
test_outbox_rebuild_keeps_deliveries(void)
{
    struct app a;
    const char *sql = NULL;
    char *before, *after;
    static const char rows[] =
        "SELECT group_concat(id || event_id || kind || coalesce(order_id, '') || payload || "
        "coalesce(expanded_ms, '') || deadline_alerted, ',') FROM (SELECT * FROM outbox "
        "ORDER BY id)";

    for (int i = 0; i < store_migration_count; i++)
        if (store_migrations[i].version == 15)
            sql = store_migrations[i].sql;
    CHECK(sql != NULL);
    if (!sql)
        return;
    open_app(&a, 100, true);
    CHECK_INT(exec(&a, "UPDATE outbox SET expanded_ms = 5 WHERE id % 2 = 0;"
                       "INSERT INTO deliveries (outbox_id, channel, recipient, status, "
                       "next_attempt_ms, created_ms) "
                       "SELECT id, 'file', 'x', 'pending', 0, 0 FROM outbox WHERE id % 2 = 0"),
              SQLITE_OK);
    before = fixture_one_text(&a, rows);
    CHECK(before != NULL);
    CHECK_INT(exec(&a, "BEGIN"), SQLITE_OK);
    CHECK_INT(exec(&a, sql), SQLITE_OK);
    CHECK_INT(exec(&a, "COMMIT"), SQLITE_OK);
    after = fixture_one_text(&a, rows);
    CHECK_STR(after ? after : "", before ? before : "");
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries"),
              fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE id % 2 = 0"));
    /* a notice with a delivery missing after the rebuild: no commit */
    CHECK_INT(exec(&a, "BEGIN"), SQLITE_OK);
    CHECK_INT(exec(&a, "DELETE FROM deliveries WHERE outbox_id <> 2;"
                       "CREATE TEMP TABLE keep AS SELECT * FROM outbox WHERE id <> 2;"
                       "PRAGMA defer_foreign_keys = ON; DROP TABLE outbox;"
                       "CREATE TABLE outbox AS SELECT * FROM keep"),
              SQLITE_OK);
    CHECK_INT(exec(&a, "COMMIT"), SQLITE_CONSTRAINT);
    CHECK_INT(exec(&a, "ROLLBACK"), SQLITE_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries"),
              fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE id % 2 = 0"));
    free(before);
    free(after);
    app_close(&a);
}

/* every new order carries the room its acknowledgement takes (migration
 * 0022); the ack and the end of an order give it back */
static void
test_orders_carry_ack_room(void)
{
    struct app a;
    int64_t orders, id = 0;
    int version = 0;
    char *ent;

    open_app(&a, 200, true);
    orders = fixture_one_int(&a, "SELECT count(*) FROM orders");
    CHECK(orders > 50);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE length(ack_room) = 64"), orders);
    ent = fixture_one_text(&a, "SELECT enterprise FROM orders WHERE id = 1");
    CHECK(ent != NULL);
    struct order_ack ack = { 1, ent, T0 + 1000, "firm", "enterprise", NULL, "13800000000" };
    CHECK_INT(store_order_ack(a.store, &ack), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT ack_room IS NULL FROM orders WHERE id = 1"), 1);
    /* a re-issue: the new version has room, the one it supersedes none */
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_order_reissue(a.store, 2, T0 + 2000, T0 + 3600000, "typo", &id, &version),
              SM_OK);
    CHECK_INT(store_order_end(a.store, 2, "superseded", T0 + 2000, id), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT ack_room IS NULL FROM orders WHERE id = 2"), 1);
    CHECK(id > orders);
    {
        char q[96];
        snprintf(q, sizeof(q), "SELECT length(ack_room) FROM orders WHERE id = %lld", (long long)id);
        CHECK_INT(fixture_one_int(&a, q), 64);
    }
    free(ent);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_digest_while_writing_is_the_read_back_one),
           CHECK_CASE(test_foreign_keys_on_after_issuing), CHECK_CASE(test_outbox_event_ids),
           CHECK_CASE(test_outbox_rebuild_keeps_deliveries), CHECK_CASE(test_orders_carry_ack_room))
