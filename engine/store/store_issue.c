/* Set-based issuance (see store_issue.h). One statement per kind of row,
 * each walking its input in an order the indexes like: new orders in
 * enterprise order (the unique (episode_id, enterprise, version) index and
 * orders_active are appended to at the right); then one notice per
 * decision and kind, which the dispatcher expands into the orders'
 * notices later (store_notices.c).
 *
 * Three things keep the per-order cost down (tests/bench/README.md):
 * - the list's enterprises are read by rowid: store_list_enterprises_fill
 *   writes a list's rows with one INSERT ... ORDER BY uscc, so they hold
 *   consecutive ids in uscc order, and a rowid range walks them in that
 *   order without a look-up through (list_id, uscc) per row;
 * - the foreign keys of the rows written here point at the episode, list
 *   and decision bound as parameters, or at orders the same statements
 *   read: those parents are checked once (parents_exist) and SQLite's
 *   per-row look-ups are switched off for these statements only (with
 *   SQLITE_DBCONFIG_ENABLE_FKEY, which, unlike the pragma, acts inside a
 *   transaction), then on again, whatever happened;
 * - the digest of the new orders is fed by sm_issued() as the INSERT makes
 *   each row, instead of reading the rows back;
 * - an order does not copy its measures from the list's row (see
 *   ISSUE_HEAD). */
#include "store/store_issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/sha256_stream.h"
#include "base/xalloc.h"
#include "store/store_int.h"
#include "store/store_notices.h"

/* The last order of each enterprise in episode ?1 (bare columns come from
 * the max(version) row). */
#define HELD                                                                                  \
    "(SELECT id, enterprise, max(version) AS version, level, status FROM orders "             \
    "WHERE episode_id = ?1 GROUP BY enterprise)"

/* Current orders the planner lifts; on_list from list ?2 (0: none). */
static const char SQL_LIFT[] =
    "UPDATE orders SET status = 'lifted', ended_ms = ?3, ended_decision_id = ?4, "
    "ack_room = NULL "
    "WHERE id IN (SELECT h.id FROM " HELD " h "
    "LEFT JOIN list_enterprises e ON e.list_id = ?2 AND e.uscc = h.enterprise "
    "WHERE (h.status = 'issued' OR h.status = 'acknowledged') "
    "AND sm_plan(h.enterprise, coalesce(e.town, ''), e.uscc IS NOT NULL, h.status, h.level, "
    "h.version) & 3 = 3)";

/* New orders. The inner query asks the planner once per enterprise: the
 * OFFSET keeps SQLite from flattening it into the outer one, which would
 * call sm_plan() once per use of act. It hands over only the row's id and
 * act: SQLite copies every text column a subquery hands over, and the
 * three levels' measures of each row were copied for one to be used; the
 * outer query reads the row again by id (CROSS JOIN: in that order). The list's rows are ids ?10..?11 in
 * uscc order (see the top of this file); NOT INDEXED keeps the planner on
 * that rowid range. sm_issued() feeds the digest and gives back the
 * version. The order's measures column stays '': its measures are the list
 * row's of its level, which readers take through STORE_ORDER_MEASURES
 * (store_int.h); the copy was a third of each order's bytes, written to the
 * table and again to the WAL. */
#define ISSUE_LEVEL                                                                           \
    "CASE (act >> 2) & 3 WHEN 1 THEN 'yellow' WHEN 2 THEN 'orange' WHEN 3 THEN 'red' END"
#define ISSUE_MEASURES                                                                        \
    "CASE (act >> 2) & 3 WHEN 1 THEN l.m_yellow WHEN 2 THEN l.m_orange WHEN 3 THEN l.m_red END"
#define ISSUE_HEAD                                                                            \
    "INSERT INTO orders (episode_id, enterprise, enterprise_name, town, version, level, "     \
    "list_id, drill, status, measures, decision_id, issued_ms, effective_from_ms, "           \
    "ack_deadline_ms, ack_room) "                                                             \
    "SELECT ?1, l.uscc, l.name, l.town, "                                                     \
    "sm_issued(l.uscc, " ISSUE_LEVEL ", act >> 4, " ISSUE_MEASURES "), "                      \
    ISSUE_LEVEL ", ?2, ?3, 'issued', '', "                                                  \
    "?4, ?5, ?6, CASE (act >> 2) & 3 WHEN 1 THEN ?7 WHEN 2 THEN ?8 WHEN 3 THEN ?9 END, "      \
    STORE_ACK_ROOM " "                                                                        \
    "FROM (SELECT e.id AS eid, "
#define ISSUE_TAIL                                                                            \
    "WHERE e.id BETWEEN ?10 AND ?11 AND e.list_id = ?2 ORDER BY e.id LIMIT -1 OFFSET 0) p "   \
    "CROSS JOIN list_enterprises l ON l.id = p.eid WHERE act & 3 BETWEEN 1 AND 2"

static const char SQL_ISSUE[] =
    ISSUE_HEAD "sm_plan(e.uscc, e.town, 1, h.status, h.level, coalesce(h.version, 0)) AS act "
    "FROM list_enterprises e NOT INDEXED LEFT JOIN " HELD " h ON h.enterprise = e.uscc "    \
    ISSUE_TAIL;
/* the same for an episode without orders yet (no join) */
static const char SQL_ISSUE_FRESH[] =
    ISSUE_HEAD "sm_plan(e.uscc, e.town, 1, NULL, NULL, 0) AS act "
    "FROM list_enterprises e NOT INDEXED " ISSUE_TAIL;

static const char SQL_SUPERSEDE[] =
    "UPDATE orders SET status = 'superseded', ended_ms = ?3, replaced_by = n.id, "
    "ended_decision_id = ?4, ack_room = NULL "
    "FROM (SELECT id, enterprise, version FROM orders WHERE id BETWEEN ?1 AND ?2) AS n "
    "WHERE orders.episode_id = ?5 AND orders.enterprise = n.enterprise "
    "AND orders.version = n.version - 1 "
    "AND (orders.status = 'issued' OR orders.status = 'acknowledged')";

/* One notice per decision and kind; the dispatcher writes the per-order
 * notices it stands for when it expands it (store_notices.c,
 * 0023_outbox_decisions.sql). */
static const char SQL_DECISION_NOTICE[] =
    "INSERT INTO outbox (event_id, kind, drill, payload, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_DECISION_ROW[] =
    "INSERT INTO outbox_decisions (outbox_id, decision_id, first_id, last_id) "
    "VALUES (last_insert_rowid(), ?1, ?2, ?3)";

static const char SQL_MAX_ID[] = "SELECT coalesce(max(id), 0) FROM orders";
static const char SQL_EPISODE_HAS[] = "SELECT EXISTS (SELECT 1 FROM orders WHERE episode_id = ?)";
/* the ids of a list's first and last enterprise in uscc order: its id range */
static const char SQL_LIST_FIRST[] =
    "SELECT id FROM list_enterprises WHERE list_id = ?1 ORDER BY uscc LIMIT 1";
static const char SQL_LIST_LAST[] =
    "SELECT id FROM list_enterprises WHERE list_id = ?1 ORDER BY uscc DESC LIMIT 1";
/* 1 when the decision's episode, the decision and the list (0: none) exist */
static const char SQL_PARENTS[] =
    "SELECT EXISTS (SELECT 1 FROM episodes WHERE id = ?1) "
    "AND EXISTS (SELECT 1 FROM decisions WHERE id = ?2) "
    "AND (?3 = 0 OR EXISTS (SELECT 1 FROM lists WHERE id = ?3))";

static enum sm_err
run(struct store *s, const char *sql, const int64_t *args, int nargs, int *changes)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    for (int i = 0; i < nargs; i++)
        sqlite3_bind_int64(st, i + 1, args[i]);
    err = store_exec_stmt(s, st);
    if (!err && changes)
        *changes = sqlite3_changes(s->db);
    return err;
}

static enum sm_err
one_int(struct store *s, const char *sql, int64_t arg, int64_t *out)
{
    sqlite3_stmt *st = store_stmt(s, sql);

    *out = 0;
    if (!st)
        return SM_ERR_DB;
    if (strchr(sql, '?'))
        sqlite3_bind_int64(st, 1, arg);
    return store_step_int64(s, st, out);
}

static enum sm_err
parents_exist(struct store *s, const struct store_issue_req *rq)
{
    sqlite3_stmt *st = store_stmt(s, SQL_PARENTS);
    int64_t ok = 0;
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, rq->episode_id);
    sqlite3_bind_int64(st, 2, rq->decision_id);
    sqlite3_bind_int64(st, 3, rq->list_id);
    err = store_step_int64(s, st, &ok);
    return err ? err : ok ? SM_OK : SM_ERR_DB;
}

/* Switches SQLite's foreign-key checks; every prepared statement is
 * prepared again at its next use with or without them. */
static enum sm_err
foreign_keys(struct store *s, bool on)
{
    int now = -1;
    int rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_FKEY, on ? 1 : 0, &now);

    return rc == SQLITE_OK && now == (on ? 1 : 0) ? SM_OK : store_err(s, SQLITE_ERROR);
}

/* ---- digests ---- */

#define US '\x1f' /* between fields */
#define RS '\x1e' /* after each order */

/* The rows' text goes to the digest in 16 KiB pieces: an update per field
 * costs more than the hashing of its few bytes. */
struct store_issue_digest {
    struct sm_sha256_stream *h;
    int64_t next_id; /* sm_issued(): the id the next row gets */
    int64_t count;
    size_t len;
    char data[16384];
};

static struct store_issue_digest *
digest_new(int64_t next_id)
{
    struct store_issue_digest *d = xmalloc(sizeof(*d));

    d->h = sm_sha256_stream_new();
    if (!d->h) {
        free(d);
        return NULL;
    }
    d->next_id = next_id;
    d->count = 0;
    d->len = 0;
    return d;
}

static void
put(struct store_issue_digest *d, const char *p, size_t n)
{
    if (d->len + n > sizeof(d->data)) {
        sm_sha256_stream_add(d->h, d->data, d->len);
        d->len = 0;
        if (n > sizeof(d->data)) {
            sm_sha256_stream_add(d->h, p, n);
            return;
        }
    }
    memcpy(d->data + d->len, p, n);
    d->len += n;
}

static void
put_text(struct store_issue_digest *d, const char *t, size_t n, char sep)
{
    if (t)
        put(d, t, n);
    put(d, &sep, 1);
}

static void
put_int(struct store_issue_digest *d, int64_t v, bool zero_empty, char sep)
{
    char t[24];
    size_t n = jsonw_fmt_int(t, v);

    put(d, t, v == 0 && zero_empty ? 0 : n);
    put(d, &sep, 1);
}

/* The row of one new order, as store_orders_digest reads it back. */
static void
put_order(struct store_issue_digest *d, int64_t id, const char *ent, size_t nent,
          const char *level, size_t nlevel, int64_t version, const char *measures,
          size_t nmeasures)
{
    d->count++;
    put_int(d, id, false, US);
    put_text(d, ent, nent, US);
    put_text(d, level, nlevel, US);
    put_int(d, version, false, US);
    put_text(d, measures, nmeasures, RS);
}

/* Frees d; hex "" when d is NULL. */
static void
digest_finish(struct store_issue_digest *d, char hex[65])
{
    hex[0] = '\0';
    if (!d)
        return;
    sm_sha256_stream_add(d->h, d->data, d->len);
    sm_sha256_stream_finish(d->h, hex);
    free(d);
}

static void
digest_free(struct store_issue_digest *d)
{
    if (d) {
        sm_sha256_stream_free(d->h);
        free(d);
    }
}

void
store_issue_digest_row(struct store *s, const char *ent, size_t nent, const char *level,
                       size_t nlevel, int64_t version, const char *measures, size_t nmeasures)
{
    struct store_issue_digest *d = s->issue_digest;

    put_order(d, d->next_id++, ent, nent, level, nlevel, version, measures, nmeasures);
}

static enum sm_err
issue_new(struct store *s, const struct store_issue_req *rq, bool held, int64_t before,
          int *added, char hex[65])
{
    int64_t lo = 0, hi = 0;
    enum sm_err err = one_int(s, SQL_LIST_FIRST, rq->list_id, &lo);

    if (!err)
        err = one_int(s, SQL_LIST_LAST, rq->list_id, &hi);
    if (err)
        return err;
    s->issue_digest = digest_new(before + 1);
    if (!s->issue_digest)
        return SM_ERR_DB;
    int64_t a[] = { rq->episode_id, rq->list_id, rq->drill, rq->decision_id, rq->now_ms,
                    rq->effective_from_ms, rq->ack_deadline_ms[LEVEL_YELLOW],
                    rq->ack_deadline_ms[LEVEL_ORANGE], rq->ack_deadline_ms[LEVEL_RED], lo, hi };
    err = run(s, held ? SQL_ISSUE : SQL_ISSUE_FRESH, a, 11, added);
    /* every row went through sm_issued() once, in id order */
    if (!err && s->issue_digest->count != *added)
        err = SM_ERR_DB;
    if (err || *added == 0)
        digest_free(s->issue_digest); /* no digest when no orders */
    else
        digest_finish(s->issue_digest, hex);
    s->issue_digest = NULL;
    return err;
}

/* The decision's notice of one kind: decision_orders for the new orders
 * a..b, decision_lifted for the a orders it lifted. */
static enum sm_err
decision_notice(struct store *s, const struct store_issue_req *rq, const char *kind, int64_t a,
                int64_t b)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DECISION_NOTICE);
    bool orders = strcmp(kind, STORE_NOTICE_DECISION_ORDERS) == 0;
    char event_id[64], payload[128];
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    snprintf(event_id, sizeof(event_id), "decision:%lld:%s", (long long)rq->decision_id,
             orders ? "orders" : "lifted");
    if (orders)
        snprintf(payload, sizeof(payload), "{\"decision_id\":%lld,\"first_id\":%lld,\"last_id\":%lld}",
                 (long long)rq->decision_id, (long long)a, (long long)b);
    else
        snprintf(payload, sizeof(payload), "{\"decision_id\":%lld,\"lifted\":%lld}",
                 (long long)rq->decision_id, (long long)a);
    store_bind_text(st, 1, event_id);
    store_bind_text(st, 2, kind);
    sqlite3_bind_int(st, 3, rq->drill);
    store_bind_text(st, 4, payload);
    sqlite3_bind_int64(st, 5, rq->now_ms);
    if ((err = store_exec_stmt(s, st)) != SM_OK)
        return err;
    int64_t r[] = { rq->decision_id, orders ? a : 0, orders ? b : 0 };
    return run(s, SQL_DECISION_ROW, r, 3, NULL);
}

/* The statements that write rows; foreign-key checks off (see the top). */
static enum sm_err
issue_rows(struct store *s, const struct store_issue_req *rq, struct store_issue_result *res)
{
    int64_t held = 0, before = 0;
    int added = 0;
    enum sm_err err;

    err = one_int(s, SQL_EPISODE_HAS, rq->episode_id, &held);
    /* lifts first: the planner sees the episode as it was */
    if (!err && held) {
        int64_t a[] = { rq->episode_id, rq->list_id, rq->now_ms, rq->decision_id };
        err = run(s, SQL_LIFT, a, 4, &res->lifted);
    }
    if (!err)
        err = one_int(s, SQL_MAX_ID, 0, &before);
    if (!err && rq->list_id)
        err = issue_new(s, rq, held, before, &added, res->digest);
    if (!err && added > 0) {
        res->last_id = sqlite3_last_insert_rowid(s->db);
        res->first_id = res->last_id - added + 1;
        /* rowids of one INSERT ... SELECT follow max(id) + 1, which is what
         * sm_issued() counted from */
        if (res->first_id != before + 1)
            err = SM_ERR_DB;
    }
    if (!err && added > 0 && held) {
        int64_t a[] = { res->first_id, res->last_id, rq->now_ms, rq->decision_id,
                        rq->episode_id };
        err = run(s, SQL_SUPERSEDE, a, 5, &res->superseded);
    }
    /* new orders first, then lifts: the order their notices always had */
    if (!err && added > 0)
        err = decision_notice(s, rq, STORE_NOTICE_DECISION_ORDERS, res->first_id, res->last_id);
    if (!err && res->lifted > 0)
        err = decision_notice(s, rq, STORE_NOTICE_DECISION_LIFTED, res->lifted, 0);
    res->issued = added - res->superseded;
    return err;
}

enum sm_err
store_orders_issue(struct store *s, const struct store_issue_req *rq,
                   struct store_issue_result *res)
{
    enum sm_err err, on;

    memset(res, 0, sizeof(*res));
    err = parents_exist(s, rq);
    if (err)
        return err;
    s->plan_fn = rq->plan;
    s->plan_arg = rq->plan_arg;
    err = foreign_keys(s, false);
    if (!err)
        err = issue_rows(s, rq, res);
    on = foreign_keys(s, true);
    s->plan_fn = NULL;
    s->plan_arg = NULL;
    return err ? err : on;
}

static const char SQL_DIGEST_NEW[] =
    "SELECT o.id, o.enterprise, o.level, o.version, " STORE_ORDER_MEASURES("o") " "
    "FROM orders o WHERE o.id BETWEEN ?1 AND ?2 ORDER BY o.id";
static const char SQL_DIGEST_ENDED[] =
    "SELECT id, status, coalesce(replaced_by, 0) FROM orders WHERE ended_decision_id = ?1 "
    "ORDER BY id";

static const char *
col_text(sqlite3_stmt *st, int col, size_t *n)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    *n = (size_t)sqlite3_column_bytes(st, col);
    return (const char *)t;
}

static enum sm_err
digest(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *count, char hex[65])
{
    sqlite3_stmt *st = store_stmt(s, sql);
    struct store_issue_digest *d;
    bool ended = sql == SQL_DIGEST_ENDED;
    size_t n1, n2, n4;
    int rc;

    *count = 0;
    hex[0] = '\0';
    if (!st)
        return SM_ERR_DB;
    d = digest_new(0);
    if (!d)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, a);
    if (!ended)
        sqlite3_bind_int64(st, 2, b);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (ended) {
            const char *status = col_text(st, 1, &n1);
            d->count++;
            put_int(d, sqlite3_column_int64(st, 0), false, US);
            put_text(d, status, n1, US);
            put_int(d, sqlite3_column_int64(st, 2), true, RS); /* replaced_by */
        } else {
            const char *ent = col_text(st, 1, &n1);
            const char *level = col_text(st, 2, &n2);
            const char *measures = col_text(st, 4, &n4);
            put_order(d, sqlite3_column_int64(st, 0), ent, n1, level, n2,
                      sqlite3_column_int64(st, 3), measures, n4);
        }
    }
    sqlite3_reset(st);
    *count = d->count;
    digest_finish(d, hex);
    if (rc != SQLITE_DONE)
        return store_err(s, rc);
    return hex[0] ? SM_OK : SM_ERR_DB;
}

enum sm_err
store_orders_digest(struct store *s, int64_t first_id, int64_t last_id, int64_t *count,
                    char hex[65])
{
    return digest(s, SQL_DIGEST_NEW, first_id, last_id, count, hex);
}

enum sm_err
store_orders_ended_digest(struct store *s, int64_t decision_id, int64_t *count, char hex[65])
{
    return digest(s, SQL_DIGEST_ENDED, decision_id, 0, count, hex);
}

/* ---- the list's enterprises ---- */

/* name and town of the enterprise's first line (bare columns of min(id)) */
static const char SQL_FILL[] =
    "INSERT INTO list_enterprises (list_id, uscc, name, town, m_yellow, m_orange, m_red) "
    "SELECT list_id, uscc, name, town, my, mo, mr FROM "
    "(SELECT list_id, uscc, min(id), name, town, "
    "sm_measures(id, line, y_action, y_pct, y_text) AS my, "
    "sm_measures(id, line, o_action, o_pct, o_text) AS mo, "
    "sm_measures(id, line, r_action, r_pct, r_text) AS mr "
    "FROM list_lines WHERE list_id = ?1 GROUP BY uscc) ORDER BY uscc";

enum sm_err
store_list_enterprises_fill(struct store *s, int64_t list_id)
{
    int64_t a[] = { list_id };

    return run(s, SQL_FILL, a, 1, NULL);
}

static const char SQL_FILLED[] =
    "SELECT EXISTS (SELECT 1 FROM list_enterprises WHERE list_id = ?1)";

enum sm_err
store_list_enterprises_ensure(struct store *s, int64_t list_id)
{
    int64_t filled = 0;
    enum sm_err err = one_int(s, SQL_FILLED, list_id, &filled);

    return err || filled ? err : store_list_enterprises_fill(s, list_id);
}

static const char SQL_DECISION_DROP[] = "DELETE FROM decisions WHERE id = ?1";

enum sm_err
store_decision_drop(struct store *s, int64_t decision_id)
{
    int64_t a[] = { decision_id };

    return run(s, SQL_DECISION_DROP, a, 1, NULL);
}
