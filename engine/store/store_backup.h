#ifndef SM_STORE_STORE_BACKUP_H
#define SM_STORE_STORE_BACKUP_H

#include <stdbool.h>

#include "base/err.h"
#include "store/store.h"

/* Backups and restores of whole database files. Every file is written beside
 * its final name, verified, fsynced and then renamed (or linked) into place,
 * so a crash never leaves a half-written backup or database under the real
 * name. */

/* Online, consistent copy of the open database s to dest (VACUUM INTO a
 * temporary file in dest's directory), then opens the copy read-only and runs
 * integrity_check and foreign_key_check. Refuses (SM_ERR_CONFLICT) when dest
 * exists unless force. *schema_version receives the copy's user_version. */
SM_NODISCARD enum sm_err store_backup_verified(struct store *s, const char *dest,
                                               bool force, int *schema_version,
                                               struct sm_diag *diag);

/* Opens path read-only and runs integrity_check and foreign_key_check.
 * SM_ERR_NOTFOUND when there is no such file, SM_ERR_DB when it is not a
 * database or is damaged (diag says how). *schema_version: its user_version. */
SM_NODISCARD enum sm_err store_verify_file(const char *path, int *schema_version,
                                           struct sm_diag *diag);

/* Replaces the database at target with a copy of src: verifies src, refuses
 * (SM_ERR_BUSY) when a writer holds target (BEGIN IMMEDIATE fails), copies
 * with the SQLite backup API into a temporary file beside target, fsyncs it,
 * removes target's stale -wal/-shm and renames the copy over target.
 * Refuses (SM_ERR_CONFLICT) to replace an existing target unless force.
 * The caller keeps servers away (app_lock). *schema_version: the restored
 * file's user_version. */
SM_NODISCARD enum sm_err store_restore_from(const char *src, const char *target,
                                            bool force, int *schema_version,
                                            struct sm_diag *diag);

#endif
