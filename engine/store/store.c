/* Opening, configuring and migrating the database; transactions; the
 * statement cache. */
#include "store/store_cols.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/migrations.h"

#define LOG_MODULE "store"
#define STORE_BUSY_TIMEOUT_MS 5000

enum sm_err
store_err(struct store *s, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return SM_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        s->errors++;
        return SM_ERR_BUSY;
    case SQLITE_NOMEM:
        s->errors++;
        return SM_ERR_NOMEM;
    case SQLITE_CONSTRAINT:
        return SM_ERR_CONFLICT;
    case SQLITE_IOERR:
    case SQLITE_FULL:
        /* ENOSPC surfaces as IOERR; both mean "could not make it durable" */
        s->errors++;
        log_err("i/o error: %s", sqlite3_errmsg(s->db));
        return SM_ERR_IO;
    default:
        s->errors++;
        log_err("sqlite error %d: %s", rc, sqlite3_errmsg(s->db));
        return SM_ERR_DB;
    }
}

static unsigned
stmt_slot_start(const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);

    return (unsigned)(h >> 40) & (STORE_STMT_SLOTS - 1);
}

/* st, once a writing statement outside a transaction finds synchronous=FULL
 * again (store_sync_full); NULL if it cannot */
static sqlite3_stmt *
stmt_ready(struct store *s, sqlite3_stmt *st)
{
    if (s->sync_normal && !sqlite3_stmt_readonly(st) && store_sync_full(s) != SM_OK)
        return NULL;
    return st;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    unsigned i;

    for (i = stmt_slot_start(sql); s->slot[i]; i = (i + 1) & (STORE_STMT_SLOTS - 1))
        if (s->cache[s->slot[i] - 1].sql == sql) {
            st = s->cache[s->slot[i] - 1].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return stmt_ready(s, st);
        }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                           NULL) != SQLITE_OK) {
        s->errors++;
        log_err("cannot prepare statement: %s", sqlite3_errmsg(s->db));
        return NULL;
    }
    if (s->cached < STORE_STMT_CACHE) {
        s->cache[s->cached].sql = sql;
        s->cache[s->cached].stmt = st;
        s->cached++;
        s->slot[i] = (uint16_t)s->cached; /* i: the empty slot the search ended on */
    } else {
        /* the cache is sized for every static statement; never expected */
        sm_log(LOG_ERR, LOG_MODULE, "statement cache full");
        abort();
    }
    return stmt_ready(s, st);
}

enum sm_err
store_exec_stmt(struct store *s, sqlite3_stmt *st)
{
    int rc;

    if (!st)
        return SM_ERR_DB;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return SM_OK;
    return store_err(s, rc);
}

enum sm_err
store_insert(struct store *s, sqlite3_stmt *st, int64_t *id)
{
    enum sm_err err = store_exec_stmt(s, st);

    if (!err)
        *id = sqlite3_last_insert_rowid(s->db);
    return err;
}

enum sm_err
store_step_int64(struct store *s, sqlite3_stmt *st, int64_t *out)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

enum sm_err
store_step_found(struct store *s, sqlite3_stmt *st)
{
    return store_one_end(s, st, sqlite3_step(st));
}

/* A deferred commit (store_sync.c) leaves the connection at NORMAL: its
 * flusher thread makes the WAL durable. Putting FULL back after each ack
 * group cost two PRAGMAs (SQLite prepares a PRAGMA anew each time it
 * runs), so it is put back only when something else starts to write:
 * a transaction or a statement that writes, outside a transaction. */
enum sm_err
store_sync_full(struct store *s)
{
    if (!s->sync_normal || s->sync_hold || !sqlite3_get_autocommit(s->db))
        return SM_OK;
    if (sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK) {
        log_err("cannot set synchronous=FULL again: %s", sqlite3_errmsg(s->db));
        s->errors++;
        return SM_ERR_DB;
    }
    s->sync_normal = false;
    return SM_OK;
}

enum sm_err
store_exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    int rc;

    if (store_sync_full(s) != SM_OK)
        return SM_ERR_DB;
    rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        log_err("%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return store_err(s, rc);
    }
    return SM_OK;
}

static int
pragma_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static enum sm_err
pragma_text(struct store *s, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

    out[0] = '\0';
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static enum sm_err
configure(struct store *s, bool memory, struct sm_diag *diag)
{
    char mode[32], pragmas[192], page[32];

    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF; "
             "PRAGMA journal_size_limit=%d; PRAGMA cache_size=-%d",
             STORE_WAL_KEEP_BYTES, STORE_CACHE_KIB);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    snprintf(page, sizeof(page), "PRAGMA page_size=%d", STORE_PAGE_BYTES);
    /* before WAL: the first write fixes a new file's page size for good */
    if (store_exec(s, page) != SM_OK ||
        pragma_text(s, "PRAGMA journal_mode=WAL", mode, sizeof(mode)) != SM_OK ||
        store_exec(s, pragmas) != SM_OK) {
        sm_diag_set(diag, "db_unusable", "%s: cannot configure the database: %s",
                    s->path, sqlite3_errmsg(s->db));
        return SM_ERR_DB;
    }
    /* read back: a database that silently refused WAL or FULL would make
     * every acknowledgement a lie */
    if ((!memory && strcmp(mode, "wal") != 0) ||
        pragma_int(s, "PRAGMA synchronous") != 2 ||
        pragma_int(s, "PRAGMA foreign_keys") != 1) {
        sm_diag_set(diag, "db_unusable",
                    "%s: journal_mode=%s synchronous=%d foreign_keys=%d; need wal, 2, 1",
                    s->path, mode, pragma_int(s, "PRAGMA synchronous"),
                    pragma_int(s, "PRAGMA foreign_keys"));
        return SM_ERR_DB;
    }
    return SM_OK;
}

enum sm_err
store_set_throwaway(struct store *s)
{
    return store_exec(s, "PRAGMA synchronous=OFF");
}

static enum sm_err
quick_check(struct store *s, struct sm_diag *diag)
{
    char res[256];
    enum sm_err err = pragma_text(s, "PRAGMA quick_check", res, sizeof(res));

    if (err || strcmp(res, "ok") != 0) {
        sm_diag_set(diag, "db_corrupt",
                    "%s: the database is damaged (%s); restore it from a backup "
                    "(see deploy/README.md) before starting",
                    s->path, err ? sqlite3_errmsg(s->db) : res);
        return SM_ERR_DB;
    }
    return SM_OK;
}

static enum sm_err
migrate(struct store *s, struct sm_diag *diag)
{
    int have = pragma_int(s, "PRAGMA user_version");
    int newest = store_migration_count ? store_migrations[store_migration_count - 1].version : 0;

    if (have > newest) {
        sm_diag_set(diag, "db_too_new",
                    "%s: schema version %d is newer than this smogd knows (%d)",
                    s->path, have, newest);
        return SM_ERR_DB;
    }
    for (int i = 0; i < store_migration_count; i++) {
        const struct store_migration *m = &store_migrations[i];
        char sql[64];
        enum sm_err err;

        if (m->version <= have)
            continue;
        err = store_begin(s);
        if (!err)
            err = store_exec(s, m->sql);
        snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", m->version);
        if (!err)
            err = store_exec(s, sql);
        if (!err)
            err = store_commit(s);
        if (err) {
            sm_diag_set(diag, "migration_failed", "%s: migration %s failed: %s",
                        s->path, m->name, sqlite3_errmsg(s->db));
            store_rollback(s);
            return err;
        }
        log_info("applied migration %s", m->name);
    }
    return SM_OK;
}

void
store_process_init(void)
{
    /* No allocation statistics (nothing reads them): with them on, every
     * SQLite allocation takes a global mutex, about 3 % of the instructions
     * of issuing an order. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum sm_err
store_open(struct store **out, const char *path, struct sm_diag *diag)
{
    struct store *s = xcalloc(1, sizeof(*s));
    bool memory = strcmp(path, ":memory:") == 0;
    enum sm_err err;
    int rc;

    *out = NULL;
    s->path = xstrdup(path);
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, "db_unopenable", "%s: cannot open database: %s", path,
                    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        store_close(s);
        return SM_ERR_DB;
    }
    sqlite3_extended_result_codes(s->db, 1);
    err = configure(s, memory, diag);
    /* before the migrations: 0012 fills list_enterprises with sm_measures() */
    if (!err)
        err = store_register_functions(s);
    if (!err)
        err = quick_check(s, diag);
    if (!err)
        err = migrate(s, diag);
    if (err) {
        if (diag && !diag->text[0])
            sm_diag_set(diag, "db_corrupt", "%s: %s", path, sqlite3_errmsg(s->db));
        store_close(s);
        return err;
    }
    /* acknowledgements logged before a crash or by a server still running
     * reach their orders before anything here reads them; from here on
     * every transaction folds the log (the migrations ran without: the
     * table is 0025's) */
    s->acklog_ready = true;
    s->acklog_shared = !memory;
    err = store_acks_fold(s);
    if (err) {
        sm_diag_set(diag, "db_unwritable", "%s: cannot fold the acknowledgement log: %s", path,
                    sqlite3_errmsg(s->db));
        store_close(s);
        return err;
    }
    *out = s;
    return SM_OK;
}

void
store_close(struct store *s)
{
    if (!s)
        return;
    store_acklog_free(s);
    for (int i = 0; i < s->cached; i++)
        sqlite3_finalize(s->cache[i].stmt);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s);
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

enum sm_err
store_begin(struct store *s)
{
    enum sm_err err = store_sync_full(s);

    if (!err)
        err = store_exec_stmt(s, store_stmt(s, SQL_BEGIN));

    s->audit_head_ok = false;
    s->acklog_folded = false;
    if (!err)
        s->in_tx = true;
    /* every other writer sees the logged acknowledgements in their orders */
    if (!err && !s->ack_log_tx && s->acklog_ready &&
        (s->acklog.n || s->acklog_shared || s->acklog_look)) {
        err = store_acklog_fold(s);
        if (err)
            store_rollback(s);
    }
    return err;
}

bool
store_read_begin(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        return false; /* inside a transaction already */
    return sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL) == SQLITE_OK;
}

void
store_read_end(struct store *s, bool began)
{
    if (began && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        log_warn("ending a read transaction: %s", sqlite3_errmsg(s->db));
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

enum sm_err
store_begin_normal(struct store *s)
{
    enum sm_err err;

    /* left at NORMAL after the commit: consecutive ack groups do not switch
     * back and forth; any other writer puts FULL back (store_sync_full) */
    if (!s->sync_normal) {
        if (sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
            return store_err(s, sqlite3_errcode(s->db));
        s->sync_normal = true;
    }
    s->sync_hold = true;
    err = store_begin(s);
    s->sync_hold = false;
    return err;
}

enum sm_err
store_begin_redoable(struct store *s)
{
    return store_begin_normal(s);
}

enum sm_err
store_acks_fold(struct store *s)
{
    enum sm_err err;

    /* what a fold moves is durable in the log already, and a fold lost in a
     * crash is made again at the next open: it does not wait for the disk */
    s->acklog_look = true;
    err = store_begin_normal(s); /* folds */
    s->acklog_look = false;
    return err ? err : store_commit(s);
}

enum sm_err
store_commit(struct store *s)
{
    enum sm_err err = store_exec_stmt(s, store_stmt(s, SQL_COMMIT));

    s->audit_head_ok = false;
    if (err) {
        store_rollback(s);
        return err;
    }
    s->in_tx = false;
    s->ack_log_tx = false;
    if (s->acklog_folded) {
        store_acklog_forget(s);
        s->acklog_folded = false;
    }
    s->commits++;
    if (s->due_swept_moved) {
        s->due_swept = s->due_swept_pending;
        s->due_swept_moved = false;
    }
    return SM_OK;
}

void
store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)store_exec_stmt(s, store_stmt(s, SQL_ROLLBACK));
    s->in_tx = false;
    s->ack_log_tx = false;
    s->acklog_folded = false;
    s->audit_head_ok = false;
    s->due_swept_moved = false;
}

bool
store_in_tx(const struct store *s)
{
    return s->in_tx;
}

const char *
store_errmsg(const struct store *s)
{
    return sqlite3_errmsg(s->db);
}

enum sm_err
store_ping(struct store *s)
{
    static const char sql[] = "SELECT count(*) FROM sqlite_schema";
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    if (!st)
        return SM_ERR_DB;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}

int
store_schema_version(struct store *s)
{
    return pragma_int(s, "PRAGMA user_version");
}

uint64_t
store_error_count(const struct store *s)
{
    return s->errors;
}

uint64_t
store_commit_count(const struct store *s)
{
    return s->commits;
}

uint64_t
store_change_count(const struct store *s)
{
    return (uint64_t)sqlite3_total_changes64(s->db);
}

enum sm_err
store_check_integrity(struct store *s, bool *ok, struct sm_diag *diag)
{
    char res[256];
    sqlite3_stmt *st = NULL;
    enum sm_err err = pragma_text(s, "PRAGMA integrity_check", res, sizeof(res));

    if (err)
        return err;
    *ok = strcmp(res, "ok") == 0;
    if (!*ok) {
        sm_diag_set(diag, "integrity", "integrity_check: %s", res);
        return SM_OK;
    }
    if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return store_err(s, sqlite3_errcode(s->db));
    if (sqlite3_step(st) == SQLITE_ROW) {
        *ok = false;
        sm_diag_set(diag, "foreign_key", "foreign_key_check: table %s row %lld",
                    (const char *)sqlite3_column_text(st, 0),
                    (long long)sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    return SM_OK;
}

enum sm_err
store_backup(struct store *s, const char *dest, struct sm_diag *diag)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?", -1, &st, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        sm_diag_set(diag, "backup_failed", "backup to %s failed: %s", dest,
                    sqlite3_errmsg(s->db));
        return store_err(s, rc);
    }
    return SM_OK;
}
