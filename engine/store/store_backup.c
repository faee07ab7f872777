/* Whole-file backups and restores: VACUUM INTO and the SQLite backup API,
 * always through a temporary file beside the final name, fsynced and renamed
 * into place. */
#include "store/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/xalloc.h"

#define VERIFY_BUSY_TIMEOUT_MS 5000

/* Flushes a file (or a directory, so that a rename in it is durable). */
static enum sm_err
fsync_path(const char *path, struct sm_diag *diag)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0) {
        sm_diag_set(diag, "fsync_failed", "cannot open %s to flush it: %s", path, strerror(errno));
        return SM_ERR_IO;
    }
    rc = fsync(fd);
    close(fd);
    if (rc != 0) {
        sm_diag_set(diag, "fsync_failed", "cannot flush %s: %s", path, strerror(errno));
        return SM_ERR_IO;
    }
    return SM_OK;
}

static enum sm_err
fsync_parent(const char *path, struct sm_diag *diag)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    enum sm_err err = fsync_path(dir, diag);

    free(dir);
    return err;
}

/* new: "<final>.<what>.<pid>", in the same directory so rename is atomic */
static char *
temp_beside(const char *final, const char *what)
{
    return xasprintf("%s.%s.%ld", final, what, (long)getpid());
}

static bool
file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* First row of a one-column pragma, "" when it returns none. */
static int
first_text(sqlite3 *db, const char *sql, char *out, size_t cap, long long *second)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    out[0] = '\0';
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(out, cap, "%s", t ? (const char *)t : "");
            if (second)
                *second = sqlite3_column_int64(st, 1);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

enum sm_err
store_verify_file(const char *path, int *schema_version, struct sm_diag *diag)
{
    sqlite3 *db = NULL;
    char res[256];
    long long rowid = 0;
    enum sm_err err = SM_ERR_DB;
    int rc;

    *schema_version = 0;
    if (!file_exists(path)) {
        sm_diag_set(diag, "no_such_file", "%s: no such file", path);
        return SM_ERR_NOTFOUND;
    }
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, "db_unopenable", "%s: cannot open: %s", path,
                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(db, VERIFY_BUSY_TIMEOUT_MS);
    rc = first_text(db, "PRAGMA integrity_check", res, sizeof(res), NULL);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, "db_unreadable", "%s: integrity_check failed: %s", path,
                    sqlite3_errmsg(db));
        goto out;
    }
    if (strcmp(res, "ok") != 0) {
        for (char *c = res; *c; c++)
            if (*c == '\n')
                *c = ' '; /* SQLite splits one finding over lines; keep it one line */
        sm_diag_set(diag, "db_corrupt", "%s: integrity_check: %s", path, res);
        goto out;
    }
    rc = first_text(db, "PRAGMA foreign_key_check", res, sizeof(res), &rowid);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, "db_unreadable", "%s: foreign_key_check failed: %s", path,
                    sqlite3_errmsg(db));
        goto out;
    }
    if (res[0]) {
        sm_diag_set(diag, "db_corrupt", "%s: foreign_key_check: table %s row %lld", path, res,
                    rowid);
        goto out;
    }
    rc = first_text(db, "PRAGMA user_version", res, sizeof(res), NULL);
    *schema_version = rc == SQLITE_OK ? (int)strtol(res, NULL, 10) : 0;
    if (*schema_version <= 0) {
        /* an empty file passes integrity_check; it is still not a backup */
        sm_diag_set(diag, "not_smogd", "%s: not a smogd database (schema version %d)", path,
                    *schema_version);
        goto out;
    }
    err = SM_OK;
out:
    sqlite3_close(db);
    return err;
}

enum sm_err
store_backup_verified(struct store *s, const char *dest, bool force,
                      int *schema_version, struct sm_diag *diag)
{
    char *tmp = temp_beside(dest, "partial");
    enum sm_err err;

    *schema_version = 0;
    if (!force && file_exists(dest)) {
        sm_diag_set(diag, "dest_exists", "%s already exists; --force replaces it", dest);
        err = SM_ERR_CONFLICT;
        goto out;
    }
    (void)unlink(tmp); /* VACUUM INTO wants a new or empty file */
    err = store_backup(s, tmp, diag);
    if (!err)
        err = store_verify_file(tmp, schema_version, diag);
    if (!err)
        err = fsync_path(tmp, diag);
    if (err)
        goto out;
    if (force) {
        if (rename(tmp, dest) != 0) {
            sm_diag_set(diag, "rename_failed", "cannot rename %s to %s: %s", tmp, dest,
                        strerror(errno));
            err = SM_ERR_IO;
            goto out;
        }
    } else if (link(tmp, dest) != 0) {
        /* link, not rename: a file that appeared meanwhile is never replaced */
        sm_diag_set(diag, errno == EEXIST ? "dest_exists" : "link_failed",
                    "cannot create %s: %s", dest, strerror(errno));
        err = errno == EEXIST ? SM_ERR_CONFLICT : SM_ERR_IO;
        goto out;
    }
    err = fsync_parent(dest, diag);
out:
    (void)unlink(tmp);
    free(tmp);
    return err;
}

/* SM_ERR_BUSY when another connection holds a write lock on target. A
 * damaged target (the usual reason to restore) is not an obstacle. */
static enum sm_err
check_not_busy(const char *target, struct sm_diag *diag)
{
    sqlite3 *db = NULL;
    enum sm_err err = SM_OK;
    int rc = sqlite3_open_v2(target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
            sm_diag_set(diag, "db_busy",
                        "%s is in use by another process (a transaction is open); stop "
                        "the server first", target);
            err = SM_ERR_BUSY;
        } else if (rc == SQLITE_OK) {
            (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    sqlite3_close(db);
    return err;
}

static enum sm_err
copy_with_backup_api(const char *src, const char *dst, struct sm_diag *diag)
{
    sqlite3 *from = NULL, *to = NULL;
    sqlite3_backup *b = NULL;
    enum sm_err err = SM_ERR_DB;
    int rc;

    rc = sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(dst, &to,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        sm_diag_set(diag, "db_unopenable", "cannot open %s: %s", to ? dst : src,
                    sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(from, VERIFY_BUSY_TIMEOUT_MS);
    b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) {
        sm_diag_set(diag, "restore_failed", "cannot copy %s: %s", src, sqlite3_errmsg(to));
        goto out;
    }
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        sm_diag_set(diag, "restore_failed", "copying %s to %s failed: %s", src, dst,
                    sqlite3_errstr(rc));
        goto out;
    }
    err = SM_OK;
out:
    sqlite3_close(to);
    sqlite3_close(from);
    return err;
}

static enum sm_err
unlink_if_present(const char *base, const char *suffix, struct sm_diag *diag)
{
    char *p = xasprintf("%s%s", base, suffix);
    enum sm_err err = SM_OK;

    if (unlink(p) != 0 && errno != ENOENT) {
        sm_diag_set(diag, "unlink_failed", "cannot remove %s: %s", p, strerror(errno));
        err = SM_ERR_IO;
    }
    free(p);
    return err;
}

enum sm_err
store_restore_from(const char *src, const char *target, bool force,
                   int *schema_version, struct sm_diag *diag)
{
    char *tmp = temp_beside(target, "restoring");
    enum sm_err err;
    int src_version = 0;

    *schema_version = 0;
    err = store_verify_file(src, &src_version, diag);
    if (err)
        goto out;
    if (file_exists(target)) {
        if (!force) {
            sm_diag_set(diag, "target_exists", "%s already exists; --force replaces it", target);
            err = SM_ERR_CONFLICT;
            goto out;
        }
        err = check_not_busy(target, diag);
        if (err)
            goto out;
    }
    (void)unlink(tmp);
    err = copy_with_backup_api(src, tmp, diag);
    if (!err)
        err = fsync_path(tmp, diag);
    /* a -wal left beside target belongs to the old file and would be
     * replayed onto the new one */
    if (!err)
        err = unlink_if_present(target, "-wal", diag);
    if (!err)
        err = unlink_if_present(target, "-shm", diag);
    if (err)
        goto out;
    if (rename(tmp, target) != 0) {
        sm_diag_set(diag, "rename_failed", "cannot rename %s to %s: %s", tmp, target,
                    strerror(errno));
        err = SM_ERR_IO;
        goto out;
    }
    err = fsync_parent(target, diag);
    if (!err)
        err = store_verify_file(target, schema_version, diag);
out:
    (void)unlink(tmp);
    free(tmp);
    return err;
}
