#ifndef SM_STORE_STORE_INT_H
#define SM_STORE_STORE_INT_H

/* Inside the store module only. */
#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

struct store_plan_in;
struct store_plan_out;
struct store_issue_digest;

#define STORE_STMT_CACHE 256
/* the value of orders.ack_room in a new order (migration 0022) */
#define STORE_ACK_ROOM "zeroblob(64)"
/* An order's measures. Orders issued by store_orders_issue keep '' in
 * orders.measures (no JSON text is empty): their measures are their list's
 * row for the enterprise at the order's level, list_enterprises.m_<level>,
 * the text older orders carry themselves (a list's rows are written once,
 * at import). T is the orders table's name or alias in the statement;
 * STORE_ORDER_MEASURES_JOINED is the same over a list_enterprises row J
 * the statement joined on (list_id, uscc) = (T.list_id, T.enterprise).
 * (Written out in each: cppcheck's preprocessor cannot expand a
 * function-like macro used inside another one's body.) */
#define STORE_ORDER_MEASURES(T)                                                              \
    "(CASE WHEN " T ".measures <> '' THEN " T ".measures ELSE (SELECT CASE " T ".level "       \
    "WHEN 'yellow' THEN om.m_yellow WHEN 'orange' THEN om.m_orange WHEN 'red' THEN om.m_red "  \
    "END FROM list_enterprises om WHERE om.list_id = " T ".list_id AND om.uscc = " T           \
    ".enterprise) END)"
#define STORE_ORDER_MEASURES_JOINED(T, J)                                                    \
    "(CASE WHEN " T ".measures <> '' THEN " T ".measures ELSE CASE " T ".level "               \
    "WHEN 'yellow' THEN " J ".m_yellow WHEN 'orange' THEN " J ".m_orange WHEN 'red' THEN " J   \
    ".m_red END END)"
/* An episode's orders in id order: the rowid range from its first order to
 * its last (both from the unique (episode_id, enterprise, version) index),
 * the episode compared on each row; "+" keeps the planner off that index,
 * which would need a sort (0024_orders_episode_drop.sql). T: the orders
 * table's alias, P: the episode's parameter. */
#define STORE_EPISODE_ORDERS(T, P)                                                           \
    T ".id BETWEEN (SELECT min(id) FROM orders WHERE episode_id = " P ") AND (SELECT max(id) "  \
    "FROM orders WHERE episode_id = " P ") AND +" T ".episode_id = " P
/* SQLite's page cache per connection, in KiB (PRAGMA cache_size=-N), and
 * the most the server's page pool takes (store_pagepool.c) */
#define STORE_CACHE_KIB 65536
/* The page size of a database smogd creates (PRAGMA page_size; a file that
 * exists keeps its own). An issuance appends hundreds of thousands of rows:
 * 8 KiB pages halve the WAL frames its COMMIT writes (two pwrites each) and
 * the pages its B-trees split, 10 % of a 187k-order issuance; 16 KiB gave
 * no more, and each random row an ack's fold rewrites costs a whole page. */
#define STORE_PAGE_BYTES 8192
/* the WAL's length kept when it starts over (PRAGMA journal_size_limit):
 * what a large transaction (an issuance, a fold) leaves it at, and what
 * serve writes it out to at start (store_sync.c) */
#define STORE_WAL_KEEP_BYTES 67108864
#define STORE_STMT_SLOTS 512 /* power of two, twice the cache */

/* An acknowledgement still in the ack log (store_acklog.c) read as it will
 * be once folded: a statement joins the order T's log row, found by the
 * seq the server holds (sm_ack_seq), as `al`, and takes a column from it
 * when there is one. */
#define STORE_LOGGED(col_o, col_l) "CASE WHEN al.seq IS NULL THEN " col_o " ELSE " col_l " END"
#define STORE_ACK_LOG_JOIN(T)                                                                \
    " LEFT JOIN ack_log al ON al.seq = sm_ack_seq(" T ".id) AND al.order_id = " T ".id AND " T \
    ".status = 'issued'"

/* orders with an acknowledgement in ack_log, by id: the row's seq
 * (store_acklog.c; open addressing, 0 = empty) */
struct store_acklog_entry {
    int64_t id, seq; /* side by side: one cache miss per look-up */
};
struct store_acklog_map {
    struct store_acklog_entry *e;
    size_t cap, n;
};

struct store_stmt {
    const char *sql; /* static text: its address is the cache key */
    sqlite3_stmt *stmt;
};

struct store {
    sqlite3 *db;
    char *path;
    bool in_tx;
    /* synchronous=NORMAL left behind by a deferred commit (store_sync.c);
     * sync_hold: a deferred transaction is starting, keep it */
    bool sync_normal, sync_hold;
    uint64_t errors;
    uint64_t commits;
    /* orders up to this (deadline, id) were looked at by a committed
     * overdue pass; the pass in the open transaction got to the pending
     * one (due_swept_moved: there is one) */
    struct due_mark { int64_t ms, id; } due_swept, due_swept_pending;
    bool due_swept_moved;
    struct store_stmt cache[STORE_STMT_CACHE];
    int cached;
    /* cache index + 1 by the text's address (0 = empty): a request runs
     * several statements, a linear search cost up to a few thousand
     * instructions each */
    uint16_t slot[STORE_STMT_SLOTS];
    /* the hash of the last audit row, known only inside the transaction
     * that wrote or read it (another process may append between ours) */
    char audit_head[65];
    bool audit_head_ok;
    /* the planner answering sm_plan() while store_orders_issue() runs */
    void (*plan_fn)(void *arg, const struct store_plan_in *in, struct store_plan_out *out);
    void *plan_arg;
    /* the digest of the new orders fed by sm_issued() while they are written */
    struct store_issue_digest *issue_digest;
    /* the reply sm_ack_reply() writes while store_order_ack_reply() runs
     * (NULL otherwise), in zone ack_reply_tz; done: it ran (the order was
     * acknowledged); cut: the buffer's cap was hit */
    struct buf *ack_reply;
    int ack_reply_tz;
    bool ack_reply_done, ack_reply_cut;
    /* ack_log_tx: the open transaction is a deferred ack group, whose acks
     * are appended to ack_log; acklog_folded: the open transaction folded
     * the log (the map is emptied when it commits) */
    struct store_acklog_map acklog;
    bool ack_log_tx, acklog_folded, acklog_ready;
    /* a file another process may have logged acks into (the server, for a
     * command's connection): every transaction looks; an in-memory
     * database's log holds only what this connection's map names */
    bool acklog_shared, acklog_look;
};

/* borrowed: a prepared, reset statement for static SQL text sql (cached for
 * the life of the store); NULL on error (store_errmsg says why). */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);
/* Converts an SQLite result code to enum sm_err and counts errors. */
enum sm_err store_err(struct store *s, int rc);
/* Steps a statement expected to finish (no rows). */
enum sm_err store_exec_stmt(struct store *s, sqlite3_stmt *st);
/* Steps a bound statement expected to give at most one row and reads its
 * first column into *out (left as it is when there is no row); resets. */
enum sm_err store_step_int64(struct store *s, sqlite3_stmt *st, int64_t *out);
/* A page of a filtered list (store_page.c): page_sql takes the filter's
 * parameters (bound by bind) and LIMIT and OFFSET as ?limit_param and the
 * one after; count_sql counts the same filter's matches. */
struct store_page {
    const char *key; /* the rows' name in the reply */
    const char *page_sql, *count_sql;
    void (*bind)(sqlite3_stmt *st, const void *filter);
    const void *filter;
    int limit_param, limit, offset;
    json_t *(*row)(sqlite3_stmt *st, const void *row_arg); /* new: one row's JSON */
    const void *row_arg;
};
/* new {key: [rows], "total", "limit", "offset"}: the page first, then the
 * count only when the page cannot tell the total. */
enum sm_err store_page_json(struct store *s, const struct store_page *p, json_t **out);
/* Steps a bound query and resets it: SM_OK when it gave a row,
 * SM_ERR_NOTFOUND when none. */
enum sm_err store_step_found(struct store *s, sqlite3_stmt *st);
/* Steps a bound INSERT and gives the new row's id. */
enum sm_err store_insert(struct store *s, sqlite3_stmt *st, int64_t *id);
/* Registers sm_measures() and sm_plan() (store_sqlfn.c) on s->db. */
enum sm_err store_register_functions(struct store *s);
/* BEGIN at synchronous=NORMAL (the COMMIT does not wait for the disk; the
 * setting stays for the next such transaction and store_sync_full puts
 * FULL back before any other): ack groups, whose flusher makes them
 * durable, and folds of the ack log, whose rows are durable already. */
SM_NODISCARD enum sm_err store_begin_normal(struct store *s);
/* Puts the connection back to synchronous=FULL if a deferred commit left
 * it at NORMAL and no transaction is open: called before any transaction
 * or write starts outside the deferred ones. SM_ERR_DB if it cannot. */
enum sm_err store_sync_full(struct store *s);
/* sm_issued(): one new order's row into s->issue_digest (store_issue.c),
 * its id counted from the first. */
void store_issue_digest_row(struct store *s, const char *ent, size_t nent, const char *level,
                            size_t nlevel, int64_t version, const char *measures,
                            size_t nmeasures);
/* sm_ack_reply(<the 24 columns of an acknowledgement's reply>): appends
 * the reply text to s->ack_reply (store_order_views.c); gives NULL. */
#define STORE_ACK_REPLY_ARGS 24
void store_ack_reply_sqlfn(sqlite3_context *ctx, int argc, sqlite3_value **argv);
/* The acknowledgement log (store_acklog.c). fold: inside an open
 * transaction, moves every logged ack into its order and empties the log
 * (nothing when it is empty). check: SM_ERR_CONFLICT when the order's ack
 * is in the log, SM_ERR_NOTFOUND when not. appended: the INSERT just run
 * logged the order's ack. forget: empties the map. Statements read a
 * logged ack through sm_ack_seq() (below). */
enum sm_err store_acklog_fold(struct store *s);
enum sm_err store_acklog_check(struct store *s, int64_t order_id);
void store_acklog_appended(struct store *s, int64_t order_id);
void store_acklog_forget(struct store *s);
/* sm_ack_seq(order id): the order's row in the ack log as the map knows it,
 * or NULL; for statements that read orders without a fold (the row itself
 * may be gone: join on it) */
void store_ack_seq_sqlfn(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void store_acklog_free(struct store *s);
/* Runs literal SQL (no parameters). */
enum sm_err store_exec(struct store *s, const char *sql);

static inline void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static inline const char *
store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

#endif
