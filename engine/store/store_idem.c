/* Idempotency records: a retried request with the same key replays the
 * stored reply; the same key for another request is refused. */
#include "store/store_int.h"

#include <string.h>

#include "base/xalloc.h"

static const char SQL_GET[] =
    "SELECT request_hash, status, response FROM idempotency WHERE scope = ? AND key = ?";
static const char SQL_PUT[] =
    "INSERT INTO idempotency (scope, key, request_hash, status, response, created_ms) "
    "VALUES (?,?,?,?,?,?)";

enum sm_err
store_idem_get(struct store *s, const char *scope, const char *key,
               const char *request_hash, int *status, char **response)
{
    sqlite3_stmt *st = store_stmt(s, SQL_GET);
    enum sm_err err = SM_ERR_NOTFOUND;
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (strcmp(store_col_text(st, 0), request_hash) != 0) {
            err = SM_ERR_CONFLICT;
        } else {
            *status = sqlite3_column_int(st, 1);
            *response = xstrdup(store_col_text(st, 2));
            err = SM_OK;
        }
    } else if (rc != SQLITE_DONE) {
        err = store_err(s, rc);
    }
    sqlite3_reset(st);
    return err;
}

enum sm_err
store_idem_put(struct store *s, const char *scope, const char *key,
               const char *request_hash, int status, const char *response,
               int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_PUT);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, request_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, status);
    sqlite3_bind_text(st, 5, response, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, now_ms);
    return store_exec_stmt(s, st);
}
