/* Operations: the database lock, backup/verify/restore of files, SIGHUP reload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/lockfile.h"
#include "app/reload.h"
#include "ruleset/ruleset.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "check.h"
#include "store/store.h"
#include "store/store_backup.h"

static char *
temp_dir(void)
{
    char tmpl[] = "/tmp/smogd-unit-XXXXXX";

    return xstrdup(mkdtemp(tmpl));
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    fputs(text, f);
    fclose(f);
}

static void
test_lock_is_exclusive_and_names_pid(void)
{
    char *dir = temp_dir();
    char *db = xasprintf("%s/smogd.db", dir);
    char *want = xasprintf("(pid %ld,", (long)getpid());
    struct app_lock *a = NULL, *b = NULL;
    struct sm_diag d = { 0 };

    CHECK_INT(app_lock_acquire(db, &a, &d), SM_OK);
    CHECK(a != NULL);
    /* flock is per open file: a second open in the same process conflicts */
    CHECK_INT(app_lock_acquire(db, &b, &d), SM_ERR_BUSY);
    CHECK(b == NULL);
    CHECK_STR(d.code, "db_in_use");
    CHECK(strstr(d.text, want) != NULL);
    app_lock_release(a);
    CHECK_INT(app_lock_acquire(db, &b, &d), SM_OK);
    app_lock_release(b);
    free(want);
    free(db);
    free(dir);
}

static void
test_backup_verify_restore_files(void)
{
    char *dir = temp_dir();
    char *db = xasprintf("%s/live.db", dir);
    char *copy = xasprintf("%s/copy.db", dir);
    char *target = xasprintf("%s/restored.db", dir);
    char *junk = xasprintf("%s/junk.db", dir);
    char token[128];
    int64_t id = 0;
    int version = 0, restored = 0, backed_up = 0;
    struct store *s = NULL;
    struct sm_diag d = { 0 };

    CHECK_INT(store_open(&s, db, &d), SM_OK);
    CHECK_INT(store_token_create(s, ROLE_OFFICER, "", "duty-1", 1000, token, &id), SM_OK);
    CHECK_INT(store_backup_verified(s, copy, false, &version, &d), SM_OK);
    CHECK_INT(version, store_schema_version(s));
    CHECK_INT(store_backup_verified(s, copy, false, &version, &d), SM_ERR_CONFLICT);
    CHECK_STR(d.code, "dest_exists");
    CHECK_INT(store_backup_verified(s, copy, true, &backed_up, &d), SM_OK);
    CHECK_INT(backed_up, store_schema_version(s));
    store_close(s);

    CHECK_INT(store_verify_file(junk, &version, &d), SM_ERR_NOTFOUND);
    CHECK_STR(d.code, "no_such_file");
    write_file(junk, "this is not a database, not even close to one");
    CHECK_INT(store_verify_file(junk, &version, &d), SM_ERR_DB);
    CHECK_STR(d.code, "db_unreadable");
    CHECK_INT(store_restore_from(junk, target, true, &restored, &d), SM_ERR_DB);
    CHECK(access(target, F_OK) != 0);

    CHECK_INT(store_restore_from(copy, target, false, &restored, &d), SM_OK);
    CHECK_INT(restored, backed_up);
    CHECK_INT(store_restore_from(copy, target, false, &restored, &d), SM_ERR_CONFLICT);
    CHECK_STR(d.code, "target_exists");
    /* the restored copy opens and still knows the token */
    CHECK_INT(store_open(&s, target, &d), SM_OK);
    if (s) {
        struct principal p;
        CHECK_INT(store_token_lookup(s, token, &p), SM_OK);
        CHECK_STR(p.name, "duty-1");
        /* a writer holding the target makes restore refuse */
        CHECK_INT(store_begin(s), SM_OK);
        CHECK_INT(store_restore_from(copy, target, true, &restored, &d), SM_ERR_BUSY);
        CHECK_STR(d.code, "db_busy");
        store_rollback(s);
        store_close(s);
    }
    free(db);
    free(copy);
    free(target);
    free(junk);
    free(dir);
}

static void
test_reload_applies_or_keeps_log_level(void)
{
    char *dir = temp_dir();
    char *conf = xasprintf("%s/smogd.conf", dir);
    struct app a = { 0 };

    config_init_defaults(&a.cfg);
    a.config_path = conf;
    sm_log_set_level(LOG_ERR); /* keep the test's own output quiet */
    write_file(conf, "log_level debug\n");
    CHECK_INT(app_reload(&a), SM_OK);
    CHECK_STR(a.cfg.log_level, "debug");
    CHECK_INT(sm_log_level(), LOG_DEBUG);
    sm_log_set_level(LOG_CRIT);
    write_file(conf, "log_level err\nmax_body_bytes 3\n");
    CHECK_INT(app_reload(&a), SM_ERR_INVAL);
    CHECK_STR(a.cfg.log_level, "debug");
    CHECK_INT(sm_log_level(), LOG_CRIT);
    write_file(conf, "log_level shouty\n");
    CHECK_INT(app_reload(&a), SM_ERR_INVAL);
    CHECK_STR(a.cfg.log_level, "debug");
    unlink(conf);
    CHECK_INT(app_reload(&a), SM_ERR_IO);
    CHECK_STR(a.cfg.log_level, "debug");
    CHECK(app_reload_step_count >= 1);
    CHECK_STR(app_reload_steps[0].name, "log_level");
    CHECK(a.rules != NULL); /* the valid reload above swapped a rule set in */
    ruleset_unref(a.rules);
    config_release(&a.cfg);
    sm_log_set_level(LOG_INFO);
    free(conf);
    free(dir);
}

CHECK_MAIN(CHECK_CASE(test_lock_is_exclusive_and_names_pid),
           CHECK_CASE(test_backup_verify_restore_files),
           CHECK_CASE(test_reload_applies_or_keeps_log_level))
