/* Set-based issuance (see store_issue.h). One statement per kind of row,
 * each walking its input in an order the indexes like: new orders in
 * enterprise order (the unique (episode_id, enterprise, version) index and
 * orders_active are appended to at the right), notices in id order. */
#include "store/store_issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/sha256_stream.h"
#include "base/xalloc.h"
#include "store/store_int.h"

/* The last order of each enterprise in episode ?1 (bare columns come from
 * the max(version) row). */
#define HELD                                                                                  \
    "(SELECT id, enterprise, max(version) AS version, level, status FROM orders "             \
    "WHERE episode_id = ?1 GROUP BY enterprise)"

/* Current orders the planner lifts; on_list from list ?2 (0: none). */
static const char SQL_LIFT[] =
    "UPDATE orders SET status = 'lifted', ended_ms = ?3, ended_decision_id = ?4 "
    "WHERE id IN (SELECT h.id FROM " HELD " h "
    "LEFT JOIN list_enterprises e ON e.list_id = ?2 AND e.uscc = h.enterprise "
    "WHERE h.status IN ('issued','acknowledged') "
    "AND sm_plan(h.enterprise, coalesce(e.town, ''), e.uscc IS NOT NULL, h.status, h.level, "
    "h.version) & 3 = 3)";

/* New orders. The inner query asks the planner once per enterprise: the
 * OFFSET keeps SQLite from flattening it into the outer one, which would
 * call sm_plan() once per use of act. */
#define ISSUE_HEAD                                                                            \
    "INSERT INTO orders (episode_id, enterprise, enterprise_name, town, version, level, "     \
    "list_id, drill, status, measures, decision_id, issued_ms, effective_from_ms, "           \
    "ack_deadline_ms) "                                                                       \
    "SELECT ?1, uscc, name, town, act >> 4, "                                                 \
    "CASE (act >> 2) & 3 WHEN 1 THEN 'yellow' WHEN 2 THEN 'orange' WHEN 3 THEN 'red' END, "   \
    "?2, ?3, 'issued', "                                                                      \
    "CASE (act >> 2) & 3 WHEN 1 THEN m_yellow WHEN 2 THEN m_orange WHEN 3 THEN m_red END, "   \
    "?4, ?5, ?6, CASE (act >> 2) & 3 WHEN 1 THEN ?7 WHEN 2 THEN ?8 WHEN 3 THEN ?9 END "       \
    "FROM (SELECT e.uscc, e.name, e.town, e.m_yellow, e.m_orange, e.m_red, "
#define ISSUE_TAIL                                                                            \
    "WHERE e.list_id = ?2 ORDER BY e.uscc LIMIT -1 OFFSET 0) WHERE act & 3 IN (1, 2)"

static const char SQL_ISSUE[] =
    ISSUE_HEAD "sm_plan(e.uscc, e.town, 1, h.status, h.level, coalesce(h.version, 0)) AS act "
    "FROM list_enterprises e LEFT JOIN " HELD " h ON h.enterprise = e.uscc " ISSUE_TAIL;
/* the same for an episode without orders yet (no join) */
static const char SQL_ISSUE_FRESH[] =
    ISSUE_HEAD "sm_plan(e.uscc, e.town, 1, NULL, NULL, 0) AS act "
    "FROM list_enterprises e " ISSUE_TAIL;

static const char SQL_SUPERSEDE[] =
    "UPDATE orders SET status = 'superseded', ended_ms = ?3, replaced_by = n.id, "
    "ended_decision_id = ?4 "
    "FROM (SELECT id, enterprise, version FROM orders WHERE id BETWEEN ?1 AND ?2) AS n "
    "WHERE orders.episode_id = ?5 AND orders.enterprise = n.enterprise "
    "AND orders.version = n.version - 1 AND orders.status IN ('issued','acknowledged')";

static const char SQL_NOTICE_NEW[] =
    "INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms, "
    "deadline_ms) "
    "SELECT sm_notice_event(id, version, kind), kind, id, enterprise, drill, "
    "sm_notice_payload(id, version), ?3, ack_deadline_ms "
    "FROM (SELECT id, version, enterprise, drill, ack_deadline_ms, "
    "CASE WHEN version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS kind "
    "FROM orders WHERE id BETWEEN ?1 AND ?2 ORDER BY id)";

static const char SQL_NOTICE_LIFTED[] =
    "INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms, "
    "deadline_ms) "
    "SELECT sm_notice_event(id, version, 'order_lifted'), 'order_lifted', id, enterprise, drill, "
    "sm_notice_payload(id, version), ?2, NULL "
    "FROM orders WHERE ended_decision_id = ?1 AND status = 'lifted' ORDER BY id";

static const char SQL_MAX_ID[] = "SELECT coalesce(max(id), 0) FROM orders";
static const char SQL_FIRST_AFTER[] = "SELECT min(id) FROM orders WHERE id > ?";
static const char SQL_EPISODE_HAS[] = "SELECT EXISTS (SELECT 1 FROM orders WHERE episode_id = ?)";

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

enum sm_err
store_orders_issue(struct store *s, const struct store_issue_req *rq,
                   struct store_issue_result *res)
{
    int64_t held = 0, before = 0;
    int added = 0;
    enum sm_err err;

    memset(res, 0, sizeof(*res));
    s->plan_fn = rq->plan;
    s->plan_arg = rq->plan_arg;
    err = one_int(s, SQL_EPISODE_HAS, rq->episode_id, &held);
    /* lifts first: the planner sees the episode as it was */
    if (!err && held) {
        int64_t a[] = { rq->episode_id, rq->list_id, rq->now_ms, rq->decision_id };
        err = run(s, SQL_LIFT, a, 4, &res->lifted);
    }
    if (!err)
        err = one_int(s, SQL_MAX_ID, 0, &before);
    if (!err && rq->list_id) {
        int64_t a[] = { rq->episode_id, rq->list_id, rq->drill, rq->decision_id, rq->now_ms,
                        rq->effective_from_ms, rq->ack_deadline_ms[LEVEL_YELLOW],
                        rq->ack_deadline_ms[LEVEL_ORANGE], rq->ack_deadline_ms[LEVEL_RED] };
        err = run(s, held ? SQL_ISSUE : SQL_ISSUE_FRESH, a, 9, &added);
    }
    if (!err && added > 0) {
        err = one_int(s, SQL_FIRST_AFTER, before, &res->first_id);
        res->last_id = sqlite3_last_insert_rowid(s->db);
        /* rowids of one INSERT ... SELECT follow each other */
        if (!err && res->last_id - res->first_id + 1 != added)
            err = SM_ERR_DB;
    }
    if (!err && added > 0 && held) {
        int64_t a[] = { res->first_id, res->last_id, rq->now_ms, rq->decision_id,
                        rq->episode_id };
        err = run(s, SQL_SUPERSEDE, a, 5, &res->superseded);
    }
    if (!err && added > 0) {
        int64_t a[] = { res->first_id, res->last_id, rq->now_ms };
        err = run(s, SQL_NOTICE_NEW, a, 3, NULL);
    }
    if (!err && res->lifted > 0) {
        int64_t a[] = { rq->decision_id, rq->now_ms };
        err = run(s, SQL_NOTICE_LIFTED, a, 2, NULL);
    }
    res->issued = added - res->superseded;
    s->plan_fn = NULL;
    s->plan_arg = NULL;
    return err;
}

/* ---- digests ---- */

#define US '\x1f' /* between fields */
#define RS '\x1e' /* after each order */

static const char SQL_DIGEST_NEW[] =
    "SELECT id, enterprise, level, version, measures FROM orders WHERE id BETWEEN ?1 AND ?2 "
    "ORDER BY id";
static const char SQL_DIGEST_ENDED[] =
    "SELECT id, status, coalesce(replaced_by, 0) FROM orders WHERE ended_decision_id = ?1 "
    "ORDER BY id";

/* The rows' text goes to the digest in 16 KiB pieces: an update per field
 * costs more than the hashing of its few bytes. */
struct digest_buf {
    struct sm_sha256_stream *h;
    size_t len;
    char data[16384];
};

static void
put(struct digest_buf *d, const char *p, size_t n)
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
put_text(struct digest_buf *d, sqlite3_stmt *st, int col, char sep)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    if (t)
        put(d, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
    put(d, &sep, 1);
}

static void
put_int(struct digest_buf *d, int64_t v, bool zero_empty, char sep)
{
    char t[24];
    size_t n = jsonw_fmt_int(t, v);

    put(d, t, v == 0 && zero_empty ? 0 : n);
    put(d, &sep, 1);
}

static enum sm_err
digest(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *count, char hex[65])
{
    sqlite3_stmt *st = store_stmt(s, sql);
    struct digest_buf *d;
    bool ended = sql == SQL_DIGEST_ENDED;
    int rc;

    *count = 0;
    hex[0] = '\0';
    if (!st)
        return SM_ERR_DB;
    d = xmalloc(sizeof(*d));
    d->len = 0;
    d->h = sm_sha256_stream_new();
    if (!d->h) {
        free(d);
        return SM_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, a);
    if (!ended)
        sqlite3_bind_int64(st, 2, b);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        (*count)++;
        put_int(d, sqlite3_column_int64(st, 0), false, US);
        if (ended) {
            put_text(d, st, 1, US);                                  /* status */
            put_int(d, sqlite3_column_int64(st, 2), true, RS);       /* replaced_by */
        } else {
            put_text(d, st, 1, US);                                  /* enterprise */
            put_text(d, st, 2, US);                                  /* level */
            put_int(d, sqlite3_column_int64(st, 3), false, US);      /* version */
            put_text(d, st, 4, RS);                                  /* measures */
        }
    }
    sqlite3_reset(st);
    sm_sha256_stream_add(d->h, d->data, d->len);
    sm_sha256_stream_finish(d->h, hex);
    free(d);
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
