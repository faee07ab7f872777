/* The decision step: effective level, episode, and the orders it causes,
 * written together in the caller's transaction. */
#include "ops/ops_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "base/jsonw.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "levels/levels.h"
#include "ops/ops_cityreport.h"
#include "orders/plan.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_issue.h"
#include "store/store_orders.h"

#define LOG_MODULE "decide"

enum sm_err
ops_audit(struct app *app, int64_t now_ms, const char *actor, const char *role,
          const char *action, const char *object, const char *result, const char *detail)
{
    struct audit_entry e = { now_ms, actor, role, action, object, result, detail ? detail : "" };

    return store_audit_append(app->store, &e);
}

void
ops_audit_quiet(struct app *app, int64_t now_ms, const char *actor, const char *role,
                const char *action, const char *object, const char *result, const char *detail)
{
    if (ops_audit(app, now_ms, actor, role, action, object, result, detail) != SM_OK)
        log_err("cannot audit %s %s (%s)", action, object, result);
}

/* ---- the level state of a context ---- */

struct warning_set {
    struct level_warning *w;
    size_t n, cap;
};

static void
collect_warning(void *arg, int64_t id, enum level level, const char *towns)
{
    struct warning_set *ws = arg;

    (void)id;
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 8;
        ws->w = xrealloc(ws->w, ws->cap * sizeof(*ws->w));
    }
    ws->w[ws->n].level = level;
    ws->w[ws->n].towns = xstrdup(towns);
    ws->n++;
}

static void
warning_set_release(struct warning_set *ws)
{
    for (size_t i = 0; i < ws->n; i++)
        free((char *)ws->w[i].towns);
    free(ws->w);
}

static enum sm_err
load_state(struct app *app, int drill, struct warning_set *ws, struct level_state *st)
{
    enum sm_err err;

    memset(ws, 0, sizeof(*ws));
    memset(st, 0, sizeof(*st));
    err = store_warnings_active(app->store, drill, collect_warning, ws);
    if (!err)
        err = store_floor_get(app->store, drill, "local", &st->local);
    if (!err)
        err = store_floor_get(app->store, drill, "manual", &st->manual);
    st->warnings = ws->w;
    st->nwarnings = ws->n;
    return err;
}

enum sm_err
ops_levels(struct app *app, int drill, enum level *effective, enum level *municipal,
           enum level *local, enum level *manual)
{
    struct warning_set ws;
    struct level_state st;
    enum sm_err err = load_state(app, drill, &ws, &st);

    if (!err) {
        *effective = levels_effective(&st);
        *municipal = levels_municipal(&st);
        *local = st.local;
        *manual = st.manual;
    }
    warning_set_release(&ws);
    return err;
}

/* ---- the planner, asked by the store per enterprise ---- */

static const enum store_plan_kind plan_kinds[] = {
    [PLAN_ISSUE] = STORE_PLAN_ISSUE,
    [PLAN_SUPERSEDE] = STORE_PLAN_SUPERSEDE,
    [PLAN_LIFT] = STORE_PLAN_LIFT,
};

static void
plan_one(void *arg, const struct store_plan_in *in, struct store_plan_out *out)
{
    const struct level_state *st = arg;
    struct plan_enterprise e = { in->uscc, in->town, in->on_list, in->has_order,
                                 in->order_level, in->last_version };
    struct plan_action a;

    if (!orders_plan_one(st, &e, &a)) {
        out->kind = STORE_PLAN_NONE;
        return;
    }
    out->kind = plan_kinds[a.kind];
    out->level = a.level;
    out->version = a.version;
}

/* Concatenates parts (NULL-terminated) into out; the caller sized out
 * for the parts it passes. */
static void
join(char *out, const char *const *parts)
{
    for (; *parts; parts++) {
        size_t n = strlen(*parts);
        memcpy(out, *parts, n);
        out += n;
    }
    *out = '\0';
}

enum sm_err
ops_order_notice(struct app *app, int64_t order_id, int version, const char *kind,
                 const char *uscc, int drill, int64_t now_ms, int64_t deadline_ms)
{
    char id[24], v[24];
    char event_id[96];
    char payload[160];

    /* "order:<id>:v<version>:<kind>" and {"order_id":<id>,"version":<version>};
     * the decision's own notices are written in SQL with the same text
     * (store_issue.c) */
    if (strlen(kind) > 40)
        return SM_ERR_INVAL;
    jsonw_fmt_int(id, order_id);
    jsonw_fmt_int(v, version);
    join(event_id, (const char *[]){ "order:", id, ":v", v, ":", kind, NULL });
    join(payload, (const char *[]){ "{\"order_id\":", id, ",\"version\":", v, "}", NULL });
    return store_outbox_add(app->store, event_id, kind, order_id, uscc, drill, payload, now_ms,
                            deadline_ms);
}

/* One audit row for all the orders of a decision: how many were issued
 * (ids first_id..last_id) and ended, with a SHA-256 over each set as the
 * orders table holds it, so the chain covers every order; `smogd audit
 * verify` recomputes both digests (store_audit.c). The issued set's digest
 * was taken while its rows were written (store_orders_issue). */
static enum sm_err
audit_orders(struct app *app, int64_t now_ms, const struct decision_cause *cause,
             const struct decision_result *res, const struct store_issue_result *ir)
{
    char object[48], detail[512], ended_hex[65] = "";
    const char *issued_hex = ir->digest;
    int64_t issued = ir->last_id ? ir->last_id - ir->first_id + 1 : 0, ended = 0;
    enum sm_err err = SM_OK;

    if (ir->last_id && !ir->digest[0])
        return SM_ERR_DB;
    if (res->superseded || res->lifted)
        err = store_orders_ended_digest(app->store, res->decision_id, &ended, ended_hex);
    if (err)
        return err;
    if (issued != res->issued + res->superseded || ended != res->superseded + res->lifted)
        return SM_ERR_DB;
    snprintf(object, sizeof(object), "decision:%lld", (long long)res->decision_id);
    snprintf(detail, sizeof(detail),
             "{\"decision\":%lld,\"episode\":%lld,\"orders\":%lld,\"first_id\":%lld,"
             "\"last_id\":%lld,\"sha256\":\"%s\",\"ended\":%lld,\"ended_sha256\":\"%s\","
             "\"issued\":%d,\"superseded\":%d,\"lifted\":%d}",
             (long long)res->decision_id, (long long)res->episode_id, (long long)issued,
             (long long)ir->first_id, (long long)ir->last_id, issued_hex, (long long)ended,
             ended_hex, res->issued, res->superseded, res->lifted);
    return ops_audit(app, now_ms, cause->actor, cause->role, "orders.issue", object, "ok",
                     detail);
}

enum sm_err
ops_reconcile(struct app *app, int drill, int64_t now_ms, const struct decision_cause *cause,
              struct decision_result *res)
{
    struct warning_set ws;
    struct level_state st;
    struct store_issue_result ir = { 0 };
    enum level prev = LEVEL_NONE, eff;
    int64_t since = 0, list_id = 0;
    enum sm_err err;

    memset(res, 0, sizeof(*res));
    err = load_state(app, drill, &ws, &st);
    if (!err)
        err = store_episode_current(app->store, drill, &res->episode_id, &prev, &since);
    if (err)
        goto out;
    eff = levels_effective(&st);
    res->from = prev;
    res->to = eff;
    if (res->episode_id == 0 && eff == LEVEL_NONE)
        goto out; /* nothing in force and nothing open */

    err = store_list_active(app->store, &list_id);
    if (!err && list_id && eff != LEVEL_NONE)
        err = store_list_enterprises_ensure(app->store, list_id);
    if (err)
        goto out;
    if (res->episode_id == 0) {
        /* eff is not none here, so the level changes: a decision follows */
        err = store_episode_open(app->store, drill, now_ms, eff, &res->episode_id);
        if (err)
            goto out;
        since = now_ms;
    }
    struct decision_rec d = {
        .episode_id = res->episode_id, .drill = drill, .at_ms = now_ms, .from = prev, .to = eff,
        .municipal = levels_municipal(&st), .local = st.local, .manual = st.manual,
        .source = cause->source, .actor = cause->actor, .reason = cause->reason,
        .warning_id = cause->warning_id,
    };
    err = store_decision_insert(app->store, &d, &res->decision_id);
    if (err)
        goto out;

    int64_t level_start = eff != prev ? now_ms : since;
    struct store_issue_req rq = {
        .episode_id = res->episode_id, .decision_id = res->decision_id,
        /* with no level in force the list is out of scope: every order is lifted */
        .list_id = eff != LEVEL_NONE ? list_id : 0,
        .drill = drill, .now_ms = now_ms,
        .effective_from_ms = level_start > now_ms ? level_start : now_ms,
        .plan = plan_one, .plan_arg = &st,
    };
    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++)
        rq.ack_deadline_ms[l] =
            now_ms + (int64_t)app->rules->orders.ack_deadline_minutes[l] * 60000;
    err = store_orders_issue(app->store, &rq, &ir);
    if (err)
        goto out;
    res->issued = ir.issued;
    res->superseded = ir.superseded;
    res->lifted = ir.lifted;
    if (eff == prev && ir.issued + ir.superseded + ir.lifted == 0) {
        /* nothing changed: no decision after all */
        err = store_decision_drop(app->store, res->decision_id);
        res->decision_id = 0;
        goto out;
    }
    err = store_decision_counts(app->store, res->decision_id, res->issued, res->superseded,
                                res->lifted);
    if (!err && ir.issued + ir.superseded + ir.lifted > 0)
        err = audit_orders(app, now_ms, cause, res, &ir);
    if (!err)
        err = store_episode_update(app->store, res->episode_id, eff,
                                   eff == LEVEL_NONE ? now_ms : 0);
    /* the lift: the summary report to the city is drafted */
    if (!err && eff == LEVEL_NONE)
        err = ops_cityreport_episode_closed(app, res->episode_id, now_ms);
    if (!err) {
        char object[48], detail[256];
        snprintf(object, sizeof(object), "episode:%lld", (long long)res->episode_id);
        snprintf(detail, sizeof(detail),
                 "{\"from\":\"%s\",\"to\":\"%s\",\"source\":\"%s\",\"issued\":%d,"
                 "\"superseded\":%d,\"lifted\":%d,\"drill\":%s}",
                 level_name(prev), level_name(eff), cause->source, res->issued, res->superseded,
                 res->lifted, drill ? "true" : "false");
        err = ops_audit(app, now_ms, cause->actor, cause->role, "level.decide", object, "ok",
                        detail);
    }
    if (!err && !list_id && eff != LEVEL_NONE)
        log_warn("level %s in force but no active emission-reduction list: no orders issued",
                 level_name(eff));
out:
    warning_set_release(&ws);
    return err;
}
