/* Warnings and episodes as the API shows them. */
#include <stdio.h>
#include <string.h>

#include "aqi/trigger.h"
#include "base/timeutil.h"
#include "store/store_cols.h"
#include "store/store_int.h"
#include "store/store_views.h"

/* warnings and decisions write 0 for a time they lack, as well as NULL */
static json_t *
t_or_null(sqlite3_stmt *st, int i, int tz)
{
    return sqlite3_column_int64(st, i) == 0 ? json_null() : store_col_time_json(st, i, tz);
}

#define WARNING_COLUMNS                                                                        \
    "id, sender, identifier, sent_ms, msg_type, status, drill, level, pollutant, start_ms, "    \
    "expires_ms, areas, towns, headline, format, sha256, applied, reason, state, replaced_by, "  \
    "references_, received_ms, received_by, ended_ms, forecast, description"

static json_t *
warning_row(sqlite3_stmt *st, int tz)
{
    json_error_t je;
    json_t *fc = sqlite3_column_bytes(st, 24) ? json_loads(store_col_text(st, 24), 0, &je) : NULL;
    json_t *w = json_object();

    json_object_set_new(w, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(w, "sender", json_string(store_col_text(st, 1)));
    json_object_set_new(w, "identifier", json_string(store_col_text(st, 2)));
    json_object_set_new(w, "sent", t_or_null(st, 3, tz));
    json_object_set_new(w, "msg_type", json_string(store_col_text(st, 4)));
    json_object_set_new(w, "status", json_string(store_col_text(st, 5)));
    json_object_set_new(w, "drill", json_boolean(sqlite3_column_int(st, 6)));
    json_object_set_new(w, "level", json_string(store_col_text(st, 7)));
    json_object_set_new(w, "primary_pollutant", json_string(store_col_text(st, 8)));
    json_object_set_new(w, "start", t_or_null(st, 9, tz));
    json_object_set_new(w, "expires", t_or_null(st, 10, tz));
    json_object_set_new(w, "areas", json_string(store_col_text(st, 11)));
    json_object_set_new(w, "towns", json_string(store_col_text(st, 12)));
    json_object_set_new(w, "headline", json_string(store_col_text(st, 13)));
    json_object_set_new(w, "description", json_string(store_col_text(st, 25)));
    json_object_set_new(w, "format", json_string(store_col_text(st, 14)));
    json_object_set_new(w, "sha256", json_string(store_col_text(st, 15)));
    json_object_set_new(w, "applied", json_boolean(sqlite3_column_int(st, 16)));
    json_object_set_new(w, "reason", json_string(store_col_text(st, 17)));
    json_object_set_new(w, "state", json_string(store_col_text(st, 18)));
    json_object_set_new(w, "replaced_by", store_col_int_json(st, 19));
    json_object_set_new(w, "references", json_string(store_col_text(st, 20)));
    json_object_set_new(w, "received_at", t_or_null(st, 21, tz));
    json_object_set_new(w, "received_by", json_string(store_col_text(st, 22)));
    json_object_set_new(w, "ended_at", t_or_null(st, 23, tz));
    json_object_set_new(w, "forecast", fc ? fc : json_null());
    return w;
}

/* new: {"level", "matches"}: the level the warning's forecast daily AQI
 * gives under the 2024 criteria, and whether it is the warning's own
 * level; null without a forecast. Non-numbers count as unknown days. */
static json_t *
forecast_check(const json_t *fc, const char *level)
{
    int days[31];
    size_t n = 0, i;
    json_t *v;
    enum level wl = LEVEL_NONE;

    if (!json_is_array(fc) || json_array_size(fc) == 0)
        return json_null();
    json_array_foreach(fc, i, v) {
        if (n == SM_ARRAY_LEN(days))
            break;
        days[n++] = json_is_number(v) && json_number_value(v) >= 0 &&
                            json_number_value(v) <= 1000
                        ? (int)(json_number_value(v) + 0.5)
                        : -1;
    }
    (void)level_parse(level, &wl);
    enum forecast_level f = trigger_levels_from_forecast(days, n);
    return json_pack("{s:s,s:b}", "level", forecast_level_name(f), "matches",
                     forecast_level_to_level(f) == wl);
}

static const char SQL_WARNINGS[] =
    "SELECT " WARNING_COLUMNS " FROM warnings ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_WARNING[] = "SELECT " WARNING_COLUMNS ", original FROM warnings WHERE id = ?";
static const char SQL_CHAIN[] =
    "SELECT id, identifier, msg_type, state FROM warnings WHERE replaced_by = ?1 OR id = "
    "(SELECT replaced_by FROM warnings WHERE id = ?1) ORDER BY id";

enum sm_err
store_warnings_json(struct store *s, int limit, int offset, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_WARNINGS);
    json_t *arr = json_array();
    int rc;

    if (!st) {
        json_decref(arr);
        return SM_ERR_DB;
    }
    sqlite3_bind_int(st, 1, limit);
    sqlite3_bind_int(st, 2, offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(arr, warning_row(st, tz));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_err(s, rc);
    }
    *out = json_pack("{s:o}", "warnings", arr);
    return SM_OK;
}

enum sm_err
store_warning_json(struct store *s, int64_t id, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_WARNING);
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = warning_row(st, tz);
        json_object_set_new(*out, "forecast_check",
                            forecast_check(json_object_get(*out, "forecast"),
                                           store_col_text(st, 7)));
        json_object_set_new(*out, "original",
                            json_stringn((const char *)sqlite3_column_blob(st, 26),
                                         (size_t)sqlite3_column_bytes(st, 26)));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return SM_ERR_NOTFOUND;
    if (rc != SQLITE_ROW)
        return store_err(s, rc);
    json_t *chain = json_array();
    st = store_stmt(s, SQL_CHAIN);
    if (!st) {
        json_decref(chain);
        return SM_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(chain, json_pack("{s:I,s:s,s:s,s:s}", "id",
                                               (json_int_t)sqlite3_column_int64(st, 0),
                                               "identifier", store_col_text(st, 1), "msg_type",
                                               store_col_text(st, 2), "state",
                                               store_col_text(st, 3)));
    sqlite3_reset(st);
    json_object_set_new(*out, "chain", chain);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_EPISODE[] =
    "SELECT id, drill, opened_ms, closed_ms, max_level FROM episodes WHERE id = ?";
static const char SQL_TIMELINE[] =
    "SELECT id, at_ms, from_level, to_level, source, actor, reason, municipal, local, manual, "
    "warning_id, orders_issued, orders_superseded, orders_lifted FROM decisions "
    "WHERE episode_id = ? ORDER BY id";
static const char SQL_EP_ORDERS[] =
    "SELECT count(*), count(*) FILTER (WHERE acknowledged_ms IS NOT NULL), "
    "count(*) FILTER (WHERE acknowledged_ms IS NOT NULL AND acknowledged_ms <= ack_deadline_ms), "
    "count(*) FILTER (WHERE acknowledged_ms IS NULL AND (overdue = 1 OR ack_deadline_ms <= ?2) "
    "AND status = 'issued'), count(DISTINCT enterprise), "
    "count(*) FILTER (WHERE status IN ('issued','acknowledged')), "
    "count(*) FILTER (WHERE compliance = 'compliant'), count(*) FILTER (WHERE compliance = 'violation'), "
    "count(*) FILTER (WHERE compliance = 'unknown') FROM orders WHERE episode_id = ?1";

enum sm_err
store_episode_json(struct store *s, int64_t id, int64_t now_ms, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EPISODE);
    json_t *timeline;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_pack("{s:I,s:b,s:o,s:o,s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                         "drill", sqlite3_column_int(st, 1), "opened_at", t_or_null(st, 2, tz),
                         "closed_at", t_or_null(st, 3, tz), "max_level", store_col_text(st, 4));
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return SM_ERR_NOTFOUND;
    if (rc != SQLITE_ROW)
        return store_err(s, rc);
    timeline = json_array();
    st = store_stmt(s, SQL_TIMELINE);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *d = json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:{s:i,s:i,s:i}}",
                              "decision_id", (json_int_t)sqlite3_column_int64(st, 0), "at",
                              t_or_null(st, 1, tz), "from", store_col_text(st, 2), "to",
                              store_col_text(st, 3), "source", store_col_text(st, 4), "actor",
                              store_col_text(st, 5), "reason", store_col_text(st, 6), "sources",
                              "municipal", store_col_text(st, 7), "local", store_col_text(st, 8),
                              "manual", store_col_text(st, 9), "orders", "issued",
                              sqlite3_column_int(st, 11), "superseded",
                              sqlite3_column_int(st, 12), "lifted", sqlite3_column_int(st, 13));
        json_object_set_new(d, "warning_id", store_col_int_json(st, 10));
        json_array_append_new(timeline, d);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    json_object_set_new(*out, "timeline", timeline);
    st = store_stmt(s, SQL_EP_ORDERS);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t total = sqlite3_column_int64(st, 0), acked = sqlite3_column_int64(st, 1);
        json_object_set_new(
            *out, "orders",
            json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:f}", "versions", (json_int_t)total,
                      "enterprises", (json_int_t)sqlite3_column_int64(st, 4), "active",
                      (json_int_t)sqlite3_column_int64(st, 5), "acknowledged", (json_int_t)acked,
                      "acknowledged_on_time", (json_int_t)sqlite3_column_int64(st, 2), "overdue",
                      (json_int_t)sqlite3_column_int64(st, 3), "ack_rate",
                      total ? (double)acked / (double)total : 0.0));
        json_object_set_new(*out, "compliance",
                            json_pack("{s:I,s:I,s:I}", "compliant",
                                      (json_int_t)sqlite3_column_int64(st, 6), "violation",
                                      (json_int_t)sqlite3_column_int64(st, 7), "unknown",
                                      (json_int_t)sqlite3_column_int64(st, 8)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
fail:
    json_decref(timeline);
    json_decref(*out);
    *out = NULL;
    return SM_ERR_DB;
}
