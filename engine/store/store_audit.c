/* The append-only audit chain: each row's hash covers the previous row's
 * hash and its own fields, so editing or removing a row breaks every hash
 * after it. Triggers refuse UPDATE and DELETE. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/crypto.h"

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static const char SQL_HEAD[] = "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char SQL_APPEND[] =
    "INSERT INTO audit (at_ms, actor, role, action, object, result, detail, prev_hash, hash) "
    "VALUES (?,?,?,?,?,?,?,?,?)";
static const char SQL_WALK[] =
    "SELECT seq, at_ms, actor, role, action, object, result, detail, prev_hash, hash "
    "FROM audit ORDER BY seq";

/* The canonical form hashed: fields separated by the unit separator, which
 * never appears in our values (control characters are not accepted). */
static void
row_hash(const char *prev, int64_t at_ms, const char *actor, const char *role,
         const char *action, const char *object, const char *result,
         const char *detail, char out[65])
{
    struct buf b;

    buf_init(&b, 0);
    if (!buf_printf(&b, "%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", prev,
                    (long long)at_ms, actor, role, action, object, result, detail))
        out[0] = '\0';
    sm_sha256_hex(b.data, b.len, out);
    buf_release(&b);
}

enum sm_err
store_audit_append(struct store *s, const struct audit_entry *e)
{
    char prev[65] = AUDIT_GENESIS;
    char hash[65];
    sqlite3_stmt *st = store_stmt(s, SQL_HEAD);
    int rc;

    if (!st)
        return SM_ERR_DB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(prev, sizeof(prev), "%s", store_col_text(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    const char *detail = e->detail ? e->detail : "";
    row_hash(prev, e->at_ms, e->actor, e->role, e->action, e->object, e->result,
             detail, hash);
    st = store_stmt(s, SQL_APPEND);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, e->at_ms);
    sqlite3_bind_text(st, 2, e->actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, e->role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, e->action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, e->object, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, e->result, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, hash, -1, SQLITE_TRANSIENT);
    return store_exec_stmt(s, st);
}

enum sm_err
store_audit_record(struct store *s, const struct audit_entry *e)
{
    enum sm_err err = store_begin(s);

    if (err)
        return err;
    err = store_audit_append(s, e);
    if (err) {
        store_rollback(s);
        return err;
    }
    return store_commit(s);
}

enum sm_err
store_audit_verify(struct store *s, int64_t *rows, int64_t *bad_seq,
                   struct sm_diag *diag)
{
    char prev[65] = AUDIT_GENESIS;
    char want[65];
    sqlite3_stmt *st = store_stmt(s, SQL_WALK);
    int rc;

    *rows = 0;
    *bad_seq = 0;
    if (!st)
        return SM_ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        (*rows)++;
        row_hash(prev, sqlite3_column_int64(st, 1), store_col_text(st, 2),
                 store_col_text(st, 3), store_col_text(st, 4),
                 store_col_text(st, 5), store_col_text(st, 6),
                 store_col_text(st, 7), want);
        if (strcmp(store_col_text(st, 8), prev) != 0) {
            *bad_seq = seq;
            sm_diag_set(diag, "audit_broken",
                        "row %lld: prev_hash does not match row before it (a row was removed or re-chained)",
                        (long long)seq);
            break;
        }
        if (strcmp(store_col_text(st, 9), want) != 0) {
            *bad_seq = seq;
            sm_diag_set(diag, "audit_broken",
                        "row %lld: contents do not match its hash (the row was altered)",
                        (long long)seq);
            break;
        }
        snprintf(prev, sizeof(prev), "%s", store_col_text(st, 9));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    return SM_OK;
}
