/* Wiring: the database, the event loop, the HTTP server and signals. */
#include "app/app.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "api/api.h"
#include "app/lockfile.h"
#include "app/reload.h"
#include "base/crypto.h"
#include "base/log.h"
#include "ingest/warning.h"
#include "ruleset/ruleset.h"
#include "dispatch/dispatch.h"
#include "store/store.h"

#define LOG_MODULE "app"

enum sm_err
app_open(struct app *a, struct sm_diag *diag)
{
    enum sm_err err;

    ingest_init();
    if (!a->rules) {
        err = ruleset_load_dir(config_rules_dir(&a->cfg), &a->rules, diag);
        if (err)
            return err;
    }
    return store_open(&a->store, a->cfg.db_path, diag);
}

static void
on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    struct app *a = arg;

    (void)what;
    if (a->stopping)
        return;
    a->stopping = true;
    log_info("received %s; finishing in-flight requests and stopping",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* handlers run to completion on the loop, so every request read so far
     * has been answered; leaving the loop closes the listener */
    event_base_loopexit(a->base, NULL);
}

static void
on_hup_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    if (app_reload(arg) != SM_OK)
        log_warn("reload incomplete; serving with the previous values");
}

/* With the epoll changelist a connection's read/write interest changes are
 * applied once per loop turn instead of one epoll_ctl each (four per
 * request without it); we never dup() a descriptor we watch, which is the
 * case the changelist gets wrong. */
static struct event_base *
new_base(void)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    if (!cfg)
        return NULL;
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

enum sm_err
app_serve(struct app *a, struct sm_diag *diag)
{
    char bound[64] = "";
    char warm[65];
    enum sm_err err;

    signal(SIGPIPE, SIG_IGN);
    /* OpenSSL loads its providers on the first digest (≈ 1 ms): pay it
     * here, not inside the first request's token check */
    sm_sha256_hex("", 0, warm);
    if (strcmp(a->cfg.db_path, ":memory:") != 0) {
        err = app_lock_acquire(a->cfg.db_path, &a->lock, diag);
        if (err)
            return err;
    }
    a->base = new_base();
    if (!a->base) {
        sm_diag_set(diag, "event_base", "cannot create the event loop");
        return SM_ERR_IO;
    }
    err = api_start(a, a->cfg.listen, &a->api, bound, diag);
    if (err)
        return err;
    err = dispatch_start(a, diag);
    if (err)
        return err;
    a->sig_term = evsignal_new(a->base, SIGTERM, on_stop_signal, a);
    a->sig_int = evsignal_new(a->base, SIGINT, on_stop_signal, a);
    event_add(a->sig_term, NULL);
    event_add(a->sig_int, NULL);
    app_schedule(a); /* catch up on deadlines that fell due while stopped */
    a->sig_hup = evsignal_new(a->base, SIGHUP, on_hup_signal, a);
    event_add(a->sig_hup, NULL);
    printf("smogd listening on %s (database %s)\n", bound, a->cfg.db_path);
    fflush(stdout);
    log_info("listening on %s", bound);
    event_base_dispatch(a->base);
    log_info("stopped");
    return SM_OK;
}

void
app_close(struct app *a)
{
    dispatch_free(a->dispatch);
    a->dispatch = NULL;
    api_free(a->api);
    a->api = NULL;
    if (a->sig_term)
        event_free(a->sig_term);
    if (a->sig_int)
        event_free(a->sig_int);
    if (a->sig_hup)
        event_free(a->sig_hup);
    if (a->timer)
        event_free(a->timer);
    a->timer = NULL;
    a->sig_term = a->sig_int = a->sig_hup = NULL;
    store_close(a->store);
    a->store = NULL;
    ruleset_unref(a->rules);
    a->rules = NULL;
    app_lock_release(a->lock);
    a->lock = NULL;
    if (a->base)
        event_base_free(a->base);
    a->base = NULL;
    config_release(&a->cfg);
}
