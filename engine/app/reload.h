#ifndef SM_APP_RELOAD_H
#define SM_APP_RELOAD_H

#include "app/app.h"

/* SIGHUP: re-read the configuration file (a->config_path) and switch the
 * running server over to its reloadable parts, one step at a time. A step
 * that fails logs why and keeps its old values; the server keeps serving. */

/* One reloadable part. `fresh` is the newly read, finished configuration
 * (borrowed). The step validates everything it needs before changing a, so
 * that an error leaves the running values untouched. */
struct app_reload_step {
    const char *name;
    enum sm_err (*reload)(struct app *a, const struct config *fresh,
                          struct sm_diag *diag);
};

/* Re-reads the file and runs every step of app_reload_steps. Returns the
 * first error (a bad file: nothing changes). Logs "reload requested" and the
 * outcome of every step. */
SM_NODISCARD enum sm_err app_reload(struct app *a);

/* The steps, in order: log_level, rules, templates (the notice templates,
 * from the directory the notifiers file names). */
extern const struct app_reload_step app_reload_steps[];
extern const int app_reload_step_count;

#endif
