/* A decision's notices (0023): issuing writes one notice per decision and
 * kind; the dispatcher's expansion writes the per-order notices the
 * issuance used to write (compared with those very statements), in slices,
 * each slice with its deliveries and its cursor in one transaction; a
 * process that dies in the middle of a slice leaves nothing of it, and the
 * expansion then goes on without a loss or a duplicate. The readers that
 * count notices count those still owed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app.h"
#include "app_fixture.h"
#include "check.h"
#include "dispatch/dispatch_int.h"
#include "list/gen.h"
#include "ops/ops.h"
#include "store/store.h"
#include "store/store_dispatch.h"
#include "store/store_int.h"
#include "store/store_notices.h"
#include "store/store_orders.h"
#include "store/store_report.h"


#define T0 1764547200000LL /* 2025-12-01T08:00:00+08:00 */

static const struct ops_actor issuer = { "issuer:feed", "issuer", NULL };

static int
exec(struct app *a, const char *sql)
{
    return sqlite3_exec(a->store->db, sql, NULL, NULL, NULL) & 0xff;
}

static void
warn(struct app *a, const char *id, const char *level, const char *type, const char *refs)
{
    struct sm_diag d = { 0 };
    json_t *reply = NULL;
    char body[512];

    snprintf(body, sizeof(body),
             "{\"identifier\":\"%s\",\"sender\":\"yc@yuncheng.gov.cn\","
             "\"sent\":\"2025-12-01T07:59:00+08:00\",\"msg_type\":\"%s\",\"status\":\"Actual\","
             "\"level\":\"%s\",\"onset\":\"2025-12-01T07:59:00+08:00\","
             "\"expires\":\"2025-12-09T08:00:00+08:00\",\"area\":[\"140826\"]%s}",
             id, type, level, refs);
    CHECK_INT(ops_apply_warning(a, &issuer, "application/json", body, strlen(body), &reply, &d),
              SM_OK);
    CHECK(json_is_true(json_object_get(reply, "applied")));
    json_decref(reply);
}

/* An app on db (":memory:" or a file) with an active generated list. */
static void
open_app(struct app *a, const char *db, long lines)
{
    struct sm_diag d = { 0 };

    memset(a, 0, sizeof(*a));
    config_init_defaults(&a->cfg);
    free(a->cfg.db_path);
    a->cfg.db_path = strdup(db);
    clock_init_virtual(&a->clock, T0);
    CHECK_INT(app_open(a, &d), SM_OK);
    if (lines == 0)
        return;
    fixture_import_list(a, lines, 11);
}

static void
load_config(struct dispatch_config *cfg, const char *db)
{
    struct sm_diag d = { 0 };

    CHECK_INT(dispatch_config_load(cfg, NULL, db, &d), SM_OK);
}

/* The statements issuance ran before 0023 (store_issue.c), into a copy of
 * the outbox's columns: what the per-order notices must be. */
static void
old_issuance_notices(struct app *a, int64_t first, int64_t last, int64_t decision, int64_t now)
{
    char sql[2048];

    CHECK_INT(exec(a, "CREATE TEMP TABLE IF NOT EXISTS old (event_id, kind, order_id, "
                      "enterprise, drill, payload, created_ms, deadline_ms)"),
              SQLITE_OK);
    snprintf(sql, sizeof(sql),
             "INSERT INTO old "
             "SELECT sm_notice_event(id, version, kind), kind, id, enterprise, drill, "
             "sm_notice_payload(id, version), %lld, ack_deadline_ms "
             "FROM (SELECT id, version, enterprise, drill, ack_deadline_ms, "
             "CASE WHEN version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS kind "
             "FROM orders WHERE id BETWEEN %lld AND %lld ORDER BY id);"
             "INSERT INTO old "
             "SELECT sm_notice_event(id, version, 'order_lifted'), 'order_lifted', id, "
             "enterprise, drill, sm_notice_payload(id, version), %lld, NULL "
             "FROM orders WHERE ended_decision_id = %lld AND status = 'lifted' ORDER BY id",
             (long long)now, (long long)first, (long long)last, (long long)now,
             (long long)decision);
    CHECK_INT(exec(a, sql), SQLITE_OK);
}

#define ORDER_NOTICES "SELECT event_id, kind, order_id, enterprise, drill, payload, created_ms, " \
                      "deadline_ms FROM outbox WHERE kind LIKE 'order_%'"

static void
test_expanded_notices_are_the_old_issuance_ones(void)
{
    struct app a;
    struct dispatch_config cfg;
    bool more = true;
    int64_t n1, n2, d1, d2, d3, issued;

    open_app(&a, ":memory:", 1500);
    load_config(&cfg, ":memory:");
    warn(&a, "W-1", "yellow", "alert", "");
    n1 = fixture_one_int(&a, "SELECT count(*) FROM orders");
    CHECK(n1 > 500);
    /* one notice for the decision, with its outbox_decisions row */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox"), 1);
    d1 = fixture_one_int(&a, "SELECT max(id) FROM decisions");
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox_decisions r JOIN outbox x "
                          "ON x.id = r.outbox_id WHERE x.kind = 'decision_orders' "
                          "AND x.enterprise IS NULL AND x.order_id IS NULL AND r.first_id = 1 "
                          "AND r.last_id = (SELECT max(id) FROM orders) AND r.upto = 0"),
              1);
    /* counted as owed before the expansion */
    int64_t owed = 0;
    CHECK_INT(store_outbox_count(a.store, "order_issued", 0, &owed), SM_OK);
    CHECK_INT(owed, n1);
    old_issuance_notices(&a, 1, n1, d1, T0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM (SELECT * FROM old EXCEPT SELECT "
                          "event_id, kind, order_id, enterprise, drill, payload, created_ms, "
                          "deadline_ms FROM outbox_owed)"),
              0);
    CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 5, 0, &more), SM_OK);
    CHECK(!more);

    /* red: every order superseded; then a cancel: every order lifted */
    clock_advance_to(&a.clock, T0 + 60000);
    warn(&a, "W-2", "red", "update", ",\"references\":[\"W-1\"]");
    d2 = fixture_one_int(&a, "SELECT max(id) FROM decisions");
    n2 = fixture_one_int(&a, "SELECT count(*) FROM orders") - n1;
    CHECK_INT(n2, n1);
    old_issuance_notices(&a, n1 + 1, n1 + n2, d2, T0 + 60000);
    clock_advance_to(&a.clock, T0 + 120000);
    warn(&a, "W-3", "none", "cancel", ",\"references\":[\"W-1\",\"W-2\"]");
    d3 = fixture_one_int(&a, "SELECT max(id) FROM decisions");
    old_issuance_notices(&a, 0, -1, d3, T0 + 120000);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM old WHERE kind = 'order_lifted'"), n2);
    CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 130000, 0, &more), SM_OK);

    /* the same rows both ways, each once, in the old order (issued, then
     * superseded, then lifted; order id within each) */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM old"), 3 * n1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind LIKE 'order_%'"), 3 * n1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM (SELECT * FROM old EXCEPT " ORDER_NOTICES ")"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM (" ORDER_NOTICES " EXCEPT SELECT * FROM old)"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM old o JOIN outbox x ON x.event_id = o.event_id "
                          "JOIN old p ON p.rowid = o.rowid + 1 JOIN outbox y "
                          "ON y.event_id = p.event_id WHERE y.id <> x.id + 1 "
                          "AND y.kind = x.kind"),
              0);
    /* one file delivery per order notice, none for the decisions' notices */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries d JOIN outbox x ON x.id = d.outbox_id "
                          "WHERE x.kind LIKE 'order_%' AND d.channel = 'file'"),
              3 * n1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries d JOIN outbox x ON x.id = d.outbox_id "
                          "WHERE x.kind LIKE 'decision_%'"),
              0);
    /* the decisions' notices: expanded, settled, nothing owed */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind LIKE 'decision_%' "
                          "AND expanded_ms IS NOT NULL AND deadline_alerted = 2"),
              3);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox_owed"), 0);
    CHECK_INT(store_outbox_count(a.store, "order_issued", 0, &issued), SM_OK);
    CHECK_INT(issued, n1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE expanded_ms IS NULL"), 0);
    CHECK(d3 == d2 + 1 && d2 == d1 + 1);
    dispatch_config_release(&cfg);
    app_close(&a);
}

static void
test_expansion_is_sliced(void)
{
    struct app a;
    struct dispatch_config cfg;
    struct dispatch_stats st;
    struct delivery_counts dc;
    bool more = false;
    int64_t n, calls = 0, pending;

    open_app(&a, ":memory:", 1500);
    load_config(&cfg, ":memory:");
    warn(&a, "W-1", "orange", "alert", "");
    n = fixture_one_int(&a, "SELECT count(*) FROM orders");
    CHECK(n > 700);
    CHECK_INT(store_dispatch_stats(a.store, &st), SM_OK);
    CHECK_INT(st.outbox_pending, n);
    CHECK_INT(st.oldest_undelivered_ms, T0);
    CHECK_INT(store_delivery_counts(a.store, 0, NULL, &dc), SM_OK);
    CHECK_INT(dc.undelivered_notices, n);

    /* one call: exactly the budget, the cursor on the slice's last order */
    CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 1, 300, &more), SM_OK);
    CHECK(more);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind = 'order_issued'"), 300);
    CHECK_INT(fixture_one_int(&a, "SELECT upto FROM outbox_decisions"), 300);
    CHECK_INT(fixture_one_int(&a, "SELECT expanded_ms IS NULL FROM outbox WHERE kind = 'decision_orders'"),
              1);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox_owed"), n - 300);
    CHECK_INT(store_dispatch_stats(a.store, &st), SM_OK);
    CHECK_INT(st.outbox_pending, n); /* 300 with pending deliveries, the rest owed */
    /* a notice written after the decision's waits for its expansion to end */
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_outbox_add(a.store, "report:1:v1", "report", 0, NULL, 0, "{}", T0 + 1, 0),
              SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    pending = fixture_one_int(&a, "SELECT max(id) FROM outbox");
    do {
        int64_t before = fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind = 'order_issued'");
        CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 2, 300, &more), SM_OK);
        CHECK(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind = 'order_issued'") - before <=
              300);
        calls++;
    } while (more && calls < 100);
    CHECK(!more);
    CHECK_INT(calls, (n - 300 + 1 + 299) / 300);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind = 'order_issued'"), n);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) - count(DISTINCT order_id) FROM outbox "
                          "WHERE kind = 'order_issued'"),
              0);
    /* the report's delivery comes after every order's */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries d JOIN deliveries r ON r.outbox_id = "
                          "(SELECT max(id) FROM outbox WHERE kind = 'report') WHERE d.id > r.id"),
              0);
    CHECK(pending > 0);
    CHECK_INT(store_delivery_counts(a.store, 0, NULL, &dc), SM_OK);
    CHECK_INT(dc.undelivered_notices, n + 1);
    CHECK_INT(dc.pending, fixture_one_int(&a, "SELECT count(*) FROM deliveries"));
    CHECK(dc.pending >= n + 1);
    dispatch_config_release(&cfg);
    app_close(&a);
}

/* A child process opens the database, writes a slice with its deliveries
 * and dies before the COMMIT. */
static void
die_mid_slice(const char *db)
{
    pid_t pid = fork();
    int status = 0;

    CHECK(pid >= 0);
    if (pid == 0) {
        struct app c;
        struct dispatch_config cfg;
        struct store_owed_slice sl;
        struct sm_diag d = { 0 };
        int64_t id = 0;

        memset(&c, 0, sizeof(c));
        config_init_defaults(&c.cfg);
        free(c.cfg.db_path);
        c.cfg.db_path = strdup(db);
        clock_init_virtual(&c.clock, T0);
        if (app_open(&c, &d) != SM_OK || dispatch_config_load(&cfg, NULL, db, &d) != SM_OK)
            _exit(2);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(c.store->db, "SELECT id FROM outbox WHERE kind = "
                                            "'decision_orders'", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (store_begin(c.store) != SM_OK ||
            store_notices_write_owed(c.store, id, 250, T0, &sl) != SM_OK || sl.written != 250 ||
            store_delivery_add(c.store, sl.first_id, "file", "x", T0) != SM_OK)
            _exit(3);
        _exit(0); /* no COMMIT, no close: the WAL holds an unfinished transaction */
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_crash_mid_expansion(void)
{
    char dir[] = "/tmp/smogd-outbox-XXXXXX", db[128];
    struct app a;
    struct dispatch_config cfg;
    bool more = false;
    int64_t n;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(db, sizeof(db), "%s/smogd.db", dir);
    open_app(&a, db, 1200);
    load_config(&cfg, db);
    warn(&a, "W-1", "red", "alert", "");
    n = fixture_one_int(&a, "SELECT count(*) FROM orders");
    CHECK(n > 500);
    /* one committed slice */
    CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 1, 200, &more), SM_OK);
    CHECK(more);
    app_close(&a);

    die_mid_slice(db);

    /* restart: the dead process's slice is gone, the cursor where the
     * committed slice left it */
    open_app(&a, db, 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind = 'order_issued'"), 200);
    CHECK_INT(fixture_one_int(&a, "SELECT upto FROM outbox_decisions"), 200);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries"), 200);
    CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 2, 0, &more), SM_OK);
    CHECK(!more);
    /* every order's notice once, each with its one delivery */
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox WHERE kind = 'order_issued'"), n);
    CHECK_INT(fixture_one_int(&a, "SELECT count(DISTINCT event_id) FROM outbox "
                          "WHERE kind = 'order_issued'"),
              n);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM outbox x "
                          "WHERE x.order_id = o.id AND x.event_id = 'order:' || o.id || ':v1:order_issued')"),
              0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM deliveries"), n);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox x WHERE x.kind = 'order_issued' AND "
                          "(SELECT count(*) FROM deliveries d WHERE d.outbox_id = x.id) <> 1"),
              0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox_owed"), 0);
    /* an expansion with nothing left does nothing */
    CHECK_INT(dispatch_expand(a.store, &cfg, T0 + 3, 0, &more), SM_OK);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM outbox"), n + 1);
    dispatch_config_release(&cfg);
    app_close(&a);
    static const char *const ext[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        char p[160];
        snprintf(p, sizeof(p), "%s%s", db, ext[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void
test_write_owed_refuses_other_notices(void)
{
    struct app a;
    struct store_owed_slice sl;

    open_app(&a, ":memory:", 0);
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_outbox_add(a.store, "report:1:v1", "report", 0, NULL, 0, "{}", T0, 0), SM_OK);
    CHECK_INT(store_notices_write_owed(a.store, 1, 10, T0, &sl), SM_ERR_NOTFOUND);
    CHECK_INT(store_notices_write_owed(a.store, 1, 0, T0, &sl), SM_ERR_INVAL);
    store_rollback(a.store);
    CHECK(store_notice_is_decision("decision_orders"));
    CHECK(store_notice_is_decision("decision_lifted"));
    CHECK(!store_notice_is_decision("order_issued"));
    CHECK(!store_notice_is_decision(NULL));
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_expanded_notices_are_the_old_issuance_ones),
           CHECK_CASE(test_expansion_is_sliced), CHECK_CASE(test_crash_mid_expansion),
           CHECK_CASE(test_write_owed_refuses_other_notices))
