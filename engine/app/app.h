#ifndef SM_APP_APP_H
#define SM_APP_APP_H

#include <stdbool.h>

#include "base/err.h"
#include "clock/clock.h"
#include "config/config.h"

struct event_base;
struct event;
struct store;
struct api;
struct ruleset;
struct app_lock;
struct dispatch;

/* Everything a running smogd owns; there are no globals. serve, replay and
 * the offline commands each build one. */
struct app {
    struct config cfg;
    struct clock clock;
    struct event_base *base; /* NULL for offline commands */
    struct store *store;
    struct api *api;
    struct dispatch *dispatch; /* delivery of the outbox (serve only) */
    struct event *sig_term, *sig_int, *sig_hup;
    struct event *timer; /* the next persisted deadline (serve only) */
    bool stopping;
    struct ruleset *rules; /* the rules in force (refcounted; swapped on reload) */
    const char *config_path; /* borrowed; re-read on SIGHUP (app/reload.h) */
    struct app_lock *lock;   /* serve's hold on "<db>.lock" (app/lockfile.h) */
};

/* Opens the database named by cfg (creating/migrating it). */
SM_NODISCARD enum sm_err app_open(struct app *a, struct sm_diag *diag);
/* Runs the server until SIGTERM/SIGINT; prints "listening on H:P". Holds
 * "<db>.lock" while it runs; SIGHUP calls app_reload. */
SM_NODISCARD enum sm_err app_serve(struct app *a, struct sm_diag *diag);
void app_close(struct app *a);
/* Re-arms the timer for the next persisted deadline (warning onsets and
 * expiries, acknowledgement deadlines); a no-op without an event loop. */
void app_schedule(struct app *a);

#endif
