/* SQL for stations, readings, local-trigger proposals and runs. */
#include "store/store_readings.h"

#include <stdio.h>

#include "base/timeutil.h"
#include "store/store_cols.h"
#include "store/store_int.h"

static const char SQL_STATION_PUT[] =
    "INSERT INTO stations (id, name, kind, lat, lon, updated_ms, updated_by) "
    "VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT (id) DO UPDATE SET name = ?2, kind = ?3, "
    "lat = ?4, lon = ?5, updated_ms = ?6, updated_by = ?7";

enum sm_err
store_station_put(struct store *s, const struct station_rec *r, const char *by, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_STATION_PUT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, r->id);
    store_bind_text(st, 2, r->name);
    store_bind_text(st, 3, r->kind);
    sqlite3_bind_double(st, 4, r->lat);
    sqlite3_bind_double(st, 5, r->lon);
    sqlite3_bind_int64(st, 6, now_ms);
    store_bind_text(st, 7, by);
    return store_exec_stmt(s, st);
}

static const char SQL_STATION_KIND[] = "SELECT kind FROM stations WHERE id = ?";

enum sm_err
store_station_kind(struct store *s, const char *id, char *kind, size_t kind_size)
{
    sqlite3_stmt *st = store_stmt(s, SQL_STATION_KIND);
    int rc;

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(kind, kind_size, "%s", store_col_text(st, 0));
    return store_one_end(s, st, rc);
}

/* The newest hour and the count come from the primary key, so both are
 * index lookups per station. */
static const char SQL_STATIONS[] =
    "SELECT s.id, s.name, s.kind, s.lat, s.lon, "
    "(SELECT max(at_ms) FROM readings r WHERE r.station = s.id), "
    "(SELECT count(*) FROM readings r WHERE r.station = s.id) "
    "FROM stations s WHERE ?1 IS NULL OR s.id = ?1 ORDER BY s.id";

enum sm_err
store_stations_each(struct store *s, const char *id, store_station_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_STATIONS);
    int rc;

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct station_rec r = { store_col_text(st, 0), store_col_text(st, 1),
                                 store_col_text(st, 2), sqlite3_column_double(st, 3),
                                 sqlite3_column_double(st, 4) };
        fn(arg, &r, sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_READING_UPSERT[] =
    "INSERT INTO readings (station, pollutant, at_ms, value, source, received_ms, received_by) "
    "VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT (station, pollutant, at_ms) DO UPDATE SET "
    "value = ?4, source = ?5, received_ms = ?6, received_by = ?7";

enum sm_err
store_reading_upsert(struct store *s, const char *station, const char *pollutant, int64_t at_ms,
                     double value, const char *source, const char *by, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_READING_UPSERT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, station);
    store_bind_text(st, 2, pollutant);
    sqlite3_bind_int64(st, 3, at_ms);
    sqlite3_bind_double(st, 4, value);
    store_bind_text(st, 5, source);
    sqlite3_bind_int64(st, 6, now_ms);
    store_bind_text(st, 7, by);
    return store_exec_stmt(s, st);
}

static const char SQL_READINGS[] =
    "SELECT r.station, s.kind, r.pollutant, r.at_ms, r.value FROM readings r "
    "JOIN stations s ON s.id = r.station "
    "WHERE r.at_ms > ?1 AND r.at_ms <= ?2 AND (?3 IS NULL OR r.station = ?3) "
    "AND (?4 = 0 OR s.kind = 'official') ORDER BY r.station, r.at_ms";

enum sm_err
store_readings_each(struct store *s, int64_t from_ms, int64_t to_ms, const char *station,
                    bool official_only, store_reading_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_READINGS);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    store_bind_text(st, 3, station);
    sqlite3_bind_int(st, 4, official_only ? 1 : 0);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, store_col_text(st, 0), store_col_text(st, 1), store_col_text(st, 2),
           sqlite3_column_int64(st, 3), sqlite3_column_double(st, 4));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static enum sm_err
one_int64(struct store *s, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    *out = 0;
    if (!st)
        return SM_ERR_DB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_READINGS_COUNT[] = "SELECT count(*) FROM readings";

enum sm_err
store_readings_count(struct store *s, int64_t *count)
{
    return one_int64(s, SQL_READINGS_COUNT, count);
}

/* ---- proposals ---- */

static enum sm_err
level_int64(struct store *s, const char *sql, enum level level, int64_t *out)
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    *out = 0;
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, level_name(level));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_PROPOSAL_OPEN[] =
    "SELECT id FROM proposals WHERE level = ? AND state = 'open'";
static const char SQL_PROPOSAL_LAST[] =
    "SELECT coalesce(max(decided_ms), 0) FROM proposals WHERE level = ? AND state <> 'open'";

enum sm_err
store_proposal_open_find(struct store *s, enum level level, int64_t *id)
{
    return level_int64(s, SQL_PROPOSAL_OPEN, level, id);
}

enum sm_err
store_proposal_last_decided(struct store *s, enum level level, int64_t *decided_ms)
{
    return level_int64(s, SQL_PROPOSAL_LAST, level, decided_ms);
}

static const char SQL_PROPOSAL_INSERT[] =
    "INSERT INTO proposals (level, evidence, created_ms, state) VALUES (?,?,?,'open')";

enum sm_err
store_proposal_insert(struct store *s, enum level level, const char *evidence, int64_t now_ms,
                      int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_PROPOSAL_INSERT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, level_name(level));
    store_bind_text(st, 2, evidence);
    sqlite3_bind_int64(st, 3, now_ms);
    return store_insert(s, st, id);
}

static const char SQL_PROPOSAL_GET[] = "SELECT level, state FROM proposals WHERE id = ?";

enum sm_err
store_proposal_get(struct store *s, int64_t id, enum level *level, char *state,
                   size_t state_size)
{
    sqlite3_stmt *st = store_stmt(s, SQL_PROPOSAL_GET);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *level = LEVEL_NONE;
        (void)level_parse(store_col_text(st, 0), level);
        snprintf(state, state_size, "%s", store_col_text(st, 1));
    }
    return store_one_end(s, st, rc);
}

static const char SQL_PROPOSAL_DECIDE[] =
    "UPDATE proposals SET state = ?2, decided_by = ?3, reason = ?4, decided_ms = ?5 "
    "WHERE id = ?1 AND state = 'open'";

enum sm_err
store_proposal_decide(struct store *s, int64_t id, const char *state, const char *by,
                      const char *reason, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_PROPOSAL_DECIDE);
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, state);
    store_bind_text(st, 3, by);
    store_bind_text(st, 4, reason);
    sqlite3_bind_int64(st, 5, now_ms);
    err = store_exec_stmt(s, st);
    if (!err && sqlite3_changes(s->db) == 0)
        err = SM_ERR_CONFLICT;
    return err;
}

static const char SQL_PROPOSALS[] =
    "SELECT id, level, state, created_ms, evidence, decided_by, decided_ms, reason "
    "FROM proposals WHERE ?1 = '' OR state = ?1 ORDER BY id DESC LIMIT 1000";

enum sm_err
store_proposals_json(struct store *s, const char *state, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_PROPOSALS);
    json_t *arr;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    arr = json_array();
    store_bind_text(st, 1, state ? state : "");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_error_t je;
        json_t *ev = json_loads(store_col_text(st, 4), 0, &je);
        json_t *p = json_object();
        json_object_set_new(p, "id", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(p, "level", json_string(store_col_text(st, 1)));
        json_object_set_new(p, "state", json_string(store_col_text(st, 2)));
        json_object_set_new(p, "created_at", store_col_time_json(st, 3, tz));
        json_object_set_new(p, "evidence", ev ? ev : json_null());
        json_object_set_new(p, "decided_by", store_col_text_json(st, 5));
        json_object_set_new(p, "decided_at", store_col_time_json(st, 6, tz));
        json_object_set_new(p, "reason", store_col_text_json(st, 7));
        json_array_append_new(arr, p);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_err(s, rc);
    }
    *out = json_pack("{s:o}", "proposals", arr);
    return SM_OK;
}

/* ---- trigger runs ---- */

static const char SQL_RUN_GET[] = "SELECT last_hour_ms FROM trigger_runs WHERE drill = ?";
static const char SQL_RUN_SET[] =
    "INSERT INTO trigger_runs (drill, last_hour_ms) VALUES (?1, ?2) "
    "ON CONFLICT (drill) DO UPDATE SET last_hour_ms = ?2";

enum sm_err
store_trigger_run_get(struct store *s, int drill, int64_t *hour_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_RUN_GET);

    *hour_ms = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    return store_step_int64(s, st, hour_ms);
}

enum sm_err
store_trigger_run_set(struct store *s, int drill, int64_t hour_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_RUN_SET);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    sqlite3_bind_int64(st, 2, hour_ms);
    return store_exec_stmt(s, st);
}
