/* Orders as the API shows them (contract §6), built straight from rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "base/timeutil.h"
#include "store/store_compliance.h"
#include "store/store_cols.h"
#include "store/store_int.h"
#include "store/store_orders.h"

/* an order's columns, with an acknowledgement still in the ack log read as
 * it will be once folded (the log joined as `al` by STORE_ACK_LOG_JOIN):
 * ORDER_COLUMNS, its measures, ORDER_COLUMNS_REST. STORE_LOGGED and
 * STORE_ORDER_MEASURES are spelled out or left to the statement: cppcheck
 * cannot expand a function-like macro inside another one's body. */
#define STATUS_AS_FOLDED "CASE WHEN al.seq IS NULL THEN o.status ELSE 'acknowledged' END"
#define ORDER_COLUMNS                                                                      \
    "o.id, o.enterprise, o.enterprise_name, o.episode_id, o.level, o.version, o.drill, "     \
    STATUS_AS_FOLDED ", "
#define ORDER_COLUMNS_REST                                                                 \
    ", o.issued_ms, o.effective_from_ms, o.ack_deadline_ms, "                                 \
    "CASE WHEN al.seq IS NULL THEN o.acknowledged_ms ELSE al.at_ms END, o.compliance, o.town, " \
    "o.list_id, CASE WHEN al.seq IS NULL THEN o.ack_by ELSE al.ack_by END, "                  \
    "CASE WHEN al.seq IS NULL THEN o.ack_channel ELSE al.channel END, "                       \
    "CASE WHEN al.seq IS NULL THEN o.ack_note ELSE al.note END, "                             \
    "CASE WHEN al.seq IS NULL THEN o.ack_contact ELSE al.contact END, "                       \
    "o.ended_ms, o.replaced_by, o.overdue, o.reissue_reason, "                                \
    "(SELECT l.industry FROM list_lines l WHERE l.list_id = o.list_id AND l.uscc = o.enterprise " \
    "LIMIT 1), (SELECT l.grade FROM list_lines l WHERE l.list_id = o.list_id AND "             \
    "l.uscc = o.enterprise LIMIT 1)"

static json_t *
order_row(sqlite3_stmt *st, int tz_min, int64_t now_ms)
{
    json_error_t je;
    json_t *measures = json_loads(store_col_text(st, 8), 0, &je);
    const char *status = store_col_text(st, 7);
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "enterprise", json_string(store_col_text(st, 1)));
    json_object_set_new(o, "enterprise_name", json_string(store_col_text(st, 2)));
    json_object_set_new(o, "town", json_string(store_col_text(st, 14)));
    json_object_set_new(o, "industry", json_string(store_col_text(st, 24)));
    json_object_set_new(o, "grade", json_string(store_col_text(st, 25)));
    json_object_set_new(o, "episode_id", json_integer(sqlite3_column_int64(st, 3)));
    json_object_set_new(o, "level", json_string(store_col_text(st, 4)));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int(st, 5)));
    json_object_set_new(o, "list_id", json_integer(sqlite3_column_int64(st, 15)));
    json_object_set_new(o, "drill", json_boolean(sqlite3_column_int(st, 6)));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "measures", measures ? measures : json_array());
    json_object_set_new(o, "issued_at", store_col_time_json(st, 9, tz_min));
    json_object_set_new(o, "effective_from", store_col_time_json(st, 10, tz_min));
    json_object_set_new(o, "ack_deadline", store_col_time_json(st, 11, tz_min));
    json_object_set_new(o, "acknowledged_at", store_col_time_json(st, 12, tz_min));
    json_object_set_new(o, "compliance", json_string(store_col_text(st, 13)));
    json_object_set_new(o, "overdue", json_boolean(strcmp(status, "issued") == 0 &&
                                                   (sqlite3_column_int(st, 22) ||
                                                    sqlite3_column_int64(st, 11) <= now_ms)));
    if (sqlite3_column_type(st, 12) != SQLITE_NULL)
        json_object_set_new(o, "ack", json_pack("{s:o,s:o,s:o,s:o}", "by", store_col_text_json(st, 16),
                                                "channel", store_col_text_json(st, 17), "note",
                                                store_col_text_json(st, 18), "contact",
                                                store_col_text_json(st, 19)));
    json_object_set_new(o, "ended_at", store_col_time_json(st, 20, tz_min));
    json_object_set_new(o, "replaced_by", store_col_int_json(st, 21));
    if (sqlite3_column_type(st, 23) != SQLITE_NULL)
        json_object_set_new(o, "reissue_reason", json_string(store_col_text(st, 23)));
    return o;
}

/* the columns of ORDER_COLUMNS at the same places, without the measures
 * text and the two list look-ups; a logged acknowledgement as folded */
static const char SQL_ACK_ONE[] =
    "SELECT o.id, o.enterprise, o.enterprise_name, o.episode_id, o.level, o.version, o.drill, "
    STORE_LOGGED("o.status", "'acknowledged'") ", NULL, o.issued_ms, o.effective_from_ms, "
    "o.ack_deadline_ms, " STORE_LOGGED("o.acknowledged_ms", "al.at_ms") ", o.compliance, o.town, "
    "o.list_id, " STORE_LOGGED("o.ack_by", "al.ack_by") ", "
    STORE_LOGGED("o.ack_channel", "al.channel") ", "
    STORE_LOGGED("o.ack_note", "al.note") ", " STORE_LOGGED("o.ack_contact", "al.contact") ", "
    "o.ended_ms, o.replaced_by, o.overdue, o.reissue_reason FROM orders o" STORE_ACK_LOG_JOIN("o")
    " WHERE o.id = ?1";

/* The row an acknowledgement's reply is written from, at the places of
 * SQL_ACK_ONE: a statement's result (store_order_ack_text) or the
 * arguments of sm_ack_reply() inside the acknowledging UPDATE. */
struct ack_cols {
    sqlite3_stmt *st;     /* either */
    sqlite3_value **argv; /* or */
};

static bool
ack_null(const struct ack_cols *c, int i)
{
    return (c->st ? sqlite3_column_type(c->st, i) : sqlite3_value_type(c->argv[i])) ==
           SQLITE_NULL;
}

static int64_t
ack_int(const struct ack_cols *c, int i)
{
    return c->st ? sqlite3_column_int64(c->st, i) : sqlite3_value_int64(c->argv[i]);
}

/* "" for SQL NULL */
static const char *
ack_text(const struct ack_cols *c, int i)
{
    const unsigned char *t =
        c->st ? sqlite3_column_text(c->st, i) : sqlite3_value_text(c->argv[i]);
    return t ? (const char *)t : "";
}

static bool
ack_time_w(struct buf *b, const struct ack_cols *c, int i, int tz_min)
{
    return ack_null(c, i) ? buf_add(b, "null", 4) : store_time_jsonw(b, ack_int(c, i), tz_min);
}

static bool
ack_text_w(struct buf *b, const struct ack_cols *c, int i)
{
    return ack_null(c, i) ? buf_add(b, "null", 4) : jsonw_str(b, ack_text(c, i));
}

/* the order as order_row() shows it without "measures", "industry" and
 * "grade" (the client has them from the order it acks), in the same key
 * order; overdue as order_row() at now_ms = 0 (test_warnings_orders.py
 * compares the two). */
static bool
ack_row_text(struct buf *b, const struct ack_cols *c, int tz_min)
{
    const char *status = ack_text(c, 7);
    bool overdue = strcmp(status, "issued") == 0 && (ack_int(c, 22) || ack_int(c, 11) <= 0);
    bool ok = buf_addlit(b, "{\"id\":") && jsonw_int(b, ack_int(c, 0)) &&
              buf_addlit(b, ",\"enterprise\":") && jsonw_str(b, ack_text(c, 1)) &&
              buf_addlit(b, ",\"enterprise_name\":") && jsonw_str(b, ack_text(c, 2)) &&
              buf_addlit(b, ",\"town\":") && jsonw_str(b, ack_text(c, 14)) &&
              buf_addlit(b, ",\"episode_id\":") && jsonw_int(b, ack_int(c, 3)) &&
              buf_addlit(b, ",\"level\":") && jsonw_str(b, ack_text(c, 4)) &&
              buf_addlit(b, ",\"version\":") && jsonw_int(b, (int)ack_int(c, 5)) &&
              buf_addlit(b, ",\"list_id\":") && jsonw_int(b, ack_int(c, 15)) &&
              buf_addstr(b, ack_int(c, 6) ? ",\"drill\":true" : ",\"drill\":false") &&
              buf_addlit(b, ",\"status\":") && jsonw_str(b, status) &&
              buf_addlit(b, ",\"issued_at\":") && ack_time_w(b, c, 9, tz_min) &&
              buf_addlit(b, ",\"effective_from\":") && ack_time_w(b, c, 10, tz_min) &&
              buf_addlit(b, ",\"ack_deadline\":") && ack_time_w(b, c, 11, tz_min) &&
              buf_addlit(b, ",\"acknowledged_at\":") && ack_time_w(b, c, 12, tz_min) &&
              buf_addlit(b, ",\"compliance\":") && jsonw_str(b, ack_text(c, 13)) &&
              buf_addstr(b, overdue ? ",\"overdue\":true" : ",\"overdue\":false");

    if (ok && !ack_null(c, 12))
        ok = buf_addlit(b, ",\"ack\":{\"by\":") && ack_text_w(b, c, 16) &&
             buf_addlit(b, ",\"channel\":") && ack_text_w(b, c, 17) &&
             buf_addlit(b, ",\"note\":") && ack_text_w(b, c, 18) &&
             buf_addlit(b, ",\"contact\":") && ack_text_w(b, c, 19) && buf_addlit(b, "}");
    ok = ok && buf_addlit(b, ",\"ended_at\":") && ack_time_w(b, c, 20, tz_min) &&
         buf_addlit(b, ",\"replaced_by\":") &&
         (ack_null(c, 21) ? buf_add(b, "null", 4) : jsonw_int(b, ack_int(c, 21)));
    if (ok && !ack_null(c, 23))
        ok = buf_addlit(b, ",\"reissue_reason\":") && jsonw_str(b, ack_text(c, 23));
    return ok && buf_addlit(b, "}");
}

void
store_ack_reply_sqlfn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct store *s = sqlite3_user_data(ctx);
    struct ack_cols c = { NULL, argv };

    /* NULL: the acknowledgement's row keeps no room (migration 0022) */
    sqlite3_result_null(ctx);
    if (argc != STORE_ACK_REPLY_ARGS || !s->ack_reply)
        return;
    if (!ack_row_text(s->ack_reply, &c, s->ack_reply_tz))
        s->ack_reply_cut = true;
    s->ack_reply_done = true;
}

enum sm_err
store_order_ack_text(struct store *s, int64_t id, int tz_min, struct buf *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ACK_ONE);
    enum sm_err err = SM_OK;
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !ack_row_text(out, &(struct ack_cols){ st, NULL }, tz_min))
        err = SM_ERR_LIMIT;
    else if (rc == SQLITE_DONE)
        err = SM_ERR_NOTFOUND;
    else if (rc != SQLITE_ROW)
        err = store_err(s, rc);
    sqlite3_reset(st);
    return err;
}

/* One order, and its versions, with a logged acknowledgement as folded, so
 * that reading an order does not fold the log. */
static const char SQL_ONE[] = "SELECT " ORDER_COLUMNS STORE_ORDER_MEASURES("o") ORDER_COLUMNS_REST
                              " FROM orders o" STORE_ACK_LOG_JOIN("o") " WHERE o.id = ?";
static const char SQL_HISTORY[] =
    "SELECT h.id, h.version, h.level, " STORE_LOGGED("h.status", "'acknowledged'") ", h.issued_ms, "
    STORE_LOGGED("h.acknowledged_ms", "al.at_ms") ", h.ended_ms "
    "FROM orders h JOIN orders o ON o.episode_id = h.episode_id AND o.enterprise = h.enterprise"
    STORE_ACK_LOG_JOIN("h") " WHERE o.id = ? ORDER BY h.version";

enum sm_err
store_order_json(struct store *s, int64_t id, int tz_min, int with_history, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ONE);
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = order_row(st, tz_min, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return SM_ERR_NOTFOUND;
    if (rc != SQLITE_ROW)
        return store_err(s, rc);
    if (!with_history)
        return SM_OK;
    json_t *hist = json_array();
    st = store_stmt(s, SQL_HISTORY);
    if (!st) {
        json_decref(hist);
        return SM_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(hist, json_pack("{s:I,s:i,s:s,s:s,s:o,s:o,s:o}", "id",
                                              (json_int_t)sqlite3_column_int64(st, 0), "version",
                                              sqlite3_column_int(st, 1), "level",
                                              store_col_text(st, 2), "status",
                                              store_col_text(st, 3), "issued_at",
                                              store_col_time_json(st, 4, tz_min), "acknowledged_at",
                                              store_col_time_json(st, 5, tz_min), "ended_at",
                                              store_col_time_json(st, 6, tz_min)));
    sqlite3_reset(st);
    json_object_set_new(*out, "history", hist);
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return store_err(s, rc);
    }
    /* the per-line judgements behind "compliance", with their evidence */
    json_t *detail = NULL;
    enum sm_err err = store_order_compliance_detail(s, id, tz_min, &detail);
    if (err) {
        json_decref(*out);
        *out = NULL;
        return err;
    }
    json_object_set_new(*out, "compliance_detail", detail);
    return SM_OK;
}

/* Filters are bound parameters; an absent filter binds NULL and matches all.
 * The page and its total are two statements (store_page_json); the count
 * reads only what the filter needs. */
/* what an acknowledgement does not change, then what it does (the status,
 * overdue): with neither of the latter asked, the total needs no log */
#define ORDERS_FILTER_KEYS                                                                   \
    " WHERE (?1 IS NULL OR o.enterprise = ?1) "                                               \
    "AND (?3 IS NULL OR o.level = ?3) AND (?4 = 0 OR o.episode_id = ?4) "                      \
    "AND (?5 IS NULL OR o.compliance = ?5) "                                                  \
    "AND (?10 IS NULL OR o.town = ?10) "                                                      \
    "AND (?11 IS NULL OR EXISTS (SELECT 1 FROM list_lines l WHERE l.list_id = o.list_id "     \
    "AND l.uscc = o.enterprise AND l.industry = ?11)) "                                       \
    "AND (?12 IS NULL OR EXISTS (SELECT 1 FROM list_lines l WHERE l.list_id = o.list_id "     \
    "AND l.uscc = o.enterprise AND l.grade = ?12)) "
#define ORDERS_FILTER_ACKS                                                                   \
    "AND (?2 IS NULL OR " STATUS_AS_FOLDED " = ?2) "                                          \
    "AND (?6 < 0 OR (?6 = 1) = (o.status = 'issued' AND al.seq IS NULL AND "                  \
    "(o.overdue = 1 OR o.ack_deadline_ms <= ?7))) "
static const char SQL_FILTERED[] =
    "SELECT " ORDER_COLUMNS STORE_ORDER_MEASURES("o") ORDER_COLUMNS_REST " FROM orders o"
    STORE_ACK_LOG_JOIN("o") ORDERS_FILTER_KEYS ORDERS_FILTER_ACKS "ORDER BY o.id LIMIT ?8 OFFSET ?9";
static const char SQL_FILTERED_COUNT[] =
    "SELECT count(*) FROM orders o" STORE_ACK_LOG_JOIN("o") ORDERS_FILTER_KEYS ORDERS_FILTER_ACKS;
/* without the log: every order's look-up in it (187k: 150 ms) for nothing;
 * ?2, ?6 and ?7 are bound and unused */
static const char SQL_KEYS_COUNT[] = "SELECT count(*) FROM orders o" ORDERS_FILTER_KEYS;

static void
bind_filter(sqlite3_stmt *st, const void *filter)
{
    const struct order_filter *f = filter;

    store_bind_text(st, 1, f->enterprise);
    store_bind_text(st, 2, f->status);
    store_bind_text(st, 3, f->level);
    sqlite3_bind_int64(st, 4, f->episode_id);
    store_bind_text(st, 5, f->compliance);
    sqlite3_bind_int(st, 6, f->overdue);
    sqlite3_bind_int64(st, 7, f->now_ms);
    store_bind_text(st, 10, f->town);
    store_bind_text(st, 11, f->industry);
    store_bind_text(st, 12, f->grade);
}

/* what a row of the list needs to be shown */
struct listed_ctx {
    int tz_min;
    int64_t now_ms;
};

static json_t *
listed_order(sqlite3_stmt *st, const void *arg)
{
    const struct listed_ctx *c = arg;

    return order_row(st, c->tz_min, c->now_ms);
}

enum sm_err
store_orders_json(struct store *s, const struct order_filter *f, int tz_min, json_t **out)
{
    const struct listed_ctx c = { tz_min, f->now_ms };
    const struct store_page p = {
        .key = "orders",
        .page_sql = SQL_FILTERED,
        .count_sql = f->status || f->overdue >= 0 ? SQL_FILTERED_COUNT : SQL_KEYS_COUNT,
        .bind = bind_filter, .filter = f, .limit_param = 8, .limit = f->limit,
        .offset = f->offset, .row = listed_order, .row_arg = &c,
    };

    return store_page_json(s, &p, out);
}
