#ifndef SM_APP_LOCKFILE_H
#define SM_APP_LOCKFILE_H

#include "base/err.h"

/* "<database>.lock": held (flock, exclusive) by `smogd serve` for its whole
 * life and by `smogd restore` while it replaces the file, so neither runs
 * under the other. The file holds the holder's pid for messages. */
struct app_lock;

/* Takes the lock without waiting. SM_ERR_BUSY when another process holds it
 * (diag names the file and the pid written in it). *out is new. */
SM_NODISCARD enum sm_err app_lock_acquire(const char *db_path,
                                          struct app_lock **out,
                                          struct sm_diag *diag);
/* Releases and frees the lock (NULL is fine). The file stays. */
void app_lock_release(struct app_lock *l);

#endif
