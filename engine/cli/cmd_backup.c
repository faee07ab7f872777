/* smogd backup DEST / smogd restore SRC */
#include <stdio.h>
#include <unistd.h>

#include "app/lockfile.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "store/store_backup.h"

static const char backup_usage[] =
    "usage: smogd backup DEST [--db FILE] [--config FILE] [--force]\n\n"
    "Copies the database to DEST while the server keeps running (a consistent\n"
    "snapshot), then opens the copy and runs integrity_check and foreign_key_check.\n"
    "The copy is written beside DEST and renamed into place only once verified.\n"
    "Exit 0 and \"backup ok: DEST (schema version N)\"; exit 1 with the reason.\n\n"
    "  --db FILE      database to copy (default ./smogd.db or the config's db)\n"
    "  --config FILE  configuration file (for its db directive)\n"
    "  --force        replace DEST when it exists (default: refuse)\n";

static const char restore_usage[] =
    "usage: smogd restore SRC [--db FILE] [--config FILE] [--force]\n\n"
    "Replaces the database with a verified copy of the backup SRC. Checks SRC first\n"
    "(integrity_check, foreign_key_check), refuses while a server runs on the\n"
    "database or a writer holds it, copies into a file beside the database,\n"
    "flushes it and renames it into place, then prints the schema version.\n"
    "The server migrates an older schema when it next starts.\n\n"
    "  --db FILE      database to replace (default ./smogd.db or the config's db)\n"
    "  --config FILE  configuration file (for its db directive)\n"
    "  --force        replace an existing database (default: refuse)\n";

/* Parses the shared flags; returns -1 to go on, else the exit code. */
static int
parse(const char *cmd, const char *usage, int argc, char **argv, const char **file,
      struct app *a, bool *force)
{
    const char *db = NULL, *config = NULL;
    const struct cli_opt opts[] = {
        { "--db", &db, NULL }, { "--config", &config, NULL }, { "--force", NULL, force },
    };
    const char *pos[1];
    int npos, rc = cli_parse(cmd, argc, argv, opts, 3, pos, 1, &npos);

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos != 1) {
        fprintf(stderr, "smogd %s: expected one file name (see smogd %s --help)\n", cmd, cmd);
        return 2;
    }
    *file = pos[0];
    if (!cli_config(a, config, db))
        return 1;
    return -1;
}

int
cmd_backup(int argc, char **argv)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    const char *dest = NULL;
    bool force = false;
    int version = 0, rc = parse("backup", backup_usage, argc, argv, &dest, &a, &force);

    if (rc != -1)
        return rc;
    /* store_open would create an empty database; a backup of nothing is a mistake */
    if (access(a.cfg.db_path, F_OK) != 0) {
        fprintf(stderr, "smogd backup: no database at %s\n", a.cfg.db_path);
        config_release(&a.cfg);
        return 1;
    }
    if (app_open(&a, &d) != SM_OK) {
        cli_error("backup: database", &d);
        app_close(&a);
        return 1;
    }
    if (store_backup_verified(a.store, dest, force, &version, &d) != SM_OK) {
        cli_error("backup failed", &d);
        app_close(&a);
        return 1;
    }
    app_close(&a);
    printf("backup ok: %s (schema version %d, integrity ok)\n", dest, version);
    return 0;
}

int
cmd_restore(int argc, char **argv)
{
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    struct app_lock *lock = NULL;
    const char *src = NULL;
    bool force = false;
    int version = 0, rc = parse("restore", restore_usage, argc, argv, &src, &a, &force);

    if (rc != -1)
        return rc;
    /* the same lock serve holds: no server starts while the file is replaced */
    if (app_lock_acquire(a.cfg.db_path, &lock, &d) != SM_OK) {
        cli_error("restore refused", &d);
        config_release(&a.cfg);
        return 1;
    }
    if (store_restore_from(src, a.cfg.db_path, force, &version, &d) != SM_OK) {
        cli_error("restore failed", &d);
        rc = 1;
    } else {
        printf("restore ok: %s from %s (schema version %d, integrity ok)\n", a.cfg.db_path, src,
               version);
        rc = 0;
    }
    app_lock_release(lock);
    config_release(&a.cfg);
    return rc;
}
