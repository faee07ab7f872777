/* Credentials: random tokens, stored only as SHA-256 hashes. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"

#define TOKEN_BYTES 32
#define TOKEN_PREFIX "smg_"

static const char SQL_INSERT[] =
    "INSERT INTO tokens (hash, role, enterprise, name, created_ms) VALUES (?,?,?,?,?)";
static const char SQL_LOOKUP[] =
    "SELECT id, hash, role, coalesce(enterprise,''), name FROM tokens "
    "WHERE hash = ? AND revoked_ms IS NULL";
static const char SQL_REVOKE[] =
    "UPDATE tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL";
static const char SQL_LIST[] =
    "SELECT id, role, coalesce(enterprise,''), name, created_ms, coalesce(revoked_ms,0) "
    "FROM tokens ORDER BY id";

enum sm_err
store_token_create(struct store *s, enum role role, const char *enterprise,
                   const char *name, int64_t now_ms, char *token_out,
                   int64_t *id_out)
{
    unsigned char raw[TOKEN_BYTES];
    char enc[48];
    char hash[65];
    sqlite3_stmt *st;
    enum sm_err err;

    if (!sm_random_bytes(raw, sizeof(raw)))
        return SM_ERR_IO;
    sm_base64url(raw, sizeof(raw), enc);
    snprintf(token_out, 64, TOKEN_PREFIX "%.43s", enc);
    sm_sha256_hex(token_out, strlen(token_out), hash);
    st = store_stmt(s, SQL_INSERT);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
    store_bind_text(st, 3, role == ROLE_ENTERPRISE ? enterprise : NULL);
    sqlite3_bind_text(st, 4, name ? name : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, now_ms);
    err = store_exec_stmt(s, st);
    if (!err && id_out)
        *id_out = sqlite3_last_insert_rowid(s->db);
    return err;
}

enum sm_err
store_token_lookup(struct store *s, const char *token, struct principal *out)
{
    char hash[65];

    if (strlen(token) > 128)
        return SM_ERR_NOTFOUND;
    sm_sha256_hex(token, strlen(token), hash);
    return store_token_lookup_hash(s, hash, out);
}

enum sm_err
store_token_lookup_hash(struct store *s, const char *hash, struct principal *out)
{
    sqlite3_stmt *st;
    int rc;
    enum sm_err err = SM_ERR_NOTFOUND;

    st = store_stmt(s, SQL_LOOKUP);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    /* the index finds the row; the constant-time compare keeps the final
     * decision independent of how many characters matched */
    if (rc == SQLITE_ROW && sm_ct_equal(store_col_text(st, 1), hash, 64) &&
        role_parse(store_col_text(st, 2), &out->role)) {
        out->token_id = sqlite3_column_int64(st, 0);
        snprintf(out->enterprise, sizeof(out->enterprise), "%s", store_col_text(st, 3));
        snprintf(out->name, sizeof(out->name), "%s", store_col_text(st, 4));
        err = SM_OK;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err = store_err(s, rc);
    }
    sqlite3_reset(st);
    return err;
}

static const char SQL_SCAN_LIVE[] =
    "SELECT id, hash, role, coalesce(enterprise,''), name FROM tokens "
    "WHERE id > ? AND revoked_ms IS NULL ORDER BY id";
static const char SQL_SCAN_REVOKED[] =
    "SELECT hash FROM tokens INDEXED BY tokens_revoked WHERE revoked_ms IS NOT NULL";

enum sm_err
store_token_scan_live(struct store *s, int64_t after_id, store_token_live_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_SCAN_LIVE);
    struct principal who;
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, after_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *hash = store_col_text(st, 1);
        if (strlen(hash) != 64 || !role_parse(store_col_text(st, 2), &who.role))
            continue; /* not a credential this build can match: never authenticates */
        who.token_id = sqlite3_column_int64(st, 0);
        snprintf(who.enterprise, sizeof(who.enterprise), "%s", store_col_text(st, 3));
        snprintf(who.name, sizeof(who.name), "%s", store_col_text(st, 4));
        fn(arg, hash, &who);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

enum sm_err
store_token_scan_revoked(struct store *s, store_token_hash_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_SCAN_REVOKED);
    int rc;

    if (!st)
        return SM_ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, store_col_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

enum sm_err
store_data_version(struct store *s, int64_t *version)
{
    sqlite3_stmt *st = store_stmt(s, "PRAGMA data_version");

    *version = 0;
    if (!st)
        return SM_ERR_DB;
    return store_step_int64(s, st, version);
}

enum sm_err
store_token_revoke(struct store *s, int64_t id, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_REVOKE);
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, id);
    err = store_exec_stmt(s, st);
    if (!err && sqlite3_changes(s->db) == 0)
        return SM_ERR_NOTFOUND;
    return err;
}

enum sm_err
store_token_list(struct store *s, store_token_row_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LIST);
    int rc;

    if (!st)
        return SM_ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), store_col_text(st, 1),
           store_col_text(st, 2), store_col_text(st, 3),
           sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}
