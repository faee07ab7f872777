/* SQL for list versions and lines. */
#include "store/store_lists.h"

#include "base/timeutil.h"
#include "store/store_cols.h"
#include "store/store_int.h"
#include "store/store_issue.h"

static const char SQL_CREATE[] =
    "INSERT INTO lists (year, version, source, sha256, imported_ms, imported_by, line_count, "
    "enterprise_count, report) VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM lists "
    "WHERE year = ?1), ?2, ?3, ?4, ?5, 0, 0, '{}') RETURNING id, version";

enum sm_err
store_list_create(struct store *s, int year, const char *source, const char *sha256,
                  const char *by, int64_t now_ms, int64_t *list_id, int *version)
{
    sqlite3_stmt *st = store_stmt(s, SQL_CREATE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, year);
    store_bind_text(st, 2, source);
    store_bind_text(st, 3, sha256);
    sqlite3_bind_int64(st, 4, now_ms);
    store_bind_text(st, 5, by);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *list_id = sqlite3_column_int64(st, 0);
        *version = sqlite3_column_int(st, 1);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_LINE[] =
    "INSERT INTO list_lines (list_id, uscc, name, town, industry, grade, line, so2, nox, pm, vocs, "
    "power_kw, y_action, y_pct, y_text, o_action, o_pct, o_text, r_action, r_pct, r_text, notes, "
    "source_line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

enum sm_err
store_list_add_line(struct store *s, int64_t list_id, const struct list_line_view *l,
                    const char *notes, int source_line)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LINE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    store_bind_text(st, 2, l->uscc);
    store_bind_text(st, 3, l->name);
    store_bind_text(st, 4, l->town);
    store_bind_text(st, 5, l->industry);
    store_bind_text(st, 6, l->grade);
    store_bind_text(st, 7, l->line);
    sqlite3_bind_double(st, 8, l->so2);
    sqlite3_bind_double(st, 9, l->nox);
    sqlite3_bind_double(st, 10, l->pm);
    sqlite3_bind_double(st, 11, l->vocs);
    sqlite3_bind_double(st, 12, l->power_kw);
    for (int i = 0; i < 3; i++) {
        store_bind_text(st, 13 + 3 * i, l->action[i]);
        sqlite3_bind_double(st, 14 + 3 * i, l->pct[i]);
        store_bind_text(st, 15 + 3 * i, l->text[i] ? l->text[i] : "");
    }
    store_bind_text(st, 22, notes ? notes : "");
    sqlite3_bind_int(st, 23, source_line);
    return store_exec_stmt(s, st);
}

static const char SQL_FINISH[] =
    "UPDATE lists SET line_count = ?2, enterprise_count = ?3, report = ?4 WHERE id = ?1";

enum sm_err
store_list_finish(struct store *s, int64_t list_id, int64_t lines, int64_t enterprises,
                  const char *report_json)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FINISH);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_int64(st, 2, lines);
    sqlite3_bind_int64(st, 3, enterprises);
    store_bind_text(st, 4, report_json);
    enum sm_err err = store_exec_stmt(s, st);
    /* the per-enterprise rows issuance copies from */
    return err ? err : store_list_enterprises_fill(s, list_id);
}

static const char SQL_DEACTIVATE[] = "UPDATE lists SET active = 0 WHERE active = 1 AND id <> ?";
static const char SQL_ACTIVATE[] =
    "UPDATE lists SET active = 1, activated_ms = ?2 WHERE id = ?1 AND active = 0";
static const char SQL_EXISTS[] = "SELECT active FROM lists WHERE id = ?";

enum sm_err
store_list_activate(struct store *s, int64_t list_id, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EXISTS);
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    if ((err = store_step_found(s, st)) != SM_OK)
        return err;
    st = store_stmt(s, SQL_DEACTIVATE);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    err = store_exec_stmt(s, st);
    if (err)
        return err;
    st = store_stmt(s, SQL_ACTIVATE);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_int64(st, 2, now_ms);
    return store_exec_stmt(s, st);
}

#define LIST_COLUMNS                                                                       \
    "id, year, version, source, sha256, imported_ms, imported_by, active, activated_ms, "     \
    "line_count, enterprise_count"

static json_t *
list_row_json(sqlite3_stmt *st, int tz)
{
    char a[32];

    return json_pack("{s:I,s:i,s:i,s:s,s:s,s:s,s:s,s:b,s:o,s:I,s:I}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "year", sqlite3_column_int(st, 1),
                     "version", sqlite3_column_int(st, 2), "source", store_col_text(st, 3),
                     "sha256", store_col_text(st, 4), "imported_at",
                     sm_time_format(sqlite3_column_int64(st, 5), tz, a), "imported_by",
                     store_col_text(st, 6), "active", sqlite3_column_int(st, 7), "activated_at",
                     store_col_time_json(st, 8, tz),
                     "lines", (json_int_t)sqlite3_column_int64(st, 9), "enterprises",
                     (json_int_t)sqlite3_column_int64(st, 10));
}

static const char SQL_LISTS[] = "SELECT " LIST_COLUMNS " FROM lists ORDER BY id DESC";
static const char SQL_ONE[] = "SELECT " LIST_COLUMNS ", report FROM lists WHERE id = ?";

enum sm_err
store_lists_json(struct store *s, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LISTS);
    json_t *arr = json_array();
    int rc;

    if (!st) {
        json_decref(arr);
        return SM_ERR_DB;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(arr, list_row_json(st, tz));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_err(s, rc);
    }
    *out = json_pack("{s:o}", "lists", arr);
    return SM_OK;
}

enum sm_err
store_list_json(struct store *s, int64_t id, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ONE);
    json_error_t je;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        json_t *rep = json_loads(store_col_text(st, 11), 0, &je);
        *out = list_row_json(st, tz);
        json_object_set_new(*out, "report", rep ? rep : json_null());
    }
    return store_one_end(s, st, rc);
}
