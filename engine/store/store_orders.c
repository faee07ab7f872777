/* SQL for orders, acknowledgements and the outbox (a decision's orders are
 * written set-based: store_issue.c). */
#include "store/store_orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store_int.h"

static const char SQL_LIST_ACTIVE[] = "SELECT id FROM lists WHERE active = 1";

enum sm_err
store_list_active(struct store *s, int64_t *list_id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LIST_ACTIVE);

    *list_id = 0;
    if (!st)
        return SM_ERR_DB;
    return store_step_int64(s, st, list_id);
}

static const char SQL_OF_EPISODE[] =
    "SELECT id, enterprise, level, version, status FROM orders WHERE episode_id = ? "
    "ORDER BY enterprise, version";

enum sm_err
store_orders_of_episode(struct store *s, int64_t episode_id, store_order_head_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OF_EPISODE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct order_head o = { sqlite3_column_int64(st, 0), store_col_text(st, 1), LEVEL_NONE,
                                sqlite3_column_int(st, 3), store_col_text(st, 4) };
        (void)level_parse(store_col_text(st, 2), &o.level);
        fn(arg, &o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_ORDER_END[] =
    "UPDATE orders SET status = ?2, ended_ms = ?3, replaced_by = nullif(?4, 0), ack_room = NULL "
    "WHERE id = ?1 AND status IN ('issued','acknowledged')";

enum sm_err
store_order_end(struct store *s, int64_t id, const char *status, int64_t ended_ms,
                int64_t replaced_by)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ORDER_END);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, status);
    sqlite3_bind_int64(st, 3, ended_ms);
    sqlite3_bind_int64(st, 4, replaced_by);
    return store_exec_stmt(s, st);
}

/* an acknowledgement still in the ack log read as folded */
static const char SQL_ORDER_STATE[] =
    "SELECT o.id, o.episode_id, coalesce(" STORE_LOGGED("o.acknowledged_ms", "al.at_ms") ", 0), "
    "coalesce(o.replaced_by, 0), o.enterprise, " STORE_LOGGED("o.status", "'acknowledged'")
    ", o.drill, o.level FROM orders o" STORE_ACK_LOG_JOIN("o") " WHERE o.id = ?1";

enum sm_err
store_order_state(struct store *s, int64_t id, struct order_state *o)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ORDER_STATE);
    int rc;
    enum sm_err err = SM_ERR_NOTFOUND;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        o->id = sqlite3_column_int64(st, 0);
        o->episode_id = sqlite3_column_int64(st, 1);
        o->acknowledged_ms = sqlite3_column_int64(st, 2);
        o->replaced_by = sqlite3_column_int64(st, 3);
        snprintf(o->enterprise, sizeof(o->enterprise), "%s", store_col_text(st, 4));
        snprintf(o->status, sizeof(o->status), "%s", store_col_text(st, 5));
        o->drill = sqlite3_column_int(st, 6);
        o->level = LEVEL_NONE;
        (void)level_parse(store_col_text(st, 7), &o->level);
        err = SM_OK;
    } else if (rc != SQLITE_DONE) {
        err = store_err(s, rc);
    }
    sqlite3_reset(st);
    return err;
}

static const char SQL_ORDER_CURRENT[] =
    "SELECT id FROM orders WHERE episode_id = ? AND enterprise = ? AND status IN "
    "('issued','acknowledged') ORDER BY version DESC LIMIT 1";

enum sm_err
store_order_current(struct store *s, int64_t episode_id, const char *enterprise, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ORDER_CURRENT);

    *id = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    store_bind_text(st, 2, enterprise);
    return store_step_int64(s, st, id);
}

/* the enterprise is part of the WHERE clause: another firm's order cannot
 * be acknowledged whatever the caller checked before. The reply is written
 * by sm_ack_reply() from the row the UPDATE reads anyway: in SET, columns
 * are the row before the change, so the changed ones are passed as they
 * become (the order is not looked up again; UPDATE … RETURNING costs more
 * than that look-up: SQLite runs it through a temporary table). Arguments
 * at the places of store_order_ack_text's columns. */
#define ACK_REPLY_CALL                                                                       \
    "sm_ack_reply(id, enterprise, enterprise_name, episode_id, level, version, drill, "        \
    "'acknowledged', NULL, issued_ms, effective_from_ms, ack_deadline_ms, ?3, compliance, "    \
    "town, list_id, ?4, ?5, ?6, ?7, ended_ms, replaced_by, overdue, reissue_reason)"
static const char SQL_ACK[] =
    "UPDATE orders SET status = 'acknowledged', acknowledged_ms = ?3, ack_by = ?4, "
    "ack_channel = ?5, ack_note = ?6, ack_contact = ?7, ack_room = " ACK_REPLY_CALL " "
    "WHERE id = ?1 AND enterprise = ?2 AND status = 'issued'";

/* The same in a deferred ack group: the acknowledgement is appended to the
 * log (store_acklog.c), its reply written from the order's row as above. */
static const char SQL_ACK_LOGGED[] =
    "INSERT INTO ack_log (order_id, at_ms, ack_by, channel, note, contact, role, action) "
    "SELECT id, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM orders "
    "WHERE id = ?1 AND enterprise = ?2 AND status = 'issued' AND " ACK_REPLY_CALL " IS NULL";

enum sm_err
store_order_ack_reply(struct store *s, const struct order_ack *a, int tz_min, struct buf *out)
{
    sqlite3_stmt *st;
    enum sm_err err;

    if (s->ack_log_tx) {
        /* acknowledged already, in the log: the caller reads how */
        err = store_acklog_check(s, a->order_id);
        if (err != SM_ERR_NOTFOUND)
            return err;
    }
    st = store_stmt(s, s->ack_log_tx ? SQL_ACK_LOGGED : SQL_ACK);
    if (!st)
        return SM_ERR_DB;
    /* SQLITE_STATIC: a's strings outlive the statement's run, and the
     * bindings are cleared before returning */
    sqlite3_bind_int64(st, 1, a->order_id);
    sqlite3_bind_text(st, 2, a->enterprise, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, a->at_ms);
    if (a->by)
        sqlite3_bind_text(st, 4, a->by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, a->channel, -1, SQLITE_STATIC);
    if (a->note)
        sqlite3_bind_text(st, 6, a->note, -1, SQLITE_STATIC);
    if (a->contact)
        sqlite3_bind_text(st, 7, a->contact, -1, SQLITE_STATIC);
    if (s->ack_log_tx && a->role && a->action) {
        sqlite3_bind_text(st, 8, a->role, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, a->action, -1, SQLITE_STATIC);
    }
    s->ack_reply = out;
    s->ack_reply_tz = tz_min;
    s->ack_reply_done = s->ack_reply_cut = false;
    err = store_exec_stmt(s, st);
    s->ack_reply = NULL;
    sqlite3_clear_bindings(st);
    if (!err && sqlite3_changes(s->db) != 1)
        return SM_ERR_CONFLICT;
    if (!err && s->ack_log_tx)
        store_acklog_appended(s, a->order_id);
    if (!err && out && s->ack_reply_cut)
        return SM_ERR_LIMIT;
    if (!err && out && !s->ack_reply_done)
        return SM_ERR_DB; /* never expected: the row changed without its reply */
    return err;
}

bool
store_acks_logged(const struct store *s)
{
    return s->ack_log_tx;
}

void
store_order_object(char out[STORE_ORDER_OBJECT], int64_t id)
{
    memcpy(out, "order:", 6);
    out[6 + jsonw_fmt_int(out + 6, id)] = '\0';
}

/* the channel is one of two words (api_orders.c, replay): written without
 * printf for those (an ack flood's hot path) */
const char *
store_ack_audit_detail(const char *channel, char other[STORE_ACK_DETAIL])
{
    if (strcmp(channel, "enterprise") == 0)
        return "{\"channel\":\"enterprise\"}";
    if (strcmp(channel, "officer_phone") == 0)
        return "{\"channel\":\"officer_phone\"}";
    snprintf(other, STORE_ACK_DETAIL, "{\"channel\":\"%s\"}", channel);
    return other;
}

enum sm_err
store_order_ack(struct store *s, const struct order_ack *a)
{
    return store_order_ack_reply(s, a, 0, NULL);
}

/* The deadline watch reads orders_due: active orders not yet flagged, by
 * deadline (and id, the index's last column). An acknowledgement does not
 * take its order out of that index (it would cost every ack a write to
 * one more page); instead each pass looks only at the orders after the
 * (deadline, id) the last committed pass got to (s->due_swept), so an
 * order acknowledged in time is looked at once, by the pass that finds
 * its deadline passed. The mark is a pair so that a pass can stop after
 * `limit` orders of one deadline (a whole list's orders share it) and the
 * next go on from there. Two ranges, merged in index order: the rest of
 * the mark's deadline, then the later ones; one row-value comparison
 * would walk the mark's deadline from its first order every pass. */
static const char SQL_OVERDUE_SELECT[] =
    "SELECT id, enterprise, drill, ack_deadline_ms, status = 'issued' "
    "FROM orders INDEXED BY orders_due "
    "WHERE overdue = 0 AND ended_ms IS NULL AND ack_deadline_ms = ?1 AND id > ?2 "
    "AND ack_deadline_ms <= ?3 "
    "UNION ALL "
    "SELECT id, enterprise, drill, ack_deadline_ms, status = 'issued' "
    "FROM orders INDEXED BY orders_due "
    "WHERE overdue = 0 AND ended_ms IS NULL AND ack_deadline_ms > ?1 AND ack_deadline_ms <= ?3 "
    "ORDER BY 4, 1 LIMIT ?4";
static const char SQL_OVERDUE_MARK[] = "UPDATE orders SET overdue = 1 WHERE id = ?";

enum sm_err
store_orders_mark_overdue(struct store *s, int64_t now_ms, size_t limit, store_overdue_fn *fn,
                          void *arg, bool *more)
{
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, seen = 0;
    struct due_mark last = { 0, 0 };
    int rc;
    enum sm_err err = SM_OK;

    *more = false;
    st = store_stmt(s, SQL_OVERDUE_SELECT);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, s->due_swept.ms);
    sqlite3_bind_int64(st, 2, s->due_swept.id);
    sqlite3_bind_int64(st, 3, now_ms);
    sqlite3_bind_int64(st, 4, limit ? (int64_t)limit : -1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        last.id = sqlite3_column_int64(st, 0);
        last.ms = sqlite3_column_int64(st, 3);
        seen++;
        if (!sqlite3_column_int(st, 4))
            continue; /* acknowledged in time */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n++] = last.id;
        fn(arg, last.id, store_col_text(st, 1), sqlite3_column_int(st, 2));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        err = store_err(s, rc);
    for (size_t i = 0; !err && i < n; i++) {
        sqlite3_stmt *u = store_stmt(s, SQL_OVERDUE_MARK);
        if (!u) {
            err = SM_ERR_DB;
            break;
        }
        sqlite3_bind_int64(u, 1, ids[i]);
        err = store_exec_stmt(s, u);
    }
    free(ids);
    if (err)
        return err;
    /* the flags stand only if the transaction commits: so does the mark.
     * A pass that saw all there was moves it to now, also when the clock
     * was set back (the deadlines after now may belong to orders issued
     * since, which no pass has looked at). */
    *more = limit && seen == limit;
    if (*more) {
        s->due_swept_pending = last;
    } else {
        s->due_swept_pending.ms = now_ms;
        s->due_swept_pending.id = INT64_MAX;
    }
    s->due_swept_moved = true;
    return SM_OK;
}

/* The next deadline the watch has not looked at: perhaps of an order
 * acknowledged since, which costs one pass that finds nothing to flag. */
static const char SQL_NEXT_DEADLINE[] =
    "SELECT coalesce("
    "(SELECT ack_deadline_ms FROM orders INDEXED BY orders_due "
    " WHERE overdue = 0 AND ended_ms IS NULL AND ack_deadline_ms = ?1 AND id > ?2 LIMIT 1), "
    "(SELECT min(ack_deadline_ms) FROM orders INDEXED BY orders_due "
    " WHERE overdue = 0 AND ended_ms IS NULL AND ack_deadline_ms > ?1))";

enum sm_err
store_orders_next_deadline(struct store *s, int64_t *at_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_NEXT_DEADLINE);

    *at_ms = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, s->due_swept.ms);
    sqlite3_bind_int64(st, 2, s->due_swept.id);
    return store_step_int64(s, st, at_ms);
}

/* counts of active orders: read through orders_active (exactly the active
 * ones) instead of every version of the episode. An order acknowledged in
 * the ack log and not yet folded counts as acknowledged (the log's row
 * found by the seq the server holds): the status poll does not fold. */
#define COUNT_ACKED "(o.status = 'acknowledged' OR al.seq IS NOT NULL)"
#define COUNT_OVERDUE                                                                      \
    "(o.status = 'issued' AND al.seq IS NULL AND (o.overdue = 1 OR o.ack_deadline_ms <= ?2))"
#define COUNT_VIOLATION "(o.compliance = 'violation')"
#define COUNT_FROM " FROM orders o INDEXED BY orders_active"
#define COUNT_WHERE                                                                        \
    " WHERE o.ended_ms IS NULL AND o.status IN ('issued','acknowledged') AND o.episode_id = ?1"

static const char SQL_COUNTS[] =
    "SELECT count(*), count(*) FILTER (WHERE " COUNT_ACKED "), "
    "count(*) FILTER (WHERE " COUNT_OVERDUE "), count(*) FILTER (WHERE " COUNT_VIOLATION ")"
    COUNT_FROM STORE_ACK_LOG_JOIN("o") COUNT_WHERE;

/* the same, a slice at a time: the orders after the cursor in the index's
 * order, each with its three flags as bits (+ and *: SQLite's | and <<
 * bind alike, left to right) */
static const char SQL_COUNT_ROWS[] =
    "SELECT o.enterprise, o.id, " COUNT_ACKED " + 2 * " COUNT_OVERDUE " + 4 * " COUNT_VIOLATION
    COUNT_FROM STORE_ACK_LOG_JOIN("o") COUNT_WHERE
    " AND (o.enterprise, o.id) > (?3, ?4) ORDER BY o.enterprise, o.id";

enum sm_err
store_order_counts(struct store *s, int64_t episode_id, int64_t now_ms, struct order_counts *c)
{
    sqlite3_stmt *st = store_stmt(s, SQL_COUNTS);
    int rc;

    memset(c, 0, sizeof(*c));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    sqlite3_bind_int64(st, 2, now_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->active = sqlite3_column_int64(st, 0);
        c->acknowledged = sqlite3_column_int64(st, 1);
        c->overdue = sqlite3_column_int64(st, 2);
        c->violation = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

enum sm_err
store_order_counts_slice(struct store *s, int64_t episode_id, int64_t now_ms,
                         struct order_count_cursor *cur, int rows, struct order_counts *c)
{
    sqlite3_stmt *st = store_stmt(s, SQL_COUNT_ROWS);
    int rc = SQLITE_DONE, n = 0;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    sqlite3_bind_int64(st, 2, now_ms);
    store_bind_text(st, 3, cur->enterprise ? cur->enterprise : "");
    sqlite3_bind_int64(st, 4, cur->id);
    while (n < rows && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int flags = sqlite3_column_int(st, 2);

        n++;
        c->active++;
        c->acknowledged += flags & 1;
        c->overdue += (flags >> 1) & 1;
        c->violation += (flags >> 2) & 1;
        if (n == rows) {
            free(cur->enterprise);
            cur->enterprise = xstrdup((const char *)sqlite3_column_text(st, 0));
            cur->id = sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    cur->done = n < rows;
    return SM_OK;
}

static const char SQL_OUTBOX[] =
    "INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms, "
    "deadline_ms) VALUES (?,?,nullif(?3,0),?,?,?,?,nullif(?8,0))";

enum sm_err
store_outbox_add(struct store *s, const char *event_id, const char *kind, int64_t order_id,
                 const char *enterprise, int drill, const char *payload, int64_t now_ms,
                 int64_t deadline_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OUTBOX);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, event_id);
    store_bind_text(st, 2, kind);
    sqlite3_bind_int64(st, 3, order_id);
    store_bind_text(st, 4, enterprise);
    sqlite3_bind_int(st, 5, drill);
    store_bind_text(st, 6, payload);
    sqlite3_bind_int64(st, 7, now_ms);
    sqlite3_bind_int64(st, 8, deadline_ms);
    return store_exec_stmt(s, st);
}

static const char SQL_REISSUE[] =
    "INSERT INTO orders (episode_id, enterprise, enterprise_name, town, version, level, list_id, "
    "drill, status, measures, decision_id, issued_ms, effective_from_ms, ack_deadline_ms, "
    "reissue_reason, ack_room) SELECT o.episode_id, o.enterprise, o.enterprise_name, o.town, "
    "(SELECT max(version) + 1 FROM orders v WHERE v.episode_id = o.episode_id AND "
    "v.enterprise = o.enterprise), o.level, o.list_id, o.drill, 'issued', o.measures, "
    "o.decision_id, ?2, ?2, ?3, ?4, " STORE_ACK_ROOM " FROM orders o WHERE o.id = ?1 "
    "AND o.status IN ('issued','acknowledged') RETURNING id, version";

enum sm_err
store_order_reissue(struct store *s, int64_t id, int64_t now_ms, int64_t deadline_ms,
                    const char *reason, int64_t *new_id, int *version)
{
    sqlite3_stmt *st = store_stmt(s, SQL_REISSUE);
    int rc;

    *new_id = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    sqlite3_bind_int64(st, 3, deadline_ms);
    store_bind_text(st, 4, reason);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *new_id = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int(st, 1);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_err(s, rc);
    return *new_id ? SM_OK : SM_ERR_CONFLICT;
}
