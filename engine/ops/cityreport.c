/* Reporting to the city: drafting, refreshing, remarks and sending. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "cityreport/cityreport.h"
#include "ops/ops_cityreport.h"
#include "ops/ops_int.h"
#include "store/store.h"
#include "store/store_cityreport.h"
#include "store/store_orders.h"

#define LOG_MODULE "cityreport"
#define MINUTE_MS 60000LL
/* at most this many missed cut-offs are drafted in one timer run */
#define CATCH_UP_MAX 31

enum sm_err
ops_cityreport_make(struct app *app, int64_t episode_id, const char *kind, int number,
                    int64_t from_ms, int64_t cutoff_ms, json_t **report, struct sm_diag *diag)
{
    int64_t now = clock_now(&app->clock), as_of = now < cutoff_ms ? now : cutoff_ms;
    struct store_cityreport_orders orders = { 0 };
    struct ops_industry_map *industries = NULL;
    json_t *in, *ep_view;
    enum sm_err err;

    *report = NULL;
    in = json_pack("{s:s,s:i,s:i,s:I,s:I,s:I,s:I,s:{s:s,s:s}}", "kind", kind, "number", number,
                   "tz_min", app->cfg.tz_min, "cutoff_ms", (json_int_t)cutoff_ms, "from_ms",
                   (json_int_t)from_ms, "as_of_ms", (json_int_t)as_of, "generated_ms",
                   (json_int_t)now, "county", "code", app->cfg.county_code, "name",
                   app->cfg.county_name);
    err = store_cityreport_input(app->store, episode_id, as_of, in);
    if (err) {
        if (err == SM_ERR_NOTFOUND)
            sm_diag_set(diag, "no_such_episode", "episode %lld does not exist",
                        (long long)episode_id);
        json_decref(in);
        return err;
    }
    /* the reduction figures at the highest level the episode reached */
    ep_view = json_pack("{s:O}", "max_level",
                        json_object_get(json_object_get(in, "episode"), "max_level"));
    err = ops_episode_figures_map(app, episode_id, ep_view, &industries);
    /* the figures read the lines of every enterprise's latest order: their
     * first lines' industries serve the orders' groups */
    if (!err)
        err = store_cityreport_orders(app->store, episode_id, as_of, ops_industry_map_get,
                                      industries, &orders);
    ops_industry_map_free(industries);
    if (!err) {
        json_object_set(in, "reductions", json_object_get(ep_view, "reductions"));
        err = cityreport_build_orders(in, orders.o, orders.n, report, diag);
    }
    store_cityreport_orders_release(&orders);
    json_decref(ep_view);
    json_decref(in);
    return err;
}

/* new: the officers' stored fields as a remarks body */
static json_t *
stored_remarks(const struct cityreport_rec *r)
{
    json_t *body = json_pack("{s:s}", "remarks", r->remarks ? r->remarks : "");
    json_t *actions = json_loads(r->actions ? r->actions : "[]", 0, NULL);

    if (strcmp(r->kind, "summary") == 0)
        json_object_set_new(body, "lessons", json_string(r->lessons ? r->lessons : ""));
    json_object_set_new(body, "actions", actions ? actions : json_array());
    return body;
}

/* Sets r->json and r->sha256 (owned) from report. */
static void
set_content(struct cityreport_rec *r, const json_t *report)
{
    char hex[65];

    free(r->json);
    free(r->sha256);
    r->json = cityreport_canonical(report);
    sm_sha256_hex(r->json, strlen(r->json), hex);
    r->sha256 = xstrdup(hex);
}

static enum sm_err
draft(struct app *app, int64_t episode_id, int drill, const char *kind, int number,
      int64_t from_ms, int64_t cutoff_ms, int64_t now_ms, int64_t *id)
{
    struct cityreport_rec r = { .episode_id = episode_id, .from_ms = from_ms,
                                .cutoff_ms = cutoff_ms, .generated_ms = now_ms,
                                .number = number, .drill = drill };
    struct sm_diag d = { 0 };
    json_t *report = NULL;
    char object[48], detail[160];
    enum sm_err err;

    snprintf(r.kind, sizeof(r.kind), "%s", kind);
    err = ops_cityreport_make(app, episode_id, kind, number, from_ms, cutoff_ms, &report, &d);
    if (err) {
        log_err("cannot build the %s report %d of episode %lld: %s", kind, number,
                (long long)episode_id, d.text);
        return err;
    }
    set_content(&r, report);
    json_decref(report);
    err = store_cityreport_insert(app->store, &r, id);
    snprintf(object, sizeof(object), "report:%lld", (long long)*id);
    snprintf(detail, sizeof(detail),
             "{\"episode_id\":%lld,\"kind\":\"%s\",\"number\":%d,\"sha256\":\"%s\"}",
             (long long)episode_id, kind, number, r.sha256);
    if (!err)
        err = ops_audit(app, now_ms, "system", "system", "report.draft", object, "ok", detail);
    if (!err) {
        char t[32];
        log_info("drafted the %s report %d of episode %lld, cut off at %s", kind, number,
                 (long long)episode_id, sm_time_format(cutoff_ms, app->cfg.tz_min, t));
    }
    cityreport_rec_release(&r);
    return err;
}

/* Rebuilds a draft's figures as of now (for a daily report, its cut-off)
 * and re-applies what officers wrote. */
static enum sm_err
refresh(struct app *app, struct cityreport_rec *r, int64_t now_ms)
{
    struct sm_diag d = { 0 };
    json_t *report = NULL, *body;
    enum sm_err err;

    err = ops_cityreport_make(app, r->episode_id, r->kind, r->number, r->from_ms, r->cutoff_ms,
                              &report, &d);
    if (err)
        return err;
    body = stored_remarks(r);
    err = cityreport_apply_remarks(report, body, 0, &d);
    json_decref(body);
    if (!err) {
        set_content(r, report);
        r->generated_ms = now_ms;
        err = store_cityreport_update(app->store, r);
    }
    json_decref(report);
    return err;
}

/* Queues r's JSON for the city as the next version and audits its hash. */
static enum sm_err
queue(struct app *app, const struct ops_actor *who, struct cityreport_rec *r, int64_t now_ms,
      char event_id[64])
{
    char object[48], detail[256];
    enum sm_err err;

    snprintf(event_id, 64, "report:%lld:v%d", (long long)r->id, r->sends + 1);
    err = store_outbox_add(app->store, event_id, "report", 0, NULL, r->drill, r->json, now_ms, 0);
    if (!err)
        err = store_cityreport_mark_sent(app->store, r->id, now_ms, r->sends + 1);
    snprintf(object, sizeof(object), "report:%lld", (long long)r->id);
    snprintf(detail, sizeof(detail),
             "{\"event_id\":\"%s\",\"kind\":\"%s\",\"number\":%d,\"sha256\":\"%s\"}", event_id,
             r->kind, r->number, r->sha256);
    if (!err)
        err = ops_audit(app, now_ms, who->actor, who->role, "report.send", object, "ok", detail);
    if (!err) {
        r->sends++;
        r->sent_ms = now_ms;
        snprintf(r->state, sizeof(r->state), "sent");
    }
    return err;
}

/* ---- the timer ---- */

struct open_set {
    struct { int64_t id, opened; int drill; } *e;
    size_t n, cap;
};

static void
collect_open(void *arg, int64_t id, int drill, int64_t opened_ms)
{
    struct open_set *os = arg;

    if (os->n == os->cap) {
        os->cap = os->cap ? os->cap * 2 : 4;
        os->e = xrealloc(os->e, os->cap * sizeof(*os->e));
    }
    os->e[os->n].id = id;
    os->e[os->n].drill = drill;
    os->e[os->n].opened = opened_ms;
    os->n++;
}

struct id_set {
    int64_t *id;
    size_t n, cap;
};

static void
collect_id(void *arg, int64_t id)
{
    struct id_set *is = arg;

    if (is->n == is->cap) {
        is->cap = is->cap ? is->cap * 2 : 4;
        is->id = xrealloc(is->id, is->cap * sizeof(*is->id));
    }
    is->id[is->n++] = id;
}

static enum sm_err
draft_due(struct app *app, int64_t episode_id, int drill, int64_t opened, int64_t now_ms)
{
    int64_t lead = (int64_t)app->cfg.daily_report_lead_minutes * MINUTE_MS;
    enum sm_err err = SM_OK;

    for (int i = 0; !err && i < CATCH_UP_MAX; i++) {
        int number = 0;
        int64_t last = 0, from, cut, id = 0;

        err = store_cityreport_last(app->store, episode_id, "daily", &number, &last);
        if (err)
            break;
        from = last ? last : opened;
        cut = cityreport_next_cutoff(from, app->cfg.daily_report_hour, app->cfg.tz_min);
        if (now_ms < cut - lead)
            break;
        err = draft(app, episode_id, drill, "daily", number + 1, from, cut, now_ms, &id);
    }
    return err;
}

enum sm_err
ops_cityreport_timers(struct app *app, int64_t now_ms)
{
    static const struct ops_actor system = { "system", "system", NULL };
    struct open_set os = { 0 };
    struct id_set due = { 0 };
    enum sm_err err;

    err = store_cityreport_open_episodes(app->store, collect_open, &os);
    for (size_t i = 0; !err && i < os.n; i++)
        err = draft_due(app, os.e[i].id, os.e[i].drill, os.e[i].opened, now_ms);
    if (!err)
        err = store_cityreport_drafts_due(app->store, now_ms, collect_id, &due);
    for (size_t i = 0; !err && i < due.n; i++) {
        struct cityreport_rec r;
        char event_id[64];

        err = store_cityreport_get(app->store, due.id[i], &r);
        if (!err)
            err = refresh(app, &r, now_ms);
        if (!err)
            err = queue(app, &system, &r, now_ms, event_id);
        if (!err)
            log_info("daily report %d of episode %lld sent to the city as %s", r.number,
                     (long long)r.episode_id, event_id);
        cityreport_rec_release(&r);
    }
    free(os.e);
    free(due.id);
    return err;
}

enum sm_err
ops_cityreport_episode_closed(struct app *app, int64_t episode_id, int64_t now_ms)
{
    int number = 0, drill = 0;
    int64_t last = 0, id = 0, opened = now_ms;
    enum sm_err err;

    err = store_cityreport_episode(app->store, episode_id, &drill, &opened);
    if (!err)
        err = store_cityreport_last(app->store, episode_id, "summary", &number, &last);
    if (!err)
        err = draft(app, episode_id, drill, "summary", number + 1, opened, now_ms, now_ms, &id);
    return err;
}

/* ---- officers ---- */

enum sm_err
ops_cityreport_remarks(struct app *app, const struct ops_actor *who, int64_t id,
                       const json_t *body, json_t **reply, struct sm_diag *diag)
{
    int64_t now = clock_now(&app->clock);
    struct cityreport_rec r = { 0 };
    json_t *report = NULL, *v;
    char object[48], detail[160];
    enum sm_err err;

    *reply = NULL;
    err = store_begin(app->store);
    if (err)
        return err;
    err = store_cityreport_get(app->store, id, &r);
    if (err)
        goto out;
    if (strcmp(r.state, "draft") != 0) {
        sm_diag_set(diag, "already_sent",
                    "report %lld was sent; remarks can only be written into a draft",
                    (long long)id);
        err = SM_ERR_CONFLICT;
        goto out;
    }
    report = json_loads(r.json, 0, NULL);
    if (!report) {
        err = SM_ERR_DB;
        goto out;
    }
    err = cityreport_apply_remarks(report, body, 1, diag);
    if (err)
        goto out;
    /* keep what was written so a refresh at the cut-off re-applies it */
    if ((v = json_object_get(body, "remarks"))) {
        free(r.remarks);
        r.remarks = xstrdup(json_string_value(v));
    }
    if ((v = json_object_get(body, "lessons"))) {
        free(r.lessons);
        r.lessons = xstrdup(json_string_value(v));
    }
    if (json_object_get(body, "actions")) {
        json_t *all = json_loads(r.actions ? r.actions : "[]", 0, NULL), *a;
        size_t i;
        if (!json_is_array(all)) {
            json_decref(all);
            all = json_array();
        }
        json_array_foreach(json_object_get(body, "actions"), i, a) json_array_append(all, a);
        free(r.actions);
        r.actions = json_dumps(all, JSON_COMPACT);
        json_decref(all);
    }
    set_content(&r, report);
    err = store_cityreport_update(app->store, &r);
    snprintf(object, sizeof(object), "report:%lld", (long long)id);
    snprintf(detail, sizeof(detail), "{\"sha256\":\"%s\"}", r.sha256);
    if (!err)
        err = ops_audit(app, now, who->actor, who->role, "report.remarks", object, "ok", detail);
out:
    if (!err)
        err = store_commit(app->store);
    else
        store_rollback(app->store);
    if (!err)
        *reply = store_cityreport_meta_json(&r, app->cfg.tz_min);
    json_decref(report);
    cityreport_rec_release(&r);
    return err;
}

enum sm_err
ops_cityreport_send(struct app *app, const struct ops_actor *who, int64_t id, json_t **reply)
{
    int64_t now = clock_now(&app->clock);
    struct cityreport_rec r = { 0 };
    char event_id[64];
    enum sm_err err;

    *reply = NULL;
    err = store_begin(app->store);
    if (err)
        return err;
    err = store_cityreport_get(app->store, id, &r);
    /* a daily draft sent before its cut-off carries the figures of now */
    if (!err && strcmp(r.state, "draft") == 0 && strcmp(r.kind, "daily") == 0 &&
        now < r.cutoff_ms)
        err = refresh(app, &r, now);
    if (!err)
        err = queue(app, who, &r, now, event_id);
    if (!err)
        err = store_commit(app->store);
    else
        store_rollback(app->store);
    if (!err) {
        *reply = store_cityreport_meta_json(&r, app->cfg.tz_min);
        json_object_set_new(*reply, "event_id", json_string(event_id));
    }
    cityreport_rec_release(&r);
    return err;
}
