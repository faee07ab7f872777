/* SQL for compliance evidence and line judgements. */
#include "store/store_compliance.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/store_cols.h"
#include "store/store_int.h"

#define HOUR_MS 3600000LL

static const char SQL_SAMPLE_PUT[] =
    "INSERT INTO meter_samples (uscc, line, metric, value, flow_m3_h, at_ms, received_ms, "
    "received_by) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (uscc, line, metric, at_ms) DO UPDATE "
    "SET value = excluded.value, flow_m3_h = excluded.flow_m3_h, "
    "received_ms = excluded.received_ms, received_by = excluded.received_by";

enum sm_err
store_sample_put(struct store *s, const struct meter_sample_rec *r, int64_t now_ms, const char *by)
{
    sqlite3_stmt *st = store_stmt(s, SQL_SAMPLE_PUT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, r->uscc);
    store_bind_text(st, 2, r->line);
    store_bind_text(st, 3, r->metric);
    sqlite3_bind_double(st, 4, r->value);
    if (r->has_flow)
        sqlite3_bind_double(st, 5, r->flow_m3_h);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, r->at_ms);
    sqlite3_bind_int64(st, 7, now_ms);
    store_bind_text(st, 8, by);
    return store_exec_stmt(s, st);
}

static const char SQL_INSPECTION_PUT[] =
    "INSERT INTO inspections (uscc, line, result, note, photo, at_ms, received_ms, inspector) "
    "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (uscc, line, at_ms) DO UPDATE SET "
    "result = excluded.result, note = excluded.note, photo = excluded.photo, "
    "received_ms = excluded.received_ms, inspector = excluded.inspector";

enum sm_err
store_inspection_put(struct store *s, const struct inspection_rec *r, int64_t now_ms,
                     const char *inspector)
{
    sqlite3_stmt *st = store_stmt(s, SQL_INSPECTION_PUT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, r->uscc);
    store_bind_text(st, 2, r->line);
    store_bind_text(st, 3, r->result);
    store_bind_text(st, 4, r->note ? r->note : "");
    store_bind_text(st, 5, r->photo);
    sqlite3_bind_int64(st, 6, r->at_ms);
    sqlite3_bind_int64(st, 7, now_ms);
    store_bind_text(st, 8, inspector);
    return store_exec_stmt(s, st);
}

static const char SQL_GATE_PUT[] =
    "INSERT INTO gate_records (uscc, plate, stage, stage_num, at_ms, received_ms, received_by) "
    "VALUES (?,?,?,?,?,?,?) ON CONFLICT (uscc, plate, at_ms) DO UPDATE SET "
    "stage = excluded.stage, stage_num = excluded.stage_num, "
    "received_ms = excluded.received_ms, received_by = excluded.received_by";

enum sm_err
store_gate_put(struct store *s, const struct gate_rec *r, int64_t now_ms, const char *by)
{
    sqlite3_stmt *st = store_stmt(s, SQL_GATE_PUT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, r->uscc);
    store_bind_text(st, 2, r->plate);
    store_bind_text(st, 3, r->stage);
    sqlite3_bind_int(st, 4, r->stage_num);
    sqlite3_bind_int64(st, 5, r->at_ms);
    sqlite3_bind_int64(st, 6, now_ms);
    store_bind_text(st, 7, by);
    return store_exec_stmt(s, st);
}

/* a line counts when a list anyone is working from names it: the active
 * list, or the version an active order was issued from */
static const char SQL_LINE_KNOWN[] =
    "SELECT 1 FROM list_lines WHERE uscc = ?1 AND (?2 IS NULL OR line = ?2) AND list_id IN "
    "(SELECT id FROM lists WHERE active = 1 UNION SELECT list_id FROM orders "
    "WHERE ended_ms IS NULL AND status IN ('issued','acknowledged')) LIMIT 1";

enum sm_err
store_line_known(struct store *s, const char *uscc, const char *line, bool *known)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LINE_KNOWN);
    int rc;

    *known = false;
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, uscc);
    store_bind_text(st, 2, line);
    rc = sqlite3_step(st);
    *known = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

/* T: the orders table's alias; its list row is joined as me (a join reads
 * it for less than a sub-query per order: 187k orders, 0.36 against 0.46 s
 * of the sqlite3 shell's user time). The measures column goes between
 * JUDGE_COLUMNS and JUDGE_COLUMNS_REST (cppcheck cannot expand a macro
 * used inside another one's body). */
#define JUDGE_COLUMNS(T)                                                                     \
    T ".id, " T ".episode_id, " T ".list_id, " T ".effective_from_ms, " T ".enterprise, "       \
    T ".town, " T ".level, " T ".drill, "
#define JUDGE_COLUMNS_REST(T) ", " T ".compliance, " T ".status, coalesce(" T ".ended_ms, 0)"
#define JUDGE_FROM(T)                                                                        \
    " LEFT JOIN list_enterprises me ON me.list_id = " T ".list_id AND me.uscc = " T           \
    ".enterprise "

/* orders_active holds exactly the active orders: read through it, a pass
 * skips the superseded and lifted versions that pile up over a season
 * (the planner scanned the whole table in id order) */
static const char SQL_TO_JUDGE[] =
    "SELECT " JUDGE_COLUMNS("orders") STORE_ORDER_MEASURES_JOINED("orders", "me")
    JUDGE_COLUMNS_REST("orders") " FROM orders INDEXED BY orders_active "
    JUDGE_FROM("orders")
    "WHERE orders.ended_ms IS NULL AND orders.status IN ('issued','acknowledged') "
    "AND (?1 = 0 OR orders.id = ?1) AND (?2 IS NULL OR orders.enterprise = ?2) "
    "AND (?3 = 0 OR EXISTS (SELECT 1 FROM meter_samples m WHERE m.uscc = orders.enterprise) "
    "OR EXISTS (SELECT 1 FROM inspections i WHERE i.uscc = orders.enterprise) "
    "OR EXISTS (SELECT 1 FROM gate_records g WHERE g.uscc = orders.enterprise)) "
    "ORDER BY orders.id";
static const char SQL_LATEST_OF_EPISODE[] =
    "SELECT " JUDGE_COLUMNS("o") STORE_ORDER_MEASURES_JOINED("o", "me") JUDGE_COLUMNS_REST("o")
    " FROM orders o" JUDGE_FROM("o") "WHERE o.episode_id = ?1 "
    "AND o.version = (SELECT max(version) FROM orders v WHERE v.episode_id = o.episode_id "
    "AND v.enterprise = o.enterprise) ORDER BY o.enterprise";

static enum sm_err
each_order(struct store *s, sqlite3_stmt *st, store_judge_order_fn *fn, void *arg)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct judge_order_view o = {
            .id = sqlite3_column_int64(st, 0),
            .episode_id = sqlite3_column_int64(st, 1),
            .list_id = sqlite3_column_int64(st, 2),
            .effective_from_ms = sqlite3_column_int64(st, 3),
            .enterprise = store_col_text(st, 4),
            .town = store_col_text(st, 5),
            .level = LEVEL_NONE,
            .drill = sqlite3_column_int(st, 7),
            .measures = store_col_text(st, 8),
            .compliance = store_col_text(st, 9),
            .status = store_col_text(st, 10),
            .ended_ms = sqlite3_column_int64(st, 11),
        };
        (void)level_parse(store_col_text(st, 6), &o.level);
        fn(arg, &o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

enum sm_err
store_orders_to_judge(struct store *s, int64_t order_id, const char *enterprise,
                      bool with_evidence_only, store_judge_order_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_TO_JUDGE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, order_id);
    store_bind_text(st, 2, enterprise);
    sqlite3_bind_int(st, 3, with_evidence_only);
    return each_order(s, st, fn, arg);
}

enum sm_err
store_orders_latest_of_episode(struct store *s, int64_t episode_id, store_judge_order_fn *fn,
                               void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LATEST_OF_EPISODE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    return each_order(s, st, fn, arg);
}

static const char SQL_LINE_FACTS[] =
    "SELECT so2, nox, pm, vocs, power_kw, town, industry, grade FROM list_lines "
    "WHERE list_id = ? AND uscc = ? AND line = ?";

enum sm_err
store_line_facts(struct store *s, int64_t list_id, const char *uscc, const char *line,
                 struct line_facts *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LINE_FACTS);
    enum sm_err err = SM_ERR_NOTFOUND;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    store_bind_text(st, 2, uscc);
    store_bind_text(st, 3, line);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->so2 = sqlite3_column_double(st, 0);
        out->nox = sqlite3_column_double(st, 1);
        out->pm = sqlite3_column_double(st, 2);
        out->vocs = sqlite3_column_double(st, 3);
        out->power_kw = sqlite3_column_double(st, 4);
        snprintf(out->town, sizeof(out->town), "%s", store_col_text(st, 5));
        snprintf(out->industry, sizeof(out->industry), "%s", store_col_text(st, 6));
        snprintf(out->grade, sizeof(out->grade), "%s", store_col_text(st, 7));
        err = SM_OK;
    } else if (rc != SQLITE_DONE) {
        err = store_err(s, rc);
    }
    sqlite3_reset(st);
    return err;
}

/* the hour (end - 1 h, end]: a sample exactly on the hour closes that hour */
static const char SQL_HOURLY[] =
    "SELECT ((at_ms + 3599999) / 3600000) * 3600000 AS hour_end, avg(value), count(*) "
    "FROM meter_samples WHERE uscc = ?1 AND line = ?2 AND metric = ?3 AND at_ms > ?4 "
    "AND at_ms <= ?5 GROUP BY hour_end ORDER BY hour_end";

enum sm_err
store_hourly_means(struct store *s, const char *uscc, const char *line, const char *metric,
                   int64_t from_ms, int64_t to_ms, store_hour_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_HOURLY);
    int rc;

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, uscc);
    store_bind_text(st, 2, line);
    store_bind_text(st, 3, metric);
    sqlite3_bind_int64(st, 4, from_ms);
    sqlite3_bind_int64(st, 5, to_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
           sqlite3_column_int64(st, 2));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_INSPECTIONS_OF[] =
    "SELECT at_ms, result, note, photo, inspector FROM inspections WHERE uscc = ? AND line = ? "
    "AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms";

enum sm_err
store_inspections_of(struct store *s, const char *uscc, const char *line, int64_t from_ms,
                     int64_t to_ms, store_inspection_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_INSPECTIONS_OF);
    int rc;

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, uscc);
    store_bind_text(st, 2, line);
    sqlite3_bind_int64(st, 3, from_ms);
    sqlite3_bind_int64(st, 4, to_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), store_col_text(st, 1), store_col_text(st, 2),
           store_col_text_or_null(st, 3),
           store_col_text(st, 4));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_GATE_OF[] =
    "SELECT at_ms, plate, stage, stage_num FROM gate_records WHERE uscc = ? AND at_ms >= ? "
    "AND at_ms <= ? ORDER BY at_ms, plate";

enum sm_err
store_gate_of(struct store *s, const char *uscc, int64_t from_ms, int64_t to_ms,
              store_gate_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_GATE_OF);
    int rc;

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, uscc);
    sqlite3_bind_int64(st, 2, from_ms);
    sqlite3_bind_int64(st, 3, to_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), store_col_text(st, 1), store_col_text(st, 2),
           sqlite3_column_int(st, 3));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_JUDGEMENT_PUT[] =
    "INSERT INTO compliance_judgements (order_id, line, state, threshold_kw, evidence, judged_ms) "
    "VALUES (?,?,?,?,?,?) ON CONFLICT (order_id, line) DO UPDATE SET state = excluded.state, "
    "threshold_kw = excluded.threshold_kw, evidence = excluded.evidence, "
    "judged_ms = excluded.judged_ms";

enum sm_err
store_judgement_put(struct store *s, int64_t order_id, const char *line, const char *state,
                    double threshold_kw, const char *evidence, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_JUDGEMENT_PUT);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, order_id);
    store_bind_text(st, 2, line);
    store_bind_text(st, 3, state);
    sqlite3_bind_double(st, 4, threshold_kw);
    store_bind_text(st, 5, evidence);
    sqlite3_bind_int64(st, 6, now_ms);
    return store_exec_stmt(s, st);
}

static const char SQL_COMPLIANCE_SET[] = "UPDATE orders SET compliance = ? WHERE id = ?";

enum sm_err
store_order_compliance_set(struct store *s, int64_t order_id, const char *state)
{
    sqlite3_stmt *st = store_stmt(s, SQL_COMPLIANCE_SET);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, state);
    sqlite3_bind_int64(st, 2, order_id);
    return store_exec_stmt(s, st);
}

static const char SQL_VIOLATION_NEXT[] =
    "INSERT INTO compliance_orders (order_id, violations) VALUES (?, 1) "
    "ON CONFLICT (order_id) DO UPDATE SET violations = violations + 1 RETURNING violations";

enum sm_err
store_order_violation_next(struct store *s, int64_t order_id, int64_t *n)
{
    sqlite3_stmt *st = store_stmt(s, SQL_VIOLATION_NEXT);
    int rc;

    *n = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, order_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_HOUR_GET[] = "SELECT last_hourly_ms FROM compliance_clock WHERE one = 1";
static const char SQL_HOUR_SET[] =
    "INSERT INTO compliance_clock (one, last_hourly_ms) VALUES (1, ?) "
    "ON CONFLICT (one) DO UPDATE SET last_hourly_ms = excluded.last_hourly_ms";

enum sm_err
store_compliance_hour_due(struct store *s, int64_t now_ms, bool *due)
{
    sqlite3_stmt *st = store_stmt(s, SQL_HOUR_GET);
    int64_t last = -1;
    int rc;

    *due = false;
    if (!st)
        return SM_ERR_DB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        last = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    if (last >= 0 && last / HOUR_MS == now_ms / HOUR_MS)
        return SM_OK;
    st = store_stmt(s, SQL_HOUR_SET);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    *due = true;
    return store_exec_stmt(s, st);
}

static const char SQL_DETAIL[] =
    "SELECT line, state, threshold_kw, judged_ms, evidence FROM compliance_judgements "
    "WHERE order_id = ? ORDER BY line";

enum sm_err
store_order_compliance_detail(struct store *s, int64_t order_id, int tz_min, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DETAIL);
    json_t *arr;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    arr = json_array();
    sqlite3_bind_int64(st, 1, order_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_error_t je;
        json_t *ev = json_loads(store_col_text(st, 4), 0, &je);
        char t[32];
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:f,s:s,s:o}", "line", store_col_text(st, 0), "state",
                           store_col_text(st, 1), "threshold_kw", sqlite3_column_double(st, 2),
                           "judged_at", sm_time_format(sqlite3_column_int64(st, 3), tz_min, t),
                           "evidence", ev ? ev : json_object()));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_err(s, rc);
    }
    *out = arr;
    return SM_OK;
}
