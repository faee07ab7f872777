/* Reads behind replay and the episode report. */
#include "store/store_report.h"

#include <string.h>

#include "store/store_int.h"

static enum level
col_level(sqlite3_stmt *st, int i)
{
    enum level l = LEVEL_NONE;
    if (!level_parse(store_col_text(st, i), &l))
        l = LEVEL_NONE;
    return l;
}

static int64_t
col_ms(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

static const char SQL_LATEST[] = "SELECT max(id) FROM episodes WHERE drill = ?";

enum sm_err
store_episode_latest(struct store *s, int drill, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LATEST);
    int rc;

    *id = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = col_ms(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}

#define CURRENT "status IN ('issued','acknowledged')"
static const char SQL_FIGURES[] =
    "SELECT count(*) FILTER (WHERE " CURRENT "), "
    "count(*) FILTER (WHERE status = 'acknowledged'), "
    "count(*) FILTER (WHERE status = 'issued' AND (overdue = 1 OR ack_deadline_ms <= ?2)), "
    "count(*) FILTER (WHERE status = 'lifted'), count(*) FILTER (WHERE status = 'superseded'), "
    "count(*), count(DISTINCT enterprise), "
    "count(*) FILTER (WHERE " CURRENT " AND compliance = 'compliant'), "
    "count(*) FILTER (WHERE " CURRENT " AND compliance = 'violation'), "
    "count(*) FILTER (WHERE " CURRENT " AND compliance = 'unknown'), "
    "max(version) FILTER (WHERE " CURRENT "), "
    "min(CASE level WHEN 'yellow' THEN 1 WHEN 'orange' THEN 2 WHEN 'red' THEN 3 END) "
    "  FILTER (WHERE " CURRENT "), "
    "max(CASE level WHEN 'yellow' THEN 1 WHEN 'orange' THEN 2 WHEN 'red' THEN 3 END) "
    "  FILTER (WHERE " CURRENT ") "
    "FROM orders WHERE episode_id = ?1";

enum sm_err
store_episode_order_figures(struct store *s, int64_t episode_id, int64_t now_ms,
                            struct episode_order_figures *f)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FIGURES);
    int rc;

    memset(f, 0, sizeof(*f));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    sqlite3_bind_int64(st, 2, now_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t *slots[] = { &f->active, &f->acknowledged, &f->overdue, &f->lifted,
                             &f->superseded, &f->versions, &f->enterprises, &f->compliant,
                             &f->violation, &f->unknown };
        for (int i = 0; i < 10; i++)
            *slots[i] = sqlite3_column_int64(st, i);
        f->max_version = sqlite3_column_int(st, 10);
        f->min_level = (enum level)sqlite3_column_int(st, 11);
        f->max_level = (enum level)sqlite3_column_int(st, 12);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}

/* with the per-order notices decisions' notices still owe (0023) */
static const char SQL_OUTBOX_COUNT[] =
    "SELECT (SELECT count(*) FROM outbox WHERE kind = ?1 AND drill = ?2) + "
    "(SELECT count(*) FROM outbox_owed WHERE kind = ?1 AND drill = ?2)";

enum sm_err
store_outbox_count(struct store *s, const char *kind, int drill, int64_t *n)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OUTBOX_COUNT);
    int rc;

    *n = 0;
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, kind);
    sqlite3_bind_int(st, 2, drill);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}

static const char SQL_OUTBOX_SINCE[] =
    "SELECT id, kind, order_id, enterprise, drill, created_ms, event_id FROM outbox WHERE id > ? "
    "ORDER BY id";

enum sm_err
store_outbox_since(struct store *s, int64_t after_id, store_outbox_seen_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OUTBOX_SINCE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, after_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct outbox_seen r = { sqlite3_column_int64(st, 0), col_ms(st, 2), col_ms(st, 5),
                                store_col_text(st, 1), store_col_text(st, 3),
                                sqlite3_column_int(st, 4), store_col_text(st, 6) };
        fn(arg, &r);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_DECISIONS[] =
    "SELECT id, coalesce(episode_id, 0), at_ms, coalesce(warning_id, 0), drill, from_level, "
    "to_level, source, actor, reason, orders_issued, orders_superseded, orders_lifted "
    "FROM decisions WHERE id > ?1 AND (?2 = 0 OR episode_id = ?2) ORDER BY id";

enum sm_err
store_decisions_since(struct store *s, int64_t after_id, int64_t episode_id,
                      store_decision_row_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DECISIONS);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int64(st, 2, episode_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct decision_row d = {
            .id = sqlite3_column_int64(st, 0), .episode_id = sqlite3_column_int64(st, 1),
            .at_ms = sqlite3_column_int64(st, 2), .warning_id = sqlite3_column_int64(st, 3),
            .drill = sqlite3_column_int(st, 4), .from = col_level(st, 5), .to = col_level(st, 6),
            .source = store_col_text(st, 7), .actor = store_col_text(st, 8),
            .reason = store_col_text(st, 9), .issued = sqlite3_column_int(st, 10),
            .superseded = sqlite3_column_int(st, 11), .lifted = sqlite3_column_int(st, 12),
        };
        fn(arg, &d);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

/* The share of a line's emissions a measure removes: halt all, a measure
 * written with N% (limit, or an action added to take N) its N, voluntary
 * nothing that can be counted. */
#define SHARE "(CASE json_extract(m.value, '$.action') WHEN 'halt' THEN 1.0 " \
              "ELSE coalesce(json_extract(m.value, '$.limit_pct'), 0) / 100.0 END)"
static const char SQL_ORDERS[] =
    "SELECT o.id, o.issued_ms, o.ack_deadline_ms, o.acknowledged_ms, o.ended_ms, o.enterprise, "
    "o.enterprise_name, o.town, "
    "(SELECT industry FROM list_lines l WHERE l.id = (SELECT min(f.id) FROM list_lines f "
    " WHERE f.list_id = o.list_id AND f.uscc = o.enterprise)), "
    "o.status, o.compliance, o.ack_channel, o.level, o.version, "
    "o.overdue, "
    "(SELECT coalesce(sum(l.so2 * " SHARE "), 0) "
    "FROM json_each(" STORE_ORDER_MEASURES_JOINED("o", "me") ") m JOIN list_lines l "
    "  ON l.list_id = o.list_id AND l.uscc = o.enterprise "
    "  AND l.line = json_extract(m.value, '$.line')), "
    "(SELECT coalesce(sum(l.nox * " SHARE "), 0) "
    "FROM json_each(" STORE_ORDER_MEASURES_JOINED("o", "me") ") m JOIN list_lines l "
    "  ON l.list_id = o.list_id AND l.uscc = o.enterprise "
    "  AND l.line = json_extract(m.value, '$.line')), "
    "(SELECT coalesce(sum(l.pm * " SHARE "), 0) "
    "FROM json_each(" STORE_ORDER_MEASURES_JOINED("o", "me") ") m JOIN list_lines l "
    "  ON l.list_id = o.list_id AND l.uscc = o.enterprise "
    "  AND l.line = json_extract(m.value, '$.line')), "
    "(SELECT coalesce(sum(l.vocs * " SHARE "), 0) "
    "FROM json_each(" STORE_ORDER_MEASURES_JOINED("o", "me") ") m JOIN list_lines l "
    "  ON l.list_id = o.list_id AND l.uscc = o.enterprise "
    "  AND l.line = json_extract(m.value, '$.line')) "
    /* the orders' measures (store_int.h) over the list row joined as me */
    "FROM orders o LEFT JOIN list_enterprises me ON me.list_id = o.list_id "
    "AND me.uscc = o.enterprise WHERE " STORE_EPISODE_ORDERS("o", "?1") " ORDER BY o.id";

enum sm_err
store_report_orders(struct store *s, int64_t episode_id, store_report_order_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ORDERS);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct report_order_row o = {
            .id = sqlite3_column_int64(st, 0), .issued_ms = col_ms(st, 1),
            .ack_deadline_ms = col_ms(st, 2), .acknowledged_ms = col_ms(st, 3),
            .ended_ms = col_ms(st, 4), .enterprise = store_col_text(st, 5),
            .name = store_col_text(st, 6), .town = store_col_text(st, 7),
            .industry = store_col_text(st, 8), .status = store_col_text(st, 9),
            .compliance = store_col_text(st, 10), .ack_channel = store_col_text(st, 11),
            .level = col_level(st, 12), .version = sqlite3_column_int(st, 13),
            .overdue = sqlite3_column_int(st, 14),
        };
        for (int i = 0; i < 4; i++)
            o.promised_kg_day[i] = sqlite3_column_double(st, 15 + i);
        fn(arg, &o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_WARNINGS[] =
    "SELECT w.id, w.received_ms, w.start_ms, w.expires_ms, w.ended_ms, w.identifier, "
    "w.msg_type, w.status, w.state, w.reason, w.headline, w.pollutant, w.level, w.applied, "
    "w.drill FROM warnings w JOIN episodes e ON e.id = ?1 "
    "WHERE w.drill = e.drill AND w.received_ms >= e.opened_ms - 86400000 "
    "AND (e.closed_ms IS NULL OR w.received_ms <= e.closed_ms) ORDER BY w.received_ms, w.id";

enum sm_err
store_report_warnings(struct store *s, int64_t episode_id, store_report_warning_fn *fn,
                      void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_WARNINGS);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct report_warning_row w = {
            .id = sqlite3_column_int64(st, 0), .received_ms = col_ms(st, 1),
            .start_ms = col_ms(st, 2), .expires_ms = col_ms(st, 3), .ended_ms = col_ms(st, 4),
            .identifier = store_col_text(st, 5), .msg_type = store_col_text(st, 6),
            .status = store_col_text(st, 7), .state = store_col_text(st, 8),
            .reason = store_col_text(st, 9), .headline = store_col_text(st, 10),
            .pollutant = store_col_text(st, 11), .level = col_level(st, 12),
            .applied = sqlite3_column_int(st, 13), .drill = sqlite3_column_int(st, 14),
        };
        fn(arg, &w);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_LIST_REPORT[] =
    "SELECT report FROM lists WHERE id = (SELECT list_id FROM orders WHERE id = "
    "(SELECT min(id) FROM orders WHERE episode_id = ?))";

enum sm_err
store_report_list(struct store *s, int64_t episode_id, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LIST_REPORT);
    json_error_t je;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_loads(store_col_text(st, 0), 0, &je);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    if (!*out)
        *out = json_null();
    return SM_OK;
}
