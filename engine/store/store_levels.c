/* SQL for warnings, floors, episodes and decisions. */
#include "store/store_levels.h"

#include <stdio.h>

#include "store/store_int.h"

static enum level
col_level(sqlite3_stmt *st, int i)
{
    enum level l = LEVEL_NONE;

    (void)level_parse(store_col_text(st, i), &l);
    return l;
}

static const char SQL_FIND[] = "SELECT id FROM warnings WHERE sender = ? AND identifier = ?";

enum sm_err
store_warning_find(struct store *s, const char *sender, const char *identifier, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FIND);

    *id = 0;
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, sender);
    store_bind_text(st, 2, identifier);
    return store_step_int64(s, st, id);
}

static const char SQL_FIND_REF[] =
    "SELECT id, drill FROM warnings WHERE identifier = ?1 AND (?2 = '' OR sender = ?2) "
    "ORDER BY id DESC LIMIT 1";

enum sm_err
store_warning_find_ref(struct store *s, const char *sender, const char *identifier,
                       int64_t *id, int *drill)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FIND_REF);
    int rc;

    *id = 0;
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, identifier);
    store_bind_text(st, 2, sender ? sender : "");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *drill = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_INSERT[] =
    "INSERT INTO warnings (sender, identifier, sent_ms, msg_type, status, drill, level, "
    "pollutant, start_ms, expires_ms, areas, towns, headline, description, forecast, format, "
    "original, sha256, applied, reason, state, references_, received_ms, received_by) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

enum sm_err
store_warning_insert(struct store *s, const struct warning_rec *w, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_INSERT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, w->sender);
    store_bind_text(st, 2, w->identifier);
    sqlite3_bind_int64(st, 3, w->sent_ms);
    store_bind_text(st, 4, w->msg_type);
    store_bind_text(st, 5, w->status);
    sqlite3_bind_int(st, 6, w->drill);
    store_bind_text(st, 7, level_name(w->level));
    store_bind_text(st, 8, w->pollutant ? w->pollutant : "");
    sqlite3_bind_int64(st, 9, w->start_ms);
    if (w->expires_ms)
        sqlite3_bind_int64(st, 10, w->expires_ms);
    else
        sqlite3_bind_null(st, 10);
    store_bind_text(st, 11, w->areas ? w->areas : "");
    store_bind_text(st, 12, w->towns ? w->towns : "");
    store_bind_text(st, 13, w->headline ? w->headline : "");
    store_bind_text(st, 14, w->description ? w->description : "");
    store_bind_text(st, 15, w->forecast ? w->forecast : "");
    store_bind_text(st, 16, w->format);
    sqlite3_bind_blob(st, 17, w->original, (int)w->original_len, SQLITE_TRANSIENT);
    store_bind_text(st, 18, w->sha256);
    sqlite3_bind_int(st, 19, w->applied);
    store_bind_text(st, 20, w->reason);
    store_bind_text(st, 21, w->state);
    store_bind_text(st, 22, w->references ? w->references : "");
    sqlite3_bind_int64(st, 23, w->received_ms);
    store_bind_text(st, 24, w->received_by);
    return store_insert(s, st, id);
}

static const char SQL_END[] =
    "UPDATE warnings SET state = ?2, ended_ms = ?3, replaced_by = nullif(?4, 0) "
    "WHERE id = ?1 AND state IN ('scheduled','active')";

enum sm_err
store_warning_end(struct store *s, int64_t id, const char *state, int64_t ended_ms,
                  int64_t replaced_by)
{
    sqlite3_stmt *st = store_stmt(s, SQL_END);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, state);
    sqlite3_bind_int64(st, 3, ended_ms);
    sqlite3_bind_int64(st, 4, replaced_by);
    return store_exec_stmt(s, st);
}

static const char SQL_LABEL[] = "SELECT identifier, headline FROM warnings WHERE id = ?";

enum sm_err
store_warning_label(struct store *s, int64_t id, char *out, size_t cap)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LABEL);
    int rc;

    out[0] = '\0';
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW &&
        (size_t)snprintf(out, cap, "%s %s", store_col_text(st, 0), store_col_text(st, 1)) >= cap)
        out[cap - 1] = '\0';
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_ACTIVATE[] =
    "UPDATE warnings SET state = 'active' WHERE id = ? AND state = 'scheduled'";

enum sm_err
store_warning_activate(struct store *s, int64_t id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ACTIVATE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    return store_exec_stmt(s, st);
}

static const char SQL_MARK_REPLACED[] =
    "UPDATE warnings SET replaced_by = ?2 WHERE id = ?1 AND state IN ('scheduled','active')";
static const char SQL_END_REPLACED[] =
    "UPDATE warnings SET state = 'replaced', ended_ms = ?2 WHERE replaced_by = ?1 "
    "AND state IN ('scheduled','active')";

enum sm_err
store_warning_mark_replaced(struct store *s, int64_t id, int64_t new_id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_MARK_REPLACED);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, new_id);
    return store_exec_stmt(s, st);
}

enum sm_err
store_warnings_end_replaced(struct store *s, int64_t new_id, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_END_REPLACED);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, new_id);
    sqlite3_bind_int64(st, 2, now_ms);
    return store_exec_stmt(s, st);
}

static const char SQL_ACTIVE[] =
    "SELECT id, level, towns FROM warnings WHERE state = 'active' AND drill = ? ORDER BY id";

enum sm_err
store_warnings_active(struct store *s, int drill, store_warning_level_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ACTIVE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), col_level(st, 1), store_col_text(st, 2));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_DUE[] =
    "SELECT id, drill, 'start' FROM warnings WHERE state = 'scheduled' AND start_ms <= ?1 "
    "UNION ALL "
    "SELECT id, drill, 'expire' FROM warnings WHERE state IN ('scheduled','active') "
    "AND expires_ms IS NOT NULL AND expires_ms <= ?1 ORDER BY 1";

enum sm_err
store_warnings_due(struct store *s, int64_t now_ms, store_warning_due_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DUE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), store_col_text(st, 2));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_NEXT_DUE[] =
    "SELECT min(t) FROM (SELECT min(start_ms) AS t FROM warnings WHERE state = 'scheduled' "
    "UNION ALL SELECT min(expires_ms) FROM warnings WHERE state IN ('scheduled','active') "
    "AND expires_ms IS NOT NULL)";

enum sm_err
store_warnings_next_due(struct store *s, int64_t *at_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_NEXT_DUE);

    *at_ms = 0;
    if (!st)
        return SM_ERR_DB;
    return store_step_int64(s, st, at_ms);
}

static const char SQL_FLOOR_GET[] = "SELECT level FROM floors WHERE drill = ? AND kind = ?";
static const char SQL_FLOOR_SET[] =
    "INSERT INTO floors (drill, kind, level, reason, set_by, set_ms) VALUES (?,?,?,?,?,?) "
    "ON CONFLICT (drill, kind) DO UPDATE SET level = excluded.level, reason = excluded.reason, "
    "set_by = excluded.set_by, set_ms = excluded.set_ms";

enum sm_err
store_floor_get(struct store *s, int drill, const char *kind, enum level *level)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FLOOR_GET);
    int rc;

    *level = LEVEL_NONE;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    store_bind_text(st, 2, kind);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *level = col_level(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

enum sm_err
store_floor_set(struct store *s, int drill, const char *kind, enum level level,
                const char *reason, const char *by, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FLOOR_SET);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, level_name(level));
    store_bind_text(st, 4, reason);
    store_bind_text(st, 5, by);
    sqlite3_bind_int64(st, 6, now_ms);
    return store_exec_stmt(s, st);
}

static const char SQL_EP_CURRENT[] =
    "SELECT e.id, coalesce((SELECT to_level FROM decisions d WHERE d.episode_id = e.id "
    "ORDER BY d.id DESC LIMIT 1), 'none'), coalesce((SELECT at_ms FROM decisions d "
    "WHERE d.episode_id = e.id ORDER BY d.id DESC LIMIT 1), e.opened_ms) "
    "FROM episodes e WHERE e.drill = ? AND e.closed_ms IS NULL";

enum sm_err
store_episode_current(struct store *s, int drill, int64_t *id, enum level *level,
                      int64_t *since_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EP_CURRENT);
    int rc;

    *id = 0;
    *level = LEVEL_NONE;
    if (since_ms)
        *since_ms = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *level = col_level(st, 1);
        if (since_ms)
            *since_ms = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_EP_OPEN[] =
    "INSERT INTO episodes (drill, opened_ms, max_level) VALUES (?,?,?)";

enum sm_err
store_episode_open(struct store *s, int drill, int64_t now_ms, enum level level, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EP_OPEN);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    sqlite3_bind_int64(st, 2, now_ms);
    store_bind_text(st, 3, level_name(level));
    return store_insert(s, st, id);
}

/* max_level keeps the highest level the episode reached */
static const char SQL_EP_UPDATE[] =
    "UPDATE episodes SET max_level = CASE WHEN (CASE ?2 WHEN 'red' THEN 3 WHEN 'orange' THEN 2 "
    "WHEN 'yellow' THEN 1 ELSE 0 END) > (CASE max_level WHEN 'red' THEN 3 WHEN 'orange' THEN 2 "
    "WHEN 'yellow' THEN 1 ELSE 0 END) THEN ?2 ELSE max_level END, "
    "closed_ms = nullif(?3, 0) WHERE id = ?1";

enum sm_err
store_episode_update(struct store *s, int64_t id, enum level level, int64_t closed_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EP_UPDATE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, level_name(level));
    sqlite3_bind_int64(st, 3, closed_ms);
    return store_exec_stmt(s, st);
}

static const char SQL_DECISION[] =
    "INSERT INTO decisions (episode_id, drill, at_ms, from_level, to_level, source, actor, "
    "reason, municipal, local, manual, warning_id) VALUES (nullif(?1,0),?,?,?,?,?,?,?,?,?,?,nullif(?12,0))";
static const char SQL_DECISION_COUNTS[] =
    "UPDATE decisions SET orders_issued = ?2, orders_superseded = ?3, orders_lifted = ?4 WHERE id = ?1";

enum sm_err
store_decision_insert(struct store *s, const struct decision_rec *d, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DECISION);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, d->episode_id);
    sqlite3_bind_int(st, 2, d->drill);
    sqlite3_bind_int64(st, 3, d->at_ms);
    store_bind_text(st, 4, level_name(d->from));
    store_bind_text(st, 5, level_name(d->to));
    store_bind_text(st, 6, d->source);
    store_bind_text(st, 7, d->actor);
    store_bind_text(st, 8, d->reason);
    store_bind_text(st, 9, level_name(d->municipal));
    store_bind_text(st, 10, level_name(d->local));
    store_bind_text(st, 11, level_name(d->manual));
    sqlite3_bind_int64(st, 12, d->warning_id);
    return store_insert(s, st, id);
}

enum sm_err
store_decision_counts(struct store *s, int64_t id, int issued, int superseded, int lifted)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DECISION_COUNTS);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, issued);
    sqlite3_bind_int(st, 3, superseded);
    sqlite3_bind_int(st, 4, lifted);
    return store_exec_stmt(s, st);
}
