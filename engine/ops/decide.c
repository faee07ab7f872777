/* The decision step: effective level, episode, and the orders it causes,
 * written together in the caller's transaction. */
#include "ops/ops_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "base/buf.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "levels/levels.h"
#include "ops/ops_cityreport.h"
#include "orders/plan.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_levels.h"
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

/* ---- the active list, grouped by enterprise ---- */

/* The copied strings live in a few large chunks (a 300,000-line list has
 * 2.4 million of them): one allocation per 64 KiB, not per string. */
struct str_pool {
    char **chunks;
    size_t n, cap;
    char *at;
    size_t left;
};

#define STR_POOL_CHUNK ((size_t)64 * 1024)

static const char *
pool_dup(struct str_pool *p, const char *s)
{
    size_t len = strlen(s) + 1;
    char *out;

    if (len > p->left) {
        size_t size = len > STR_POOL_CHUNK ? len : STR_POOL_CHUNK;
        if (p->n == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 16;
            p->chunks = xrealloc(p->chunks, p->cap * sizeof(*p->chunks));
        }
        p->at = p->chunks[p->n++] = xmalloc(size);
        p->left = size;
    }
    out = p->at;
    memcpy(out, s, len);
    p->at += len;
    p->left -= len;
    return out;
}

static void
pool_release(struct str_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->chunks[i]);
    free(p->chunks);
}

struct line_copy {
    const char *line;
    const char *action[3];
    double pct[3];
    const char *text[3];
};

struct ent_copy {
    const char *uscc, *name, *town;
    size_t first, count; /* into lines */
};

struct list_copy {
    struct ent_copy *ents;
    size_t nents, ecap;
    struct line_copy *lines;
    size_t nlines, lcap;
    struct str_pool pool; /* every string above */
};

static void
collect_line(void *arg, const struct list_line_view *l)
{
    struct list_copy *lc = arg;
    struct ent_copy *e = lc->nents ? &lc->ents[lc->nents - 1] : NULL;

    if (!e || strcmp(e->uscc, l->uscc) != 0) {
        if (lc->nents == lc->ecap) {
            lc->ecap = lc->ecap ? lc->ecap * 2 : 256;
            lc->ents = xrealloc(lc->ents, lc->ecap * sizeof(*lc->ents));
        }
        e = &lc->ents[lc->nents++];
        e->uscc = pool_dup(&lc->pool, l->uscc); /* NOLINT(clang-analyzer-core.NullDereference): e points into ents, just grown */
        e->name = pool_dup(&lc->pool, l->name);
        e->town = pool_dup(&lc->pool, l->town);
        e->first = lc->nlines;
        e->count = 0;
    }
    if (lc->nlines == lc->lcap) {
        lc->lcap = lc->lcap ? lc->lcap * 2 : 512;
        lc->lines = xrealloc(lc->lines, lc->lcap * sizeof(*lc->lines));
    }
    struct line_copy *c = &lc->lines[lc->nlines++];
    c->line = pool_dup(&lc->pool, l->line);
    for (int i = 0; i < 3; i++) {
        c->action[i] = pool_dup(&lc->pool, l->action[i]);
        c->pct[i] = l->pct[i];
        c->text[i] = pool_dup(&lc->pool, l->text[i]);
    }
    e->count++;
}

static void
list_copy_release(struct list_copy *lc)
{
    pool_release(&lc->pool);
    free(lc->ents);
    free(lc->lines);
}

/* ---- the orders an episode holds, last version per enterprise ---- */

struct held {
    char *uscc;
    int64_t order_id; /* current (issued/acknowledged) order, 0 if none */
    enum level level;
    int last_version;
    bool on_list;
};

struct held_set {
    struct held *h;
    size_t n, cap;
};

static void
collect_order(void *arg, const struct order_head *o)
{
    struct held_set *hs = arg;
    struct held *h = hs->n ? &hs->h[hs->n - 1] : NULL;

    if (!h || strcmp(h->uscc, o->enterprise) != 0) {
        if (hs->n == hs->cap) {
            hs->cap = hs->cap ? hs->cap * 2 : 256;
            hs->h = xrealloc(hs->h, hs->cap * sizeof(*hs->h));
        }
        h = &hs->h[hs->n++];
        memset(h, 0, sizeof(*h)); /* NOLINT(clang-analyzer-core.NonNullParamChecker): h points into hs->h, just grown */
        h->uscc = xstrdup(o->enterprise);
    }
    h->last_version = o->version;
    if (strcmp(o->status, "issued") == 0 || strcmp(o->status, "acknowledged") == 0) {
        h->order_id = o->id;
        h->level = o->level;
    } else {
        h->order_id = 0;
    }
}

static void
held_set_release(struct held_set *hs)
{
    for (size_t i = 0; i < hs->n; i++)
        free(hs->h[i].uscc);
    free(hs->h);
}

static struct held *
held_find(struct held_set *hs, const char *uscc)
{
    size_t lo = 0, hi = hs->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(hs->h[mid].uscc, uscc);
        if (c == 0)
            return &hs->h[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- writing the orders ---- */

static const int level_index[] = { -1, 0, 1, 2 };

/* The measures of one order as a JSON array of {line, action, limit_pct,
 * text}, written straight into m (reused from order to order); the text
 * is what jansson would dump for the same objects. */
static bool
measures_json(struct buf *m, const struct list_copy *lc, const struct ent_copy *e,
              enum level level)
{
    int li = level_index[level];
    bool ok = buf_add(m, "[", 1);

    for (size_t i = 0; ok && i < e->count; i++) {
        const struct line_copy *l = &lc->lines[e->first + i]; /* NOLINT(clang-analyzer-core.NullDereference): lines[first..first+count) exist */
        ok = (i == 0 || buf_add(m, ",", 1)) && buf_addstr(m, "{\"line\":") &&
             jsonw_str(m, l->line) /* NOLINT(clang-analyzer-core.NullDereference): as above */ && buf_addstr(m, ",\"action\":") &&
             jsonw_str(m, l->action[li]) && buf_addstr(m, ",\"limit_pct\":") &&
             (strcmp(l->action[li], "limit") == 0 ? jsonw_real(m, l->pct[li])
                                                  : buf_addstr(m, "null")) &&
             buf_addstr(m, ",\"text\":") && jsonw_str(m, l->text[li]) && buf_add(m, "}", 1);
    }
    return ok && buf_add(m, "]", 1);
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

    /* "order:<id>:v<version>:<kind>" and {"order_id":<id>,"version":<version>},
     * pieced together: this runs once per order issued; kinds are short
     * literals */
    if (strlen(kind) > 40)
        return SM_ERR_INVAL;
    jsonw_fmt_int(id, order_id);
    jsonw_fmt_int(v, version);
    join(event_id, (const char *[]){ "order:", id, ":v", v, ":", kind, NULL });
    join(payload, (const char *[]){ "{\"order_id\":", id, ",\"version\":", v, "}", NULL });
    return store_outbox_add(app->store, event_id, kind, order_id, uscc, drill, payload, now_ms,
                            deadline_ms);
}

struct apply_ctx {
    struct app *app;
    int drill;
    int64_t now_ms, episode_id, decision_id, list_id, level_start_ms;
    const struct decision_cause *cause;
    struct buf measures; /* reused for every order */
};

static enum sm_err
issue(struct apply_ctx *c, const struct list_copy *lc, const struct ent_copy *e,
      enum level level, int version, int64_t *id)
{
    struct buf *measures = &c->measures;
    int64_t effective = c->level_start_ms > c->now_ms ? c->level_start_ms : c->now_ms;
    struct order_rec o = {
        .episode_id = c->episode_id, .list_id = c->list_id, .decision_id = c->decision_id,
        .enterprise = e->uscc, .enterprise_name = e->name, .town = e->town,
        .version = version, .level = level, .drill = c->drill, .measures = NULL,
        .issued_ms = c->now_ms, .effective_from_ms = effective,
        .ack_deadline_ms = c->now_ms + (int64_t)c->app->rules->orders.ack_deadline_minutes[level] * 60000,
    };
    enum sm_err err;

    buf_reset(measures);
    if (!measures_json(measures, lc, e, level))
        return SM_ERR_NOMEM;
    o.measures = measures->data;
    err = store_order_insert(c->app->store, &o, id);
    if (!err)
        err = ops_order_notice(c->app, *id, version, version == 1 ? "order_issued" : "order_superseded",
                     e->uscc, c->drill, c->now_ms, o.ack_deadline_ms);
    if (!err) {
        char object[48], detail[128], n[24], v[24];
        jsonw_fmt_int(n, *id);
        jsonw_fmt_int(v, version);
        join(object, (const char *[]){ "order:", n, NULL });
        /* USCCs are 18 characters once on a list; a longer one is cut as
         * snprintf would have cut it */
        if (strlen(e->uscc) <= 64)
            join(detail, (const char *[]){ "{\"enterprise\":\"", e->uscc, "\",\"level\":\"",
                                           level_name(level), "\",\"version\":", v, "}", NULL });
        else
            snprintf(detail, sizeof(detail),
                     "{\"enterprise\":\"%s\",\"level\":\"%s\",\"version\":%d}", e->uscc,
                     level_name(level), version);
        err = ops_audit(c->app, c->now_ms, c->cause->actor, c->cause->role, "order.issue",
                        object, "ok", detail);
    }
    return err;
}

static enum sm_err
end_order(struct apply_ctx *c, int64_t id, const char *uscc, const char *status,
          int64_t replaced_by, int version)
{
    char object[48];
    enum sm_err err = store_order_end(c->app->store, id, status, c->now_ms, replaced_by);

    if (!err && replaced_by == 0)
        err = ops_order_notice(c->app, id, version, "order_lifted", uscc, c->drill, c->now_ms, 0);
    snprintf(object, sizeof(object), "order:%lld", (long long)id);
    if (!err)
        err = ops_audit(c->app, c->now_ms, c->cause->actor, c->cause->role,
                        replaced_by ? "order.supersede" : "order.lift", object, "ok", "");
    return err;
}

static enum sm_err
apply_plan(struct apply_ctx *c, const struct list_copy *lc, struct held_set *hs,
           const struct plan_enterprise *pe, const struct ent_copy *const *pe_ent,
           const struct plan_action *acts, size_t nacts, struct decision_result *res)
{
    enum sm_err err = SM_OK;

    for (size_t i = 0; !err && i < nacts; i++) {
        const struct plan_action *a = &acts[i];
        const struct plan_enterprise *e = &pe[a->enterprise];
        struct held *h = held_find(hs, e->uscc);
        int64_t id = 0;

        switch (a->kind) {
        case PLAN_ISSUE:
            err = issue(c, lc, pe_ent[a->enterprise], a->level, a->version, &id);
            res->issued++;
            break;
        case PLAN_SUPERSEDE:
            err = issue(c, lc, pe_ent[a->enterprise], a->level, a->version, &id);
            if (!err)
                err = end_order(c, h->order_id, e->uscc, "superseded", id, a->version - 1);
            res->superseded++;
            break;
        case PLAN_LIFT:
            err = end_order(c, h->order_id, e->uscc, "lifted", 0, h->last_version);
            res->lifted++;
            break;
        }
    }
    return err;
}

enum sm_err
ops_reconcile(struct app *app, int drill, int64_t now_ms, const struct decision_cause *cause,
              struct decision_result *res)
{
    struct warning_set ws;
    struct level_state st;
    struct list_copy lc = { 0 };
    struct held_set hs = { 0 };
    struct plan_enterprise *pe = NULL;
    const struct ent_copy **pe_ent = NULL;
    struct plan_action *acts = NULL;
    size_t npe = 0, nacts = 0;
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

    if (res->episode_id) {
        err = store_orders_of_episode(app->store, res->episode_id, collect_order, &hs);
        if (err)
            goto out;
    }
    err = store_list_active(app->store, &list_id);
    if (!err && list_id && eff != LEVEL_NONE)
        err = store_list_lines(app->store, list_id, collect_line, &lc);
    if (err)
        goto out;

    /* every enterprise on the list, then holders of orders no longer on it */
    pe = xcalloc(lc.nents + hs.n + 1, sizeof(*pe));
    pe_ent = xcalloc(lc.nents + hs.n + 1, sizeof(const struct ent_copy *));
    for (size_t i = 0; i < lc.nents; i++) {
        struct held *h = held_find(&hs, lc.ents[i].uscc);
        pe[npe] = (struct plan_enterprise){ lc.ents[i].uscc, lc.ents[i].town, true,
                                            h && h->order_id, h ? h->level : LEVEL_NONE,
                                            h ? h->last_version : 0 };
        pe_ent[npe++] = &lc.ents[i];
        if (h)
            h->on_list = true;
    }
    for (size_t i = 0; i < hs.n; i++)
        if (!hs.h[i].on_list && hs.h[i].order_id)
            pe[npe++] = (struct plan_enterprise){ hs.h[i].uscc, "", false, true, hs.h[i].level,
                                                  hs.h[i].last_version };
    acts = xcalloc(npe + 1, sizeof(*acts));
    nacts = orders_plan(&st, pe, npe, acts);

    if (eff == prev && nacts == 0)
        goto out;
    if (res->episode_id == 0) {
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
    struct apply_ctx c = { app, drill, now_ms, res->episode_id, res->decision_id, list_id,
                           eff != prev ? now_ms : since, cause, { 0 } };
    buf_init(&c.measures, 0);
    err = apply_plan(&c, &lc, &hs, pe, pe_ent, acts, nacts, res);
    buf_release(&c.measures);
    if (!err)
        err = store_decision_counts(app->store, res->decision_id, res->issued, res->superseded,
                                    res->lifted);
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
    free(acts);
    free(pe);
    free(pe_ent);
    held_set_release(&hs);
    list_copy_release(&lc);
    warning_set_release(&ws);
    return err;
}
