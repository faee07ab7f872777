/* The replay loop: set up a fresh engine, then for each step advance the
 * virtual clock through every deadline and scheduled acknowledgement due
 * before it, run the step, and report what happened. */
#include "replay/replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "dispatch/dispatch.h"
#include "list/diags.h"
#include "ops/ops_int.h"
#include "replay/replay_int.h"
#include "store/store.h"
#include "store/store_orders.h"
#include "store/store_report.h"

const struct ops_actor replay_officer = { "duty-officer", "officer", NULL };

/* new reference: the status at the current time; events emitted with
 * nothing written in between share it (counting the episode's orders is the
 * dearest part of an event) */
static json_t *
status_now(struct replay *r)
{
    int64_t now = clock_now(&r->app->clock);
    uint64_t changes = store_change_count(r->app->store);
    json_t *st = NULL;

    if (r->status && r->status_ms == now && r->status_changes == changes)
        return json_incref(r->status);
    json_decref(r->status);
    r->status = NULL;
    if (ops_status(r->app, &st) != SM_OK)
        return json_object();
    r->status = json_incref(st);
    r->status_ms = now;
    r->status_changes = changes;
    return st;
}

static void
emit(struct replay *r, int64_t now, const char *kind, const char *text)
{
    char t[32];
    json_t *st = status_now(r), *ev;

    ev = json_pack("{s:s,s:I,s:s,s:s,s:O,s:O}", "at", sm_time_format(now, r->app->cfg.tz_min, t),
                   "at_ms", (json_int_t)now, "kind", kind, "text", text, "level",
                   json_object_get(st, "level"), "orders", json_object_get(st, "orders"));
    if (json_object_get(st, "drill"))
        json_object_set(ev, "drill", json_object_get(st, "drill"));
    if (r->step) {
        json_object_set_new(ev, "step", json_integer(r->step->index));
        json_object_set_new(ev, "line", json_integer(r->step->line));
    }
    json_decref(st);
    if (r->opts->on_event)
        r->opts->on_event(r->opts->arg, ev);
    json_array_append_new(r->res->events, ev);
}

static void
flush_tally(struct replay *r, struct replay_tally *t, const char *what)
{
    char text[256], t0[32], t1[32];
    int n = t->n;

    if (!n)
        return;
    t->n = 0;
    sm_time_format(t->first_ms, r->app->cfg.tz_min, t0);
    sm_time_format(t->last_ms, r->app->cfg.tz_min, t1);
    if (t->first_ms == t->last_ms)
        snprintf(text, sizeof(text), "%d %s", n, what);
    else
        snprintf(text, sizeof(text), "%d %s between %.5s and %.5s", n, what, t0 + 11, t1 + 11);
    emit(r, t->last_ms, "delivery", text);
}

void
replay_flush_acks(struct replay *r)
{
    static const char *const how[2] = { "by their enterprises",
                                        "by phone (recorded by the duty officer)" };
    int n[2] = { r->batch[0], r->batch[1] }, gone = r->batch_gone;
    char text[256], t0[32], t1[32];

    flush_tally(r, &r->late, "delayed deliveries delivered on retry");
    flush_tally(r, &r->dead, "deliveries given up (dead letters, each but an alert's own "
                             "alerting the officer)");
    if (!n[0] && !n[1] && !gone)
        return;
    r->batch[0] = r->batch[1] = r->batch_gone = 0;
    sm_time_format(r->batch_first, r->app->cfg.tz_min, t0);
    sm_time_format(r->batch_last, r->app->cfg.tz_min, t1);
    for (int k = 0; k < 2; k++) {
        if (!n[k])
            continue;
        if (r->batch_first == r->batch_last)
            snprintf(text, sizeof(text), "%d orders acknowledged %s", n[k], how[k]);
        else
            snprintf(text, sizeof(text), "%d orders acknowledged %s between %.5s and %.5s", n[k],
                     how[k], t0 + 11, t1 + 11);
        emit(r, r->batch_last, "ack", text);
    }
    if (gone) {
        snprintf(text, sizeof(text), "%d scheduled acknowledgements found no open order", gone);
        emit(r, r->batch_last, "ack", text);
    }
}

void
replay_event(struct replay *r, const char *kind, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    replay_flush_acks(r);
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    emit(r, clock_now(&r->app->clock), kind, text);
}

void
replay_fail(struct replay *r, const char *path, json_t *expected, json_t *actual, const char *fmt,
            ...)
{
    char text[800], full[128];
    int line = r->step ? r->step->line : 0, col = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (r->step) {
        snprintf(full, sizeof(full), "steps[%d].%s", r->step->index, path);
        scenario_locate(r->sc, full, &line, &col);
        if (!line)
            line = r->step->line;
    }
    r->res->failed++;
    json_t *f = json_pack("{s:i,s:i,s:s,s:s}", "step", r->step ? r->step->index : -1, "line", line,
                          "what", path, "message", text);
    json_object_set_new(f, "expected", expected ? expected : json_null());
    json_object_set_new(f, "actual", actual ? actual : json_null());
    json_array_append_new(r->res->failures, f);
    replay_event(r, "failure", "%s:%d: step %d: %s", r->sc->name, line,
                 r->step ? r->step->index : -1, text);
}

/* ---- what the engine wrote since the last look ---- */

struct drain_ctx {
    struct replay *r;
    json_t *decisions;
    int64_t reminders, alerts, undelivered;
    char who[80];
};

static bool
ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static void
on_decision(void *arg, const struct decision_row *d)
{
    struct drain_ctx *c = arg;
    json_array_append_new(c->decisions,
                          json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:b}", "id", (json_int_t)d->id,
                                    "from", level_name(d->from), "to", level_name(d->to),
                                    "source", d->source, "reason", d->reason, "issued", d->issued,
                                    "superseded", d->superseded, "lifted", d->lifted, "drill",
                                    d->drill));
}

static void
on_outbox(void *arg, const struct outbox_seen *o)
{
    struct drain_ctx *c = arg;

    c->r->last_outbox = o->id;
    if (strcmp(o->kind, "ack_reminder") == 0) {
        size_t n = strlen(c->who);
        if (c->reminders < 3)
            snprintf(c->who + n, sizeof(c->who) - n, "%s%s", c->reminders ? ", " : "",
                     o->enterprise);
        else if (c->reminders == 3)
            snprintf(c->who + n, sizeof(c->who) - n, ", ...");
        c->reminders++;
    } else if (strcmp(o->kind, "officer_alert") == 0) {
        /* the dispatcher's alerts: undelivered past the deadline, dead letters */
        if (ends_with(o->event_id, ":undelivered"))
            c->undelivered++;
        else if (!ends_with(o->event_id, ":dead")) /* dead letters: their own line */
            c->alerts++;
    }
}

enum sm_err
replay_drain(struct replay *r)
{
    struct drain_ctx c = { r, json_array(), 0, 0, 0, "" };
    enum sm_err err = store_decisions_since(r->app->store, r->last_decision, 0, on_decision, &c);
    size_t i;
    json_t *d;

    if (!err)
        err = store_outbox_since(r->app->store, r->last_outbox, on_outbox, &c);
    json_array_foreach(c.decisions, i, d) {
        r->last_decision = json_integer_value(json_object_get(d, "id"));
        replay_event(r, "decision", "%slevel %s -> %s (%s: %s): %lld issued, %lld superseded, %lld lifted",
                     json_is_true(json_object_get(d, "drill")) ? "drill " : "",
                     json_string_value(json_object_get(d, "from")),
                     json_string_value(json_object_get(d, "to")),
                     json_string_value(json_object_get(d, "source")),
                     json_string_value(json_object_get(d, "reason")),
                     (long long)json_integer_value(json_object_get(d, "issued")),
                     (long long)json_integer_value(json_object_get(d, "superseded")),
                     (long long)json_integer_value(json_object_get(d, "lifted")));
    }
    json_decref(c.decisions);
    if (c.reminders || c.alerts)
        replay_event(r, "overdue",
                     "acknowledgement overdue: %lld ack_reminder, %lld officer_alert notices (%s)",
                     (long long)c.reminders, (long long)c.alerts, c.who);
    if (c.undelivered)
        replay_event(r, "delivery", "undelivered past the deadline: %lld officer_alert notices",
                     (long long)c.undelivered);
    return err;
}

/* ---- the clock ---- */

/* Deadlines, then delivery of whatever they and the last step wrote (the
 * timeline shows what was written before what its delivery did). */
static enum sm_err
run_timers(struct replay *r)
{
    int64_t now = clock_now(&r->app->clock);
    enum sm_err err;

    /* a run flags a bounded number of late orders (it holds the server's
     * loop); the replay takes the rest at the same instant, so that the
     * timeline has one line for them */
    do
        err = ops_run_timers(r->app, &r->next_timer_ms);
    while (!err && r->next_timer_ms == now);

    if (!err)
        r->quiet_until = ops_timers_quiet_until(r->app, clock_now(&r->app->clock));
    if (!err)
        err = replay_drain(r);
    if (!err)
        err = replay_deliver(r);
    return err ? err : replay_drain(r);
}

/* Acknowledgements scheduled before this time (and at or before target)
 * can run one after the other without the clock stopping for the timers
 * and delivery between them; 0 when the next one cannot. Between the last
 * run of the timers and the quiet bound, before the next persisted
 * deadline and the next delivery event, those runs write nothing and
 * record nothing: acknowledgements write no notices and only ever move the
 * next acknowledgement deadline later, which is read again after them. */
static int64_t
acks_quiet_before(const struct replay *r, int64_t na, int64_t nt, int64_t nd, int64_t target)
{
    int64_t until = r->quiet_until;

    if (r->delivery_due_now || na >= until || na >= nt || na >= nd || na > target)
        return 0;
    if (nt < until)
        until = nt;
    if (nd < until)
        until = nd;
    if (target < INT64_MAX && target + 1 < until)
        until = target + 1;
    return until;
}

/* Moves the clock to target, stopping at every deadline, scheduled
 * acknowledgement, delivery retry and notice delivery deadline on the way;
 * at one instant acknowledgements run before deadlines, so an answer
 * exactly at the deadline is on time. A stretch in which only
 * acknowledgements fall due runs as one transaction, without the stops
 * that would find nothing to do (the same result, stop for stop). */
static enum sm_err
advance_to(struct replay *r, int64_t target)
{
    enum sm_err err = SM_OK;

    while (!err) {
        int64_t na = r->head < r->nacks ? r->acks[r->head].at_ms : INT64_MAX;
        int64_t nt = r->next_timer_ms ? r->next_timer_ms : INT64_MAX;
        int64_t nd = r->next_delivery_ms ? r->next_delivery_ms : INT64_MAX;
        int64_t next = na < nt ? na : nt, until;
        if (nd < next)
            next = nd;
        if (next > target)
            break;
        until = acks_quiet_before(r, na, nt, nd, target);
        if (until) {
            err = replay_run_acks_before(r, until);
            /* what the timers would have said at the last of them */
            ops_timers_next_deadline(r->app, &r->next_timer_ms);
            continue;
        }
        if (next > clock_now(&r->app->clock))
            clock_advance_to(&r->app->clock, next);
        if (na == next)
            err = replay_run_acks(r);
        if (!err)
            err = run_timers(r);
    }
    replay_flush_acks(r);
    if (!err && target > clock_now(&r->app->clock))
        clock_advance_to(&r->app->clock, target);
    return err;
}

/* ---- set-up ---- */

static char *
config_value(json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    return xasprintf("%lld", (long long)json_integer_value(v));
}

enum sm_err
replay_open(const struct scenario *sc, const char *db_path, struct app *app, FILE *err_out,
            struct sm_diag *diag)
{
    struct ops_actor who = { "scenario", "admin", NULL };
    struct list_import_req rq = { 0 };
    struct list_import_result res;
    const char *key;
    json_t *v;
    enum sm_err err;

    memset(app, 0, sizeof(*app));
    config_init_defaults(&app->cfg);
    clock_init_virtual(&app->clock, sc->start_ms);
    err = config_set(&app->cfg, "db", db_path, diag);
    if (!err)
        err = config_set(&app->cfg, "county_code", sc->county_code, diag);
    if (!err)
        err = config_set(&app->cfg, "county_name", sc->county_name, diag);
    if (!err && sc->parent_codes)
        err = config_set(&app->cfg, "parent_codes", sc->parent_codes, diag);
    if (!err && sc->rules_dir)
        err = config_set(&app->cfg, "rules", sc->rules_dir, diag);
    if (sc->config)
        json_object_foreach(sc->config, key, v) {
            char *val;
            if (err)
                break;
            val = config_value(v);
            err = config_set(&app->cfg, key, val, diag);
            free(val);
            if (err) {
                int line = 0, col = 0;
                char path[160];
                snprintf(path, sizeof(path), "config.%s", key);
                scenario_locate(sc, path, &line, &col);
                if (diag) {
                    diag->line = line;
                    diag->column = col;
                    snprintf(diag->source, sizeof(diag->source), "%s", sc->name);
                }
            }
        }
    if (!err)
        err = config_finish(&app->cfg, diag);
    /* the timeline is the output: only warnings and errors go to the log */
    if (!err)
        sm_log_set_level(sc->config && json_object_get(sc->config, "log_level")
                             ? sm_log_parse_level(app->cfg.log_level)
                             : LOG_WARNING);
    if (!err)
        err = app_open(app, diag);
    /* a replay's database is made fresh by every run: its commits need no
     * fsync (--db F keeps it for smogd report; only a crash of the machine
     * during the replay could lose it) */
    if (!err && (err = store_set_throwaway(app->store)) != SM_OK)
        sm_diag_set(diag, "db_unusable", "cannot configure the replay's database: %s",
                    store_errmsg(app->store));
    /* the notifiers file (and its templates) once, not at every clock stop */
    if (!err)
        err = dispatch_open_offline(app, diag);
    if (err)
        return err;
    rq.path = sc->list_path;
    rq.name = sc->list_path;
    rq.activate = true;
    err = ops_import_list(app, &who, &rq, &res);
    if (err) {
        char line[1200];
        for (size_t i = 0; err_out && i < res.diags.error_count; i++)
            fprintf(err_out, "%s\n",
                    list_diags_format(&res.diags, &res.diags.errors[i], line, sizeof(line)));
        sm_diag_set(diag, "list_rejected", "the scenario's list %s was rejected (%zu errors): %s",
                    sc->list_path, res.diags.error_total, sm_strerror(err));
    }
    ops_list_result_release(&res);
    return err;
}

void
replay_result_release(struct replay_result *res)
{
    json_decref(res->failures);
    json_decref(res->events);
    res->failures = res->events = NULL;
}

enum sm_err
replay_run(const struct scenario *sc, struct app *app, const struct replay_opts *opts,
           struct replay_result *res, struct sm_diag *diag)
{
    struct replay r = { .sc = sc, .app = app, .opts = opts, .res = res };
    enum sm_err err;

    memset(res, 0, sizeof(*res));
    res->failures = json_array();
    res->events = json_array();
    err = run_timers(&r);
    for (size_t i = 0; !err && i < sc->nsteps; i++) {
        const struct scenario_step *st = &sc->steps[i];
        replay_step_fn *fn = replay_step_runner(st->kind);

        r.step = NULL;
        err = advance_to(&r, st->at_ms);
        if (err)
            break;
        r.step = st;
        if (st->note)
            replay_event(&r, "note", "%s", st->note);
        if (!fn) {
            res->skipped++;
            if (r.skipped_kind[st->kind] && !opts->strict)
                continue; /* said once per kind */
            r.skipped_kind[st->kind] = true;
            if (opts->strict)
                replay_fail(&r, scenario_step_name(st->kind), NULL, NULL,
                            "%s: not supported by this build", scenario_step_name(st->kind));
            else
                replay_event(&r, "skipped",
                             "%s: not supported by this build (this and later %s steps skipped)",
                             scenario_step_name(st->kind), scenario_step_name(st->kind));
            continue;
        }
        err = fn(&r, st);
        if (!err)
            err = run_timers(&r); /* whatever the step made due now */
    }
    r.step = NULL;
    if (!err && sc->end_ms)
        err = advance_to(&r, sc->end_ms);
    if (!err)
        err = replay_drain(&r);
    if (!err) {
        int64_t real = 0, drill = 0;
        err = store_episode_latest(app->store, 0, &real);
        if (!err)
            err = store_episode_latest(app->store, 1, &drill);
        res->episode_id = real ? real : drill;
    }
    res->end_ms = clock_now(&app->clock);
    json_decref(r.status);
    free(r.acks);
    free(r.outages);
    if (err)
        sm_diag_set(diag, "replay_failed", "the engine failed during the replay: %s (%s)",
                    sm_strerror(err), store_errmsg(app->store));
    return err;
}
