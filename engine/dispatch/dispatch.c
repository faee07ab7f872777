/* The delivery loop: expand notices into deliveries, send the due ones
 * through the notifiers, record every result. Runs on app->base; every
 * wait is a timer, every send asynchronous. */
#include "dispatch/dispatch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "api/metrics.h"
#include "app/app.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "curl_loop.h"
#include "dispatch/dispatch_int.h"
#include "notifier.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_notices.h"

#define LOG_MODULE "dispatch"

#define DISPATCH_POLL_MS      1000 /* look for work from other processes, deadlines */
#define DISPATCH_MAX_INFLIGHT 64
#define DISPATCH_BATCH        64
/* per-order notices a decision's expansion writes per transaction, and
 * notices expanded per loop turn in serve: a few tens of milliseconds */
#define DISPATCH_SLICE        2000

/* A backend instance: one per channel, and for webhooks one per secret,
 * for files one per path (those backends take them from their config). */
struct instance {
    enum dispatch_channel channel;
    char *key;
    struct notifier *nf;
};

struct inflight {
    struct inflight *next, *prev;
    struct dispatch *d;
    int64_t delivery_id, outbox_id, order_id;
    enum dispatch_channel channel;
    int attempts, drill;
    char *event_id, *kind, *recipient;
    int64_t started_ms, started_mono;
};

/* a finished send waiting for its turn's recording transaction; its
 * inflight stays in the flying list until then, so it is not sent again */
struct sent {
    struct inflight *f;
    struct notify_result r;
    int64_t duration_ms;
};

struct dispatch {
    struct app *app; /* borrowed */
    struct dispatch_config cfg;
    struct curl_loop *curl;
    struct notifier_env env;
    struct instance *inst;
    size_t ninst, capinst;
    struct inflight *flying;
    int nflying;
    struct event *timer;
    /* results of the turn, recorded together (see on_sent) */
    struct sent *sent;
    size_t nsent, capsent;
    struct event *record;
    int64_t deadlines_checked_ms; /* at most one deadline scan per poll period */
    uint64_t results[CH_COUNT][3]; /* by notify_status */
};

static int64_t
env_now(void *clock)
{
    return clock_now(clock);
}

/* ---- backend instances ---- */

/* borrowed: the secret to sign a webhook delivery with: the contact's own,
 * which came with the due row (no read per send), else the channel's */
static const char *
webhook_secret_for(const struct dispatch *d, const struct delivery_row *row)
{
    if (row->webhook_secret)
        return row->webhook_secret;
    return json_string_value(json_object_get(d->cfg.channel[CH_WEBHOOK], "secret"));
}

/* borrowed: the instance for a delivery, created on first use; NULL with
 * diag when the backend refuses its config (a permanent failure). */
static struct notifier *
instance_for(struct dispatch *d, const struct delivery_row *row, enum dispatch_channel ch,
             struct sm_diag *diag)
{
    const char *key = "";
    json_t *cfg;
    struct notifier *nf = NULL;

    if (ch == CH_WEBHOOK) {
        key = webhook_secret_for(d, row);
        if (!key) {
            sm_diag_set(diag, "no_secret", "no webhook secret for %s", row->recipient);
            return NULL;
        }
    } else if (ch == CH_FILE) {
        key = row->recipient;
    }
    for (size_t i = 0; i < d->ninst; i++)
        if (d->inst[i].channel == ch && strcmp(d->inst[i].key, key) == 0)
            return d->inst[i].nf;
    cfg = d->cfg.channel[ch] ? json_deep_copy(d->cfg.channel[ch])
                             : json_pack("{s:s}", "type", dispatch_channel_name(ch));
    if (ch == CH_WEBHOOK)
        json_object_set_new(cfg, "secret", json_string(key));
    else if (ch == CH_FILE)
        json_object_set_new(cfg, "path", json_string(key));
    if (notifier_create(&nf, d->app->base, &d->env, cfg, diag) == SM_OK) {
        if (d->ninst == d->capinst) {
            d->capinst = d->capinst ? d->capinst * 2 : 8;
            d->inst = xrealloc(d->inst, d->capinst * sizeof(*d->inst));
        }
        d->inst[d->ninst].channel = ch;
        d->inst[d->ninst].key = xstrdup(key);
        d->inst[d->ninst].nf = nf;
        d->ninst++;
    }
    json_decref(cfg);
    return nf;
}

/* ---- expansion and deadlines ---- */

struct row_copy {
    struct outbox_row o;
    char *event_id, *kind, *enterprise, *payload;
};
struct row_set {
    struct row_copy *r;
    size_t n, cap;
};

static void
collect_outbox(void *arg, const struct outbox_row *o)
{
    struct row_set *rs = arg;
    struct row_copy *c;

    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->r = xrealloc(rs->r, rs->cap * sizeof(*rs->r));
    }
    c = &rs->r[rs->n++];
    c->o = *o;
    c->o.event_id = c->event_id = xstrdup(o->event_id);
    c->o.kind = c->kind = xstrdup(o->kind);
    c->o.enterprise = c->enterprise = o->enterprise ? xstrdup(o->enterprise) : NULL;
    c->o.payload = c->payload = xstrdup(o->payload);
}

static void
row_set_release(struct row_set *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->r[i].event_id);
        free(rs->r[i].kind);
        free(rs->r[i].enterprise);
        free(rs->r[i].payload);
    }
    free(rs->r);
    memset(rs, 0, sizeof(*rs));
}

/* The deliveries of one notice; mark: set its expanded_ms too (a notice a
 * decision's expansion wrote is written expanded). */
static enum sm_err
expand_one(struct store *s, const struct dispatch_config *cfg, const struct outbox_row *o,
           int64_t now, bool mark)
{
    struct dispatch_target t[DISPATCH_MAX_TARGETS];
    struct contact_rec c;
    bool has_contact = false;
    int n;
    enum sm_err err = SM_OK;

    if (o->enterprise) {
        err = store_contact_get(s, o->enterprise, &c);
        if (err && err != SM_ERR_NOTFOUND)
            return err;
        has_contact = err == SM_OK;
        err = SM_OK;
    }
    n = dispatch_targets(cfg, o, has_contact ? &c : NULL, t);
    if (n == 0)
        log_warn("notice %s has no recipient on any configured channel", o->event_id);
    for (int i = 0; !err && i < n; i++)
        err = store_delivery_add(s, o->id, dispatch_channel_name(t[i].channel), t[i].recipient,
                                 now);
    if (!err && mark)
        err = store_outbox_mark_expanded(s, o->id, now);
    dispatch_targets_release(t, n);
    if (has_contact)
        contact_rec_release(&c);
    return err;
}

/* One slice of a decision's notice in one transaction: the next per-order
 * notices it owes (at most limit) and their deliveries. A crash before the
 * COMMIT loses both and the cursor with them: the slice is written again. */
static enum sm_err
expand_decision(struct store *s, const struct dispatch_config *cfg, int64_t outbox_id,
                int limit, int64_t now, int *written)
{
    struct store_owed_slice sl;
    struct row_set rs = { 0 };
    enum sm_err err = store_begin_redoable(s);

    *written = 0;
    if (!err)
        err = store_notices_write_owed(s, outbox_id, limit, now, &sl);
    if (!err && sl.written > 0)
        err = store_outbox_range(s, sl.first_id, sl.last_id, collect_outbox, &rs);
    for (size_t i = 0; !err && i < rs.n; i++)
        err = expand_one(s, cfg, &rs.r[i].o, now, false);
    if (!err)
        err = store_commit(s);
    else if (store_in_tx(s))
        store_rollback(s);
    if (!err)
        *written = sl.written;
    row_set_release(&rs);
    return err;
}

enum sm_err
dispatch_expand(struct store *s, const struct dispatch_config *cfg, int64_t now, int budget,
                bool *more)
{
    int done = 0;

    *more = false;
    for (;;) {
        struct row_set rs = { 0 };
        size_t n = 0;
        int limit = DISPATCH_SLICE;
        enum sm_err err;

        if (budget > 0 && done >= budget) {
            *more = true; /* the caller comes back on its next loop turn */
            return SM_OK;
        }
        if (budget > 0 && budget - done < limit)
            limit = budget - done;
        err = store_outbox_unexpanded(s, limit < DISPATCH_BATCH ? limit : DISPATCH_BATCH,
                                      collect_outbox, &rs);
        if (!err && rs.n > 0 && store_notice_is_decision(rs.r[0].o.kind)) {
            int written = 0;
            err = expand_decision(s, cfg, rs.r[0].o.id, limit, now, &written);
            done += written > 0 ? written : 1;
            row_set_release(&rs);
            if (err)
                return err;
            continue;
        }
        /* notices in id order up to the next decision's, a batch per
         * transaction; the unique key makes a repeat (after a crash)
         * harmless */
        while (n < rs.n && !store_notice_is_decision(rs.r[n].o.kind))
            n++;
        if (!err && n == 0) {
            row_set_release(&rs);
            return SM_OK;
        }
        if (!err)
            err = store_begin_redoable(s);
        for (size_t i = 0; !err && i < n; i++)
            err = expand_one(s, cfg, &rs.r[i].o, now, true);
        if (!err)
            err = store_commit(s);
        else if (store_in_tx(s))
            store_rollback(s);
        row_set_release(&rs);
        if (err)
            return err;
        done += (int)n;
    }
}

/* Expands every notice not yet expanded (replay: no loop to come back to). */
static enum sm_err
expand_all(struct store *s, const struct dispatch_config *cfg, int64_t now)
{
    bool more;

    return dispatch_expand(s, cfg, now, 0, &more);
}

static enum sm_err
add_alert(struct store *s, const char *event_id, int64_t order_id, int drill, json_t *payload_take,
          int64_t now)
{
    char *payload = json_dumps(payload_take, JSON_COMPACT | JSON_SORT_KEYS);
    bool created;
    enum sm_err err;

    json_decref(payload_take);
    err = store_outbox_add_once(s, event_id, "officer_alert", order_id, NULL, drill, payload, now,
                                &created);
    if (!err && created)
        log_warn("officer alert %s", event_id);
    free(payload);
    return err;
}

/* Notices still undelivered past their deadline: one officer alert each. */
static enum sm_err
check_deadlines(struct store *s, const struct dispatch_config *cfg, int64_t now)
{
    struct row_set rs = { 0 };
    enum sm_err err = store_outbox_overdue(s, now, cfg->deadline_ms, collect_outbox, &rs);

    if (!err && rs.n)
        err = store_begin(s);
    for (size_t i = 0; !err && i < rs.n; i++) {
        const struct outbox_row *o = &rs.r[i].o;
        char *eid = xasprintf("%s:undelivered", o->event_id);
        char *reason = xasprintf("通知 %s 超过送达期限仍未送达", o->event_id);

        err = add_alert(s, eid, o->order_id, o->drill,
                        json_pack("{s:s,s:s,s:s,s:s}", "reason", reason, "cause", "undelivered",
                                  "event_id", o->event_id, "enterprise", o->enterprise),
                        now);
        if (!err)
            err = store_outbox_mark_alerted(s, o->id);
        free(eid);
        free(reason);
    }
    if (!err && rs.n)
        err = store_commit(s);
    else if (err && store_in_tx(s))
        store_rollback(s);
    row_set_release(&rs);
    return err;
}

/* ---- results ---- */

static const char *const result_names[] = { "delivered", "transient", "permanent" };

struct attempt {
    int64_t delivery_id, order_id;
    enum dispatch_channel channel;
    int attempts, drill;
    const char *event_id, *kind, *recipient;
    int64_t started_ms, duration_ms;
};

static uint32_t
random_u32(void)
{
    uint32_t r = 0;

    if (!sm_random_bytes(&r, sizeof(r)))
        r = 0x80000000u;
    return r;
}

/* splitmix64 of the delivery and its attempt: replay's jitter, the same on
 * every run and machine. */
static uint32_t
replay_jitter(int64_t delivery_id, int attempts)
{
    uint64_t z = (uint64_t)delivery_id * 0x9E3779B97F4A7C15ULL + (uint64_t)attempts;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* The stored outcome of one attempt: delivered, retried later with backoff
 * (rnd jitters the delay: random in service; derived from the delivery in
 * replay, so a replay is the same every time) or dead. */
static void
outcome_of(const struct dispatch_config *cfg, const struct attempt *a,
           const struct notify_result *r, int64_t now, uint32_t rnd, struct delivery_outcome *o)
{
    int code = r->http_status ? r->http_status : r->smtp_code;

    *o = (struct delivery_outcome){
        .attempts = a->attempts + 1,
        .last_error = r->status == NOTIFY_DELIVERED ? "" : r->detail,
        .last_status = code,
        .started_ms = a->started_ms,
        .duration_ms = a->duration_ms,
        .retry_after_ms = r->retry_after_ms,
        .result = result_names[r->status],
    };
    if (r->status == NOTIFY_DELIVERED) {
        o->status = "delivered";
        o->delivered_ms = now;
        o->next_attempt_ms = now;
    } else if (r->status == NOTIFY_TRANSIENT && o->attempts < cfg->max_attempts) {
        o->status = "pending";
        o->next_attempt_ms = now + dispatch_backoff_ms(o->attempts, cfg->base_ms, cfg->cap_ms,
                                                       r->retry_after_ms, rnd);
    } else {
        o->status = "dead";
        o->next_attempt_ms = now;
    }
}

/* Writes one attempt's outcome inside the open transaction; a dead letter
 * raises one officer alert (never for an officer alert itself: that would
 * loop). */
static enum sm_err
store_outcome(struct store *s, const struct attempt *a, const struct notify_result *r,
              const struct delivery_outcome *o, int64_t now)
{
    enum sm_err err = store_delivery_record(s, a->delivery_id, o);

    if (!err && strcmp(o->status, "dead") == 0 && strcmp(a->kind, "officer_alert") != 0) {
        char *eid = xasprintf("delivery:%lld:dead", (long long)a->delivery_id);
        char *reason = xasprintf("通知经%s发送给 %s 失败，已转入死信：%s",
                                 dispatch_channel_name(a->channel), a->recipient, r->detail);

        err = add_alert(s, eid, a->order_id, a->drill,
                        json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:i}", "reason", reason, "cause",
                                  "dead_letter", "event_id", a->event_id, "delivery_id",
                                  (json_int_t)a->delivery_id, "channel",
                                  dispatch_channel_name(a->channel), "recipient", a->recipient,
                                  "detail", r->detail, "code", o->last_status),
                        now);
        free(eid);
        free(reason);
    }
    return err;
}

static void
log_outcome(const struct attempt *a, const struct notify_result *r,
            const struct delivery_outcome *o)
{
    if (strcmp(o->status, "delivered") != 0)
        log_info("delivery %lld (%s via %s) attempt %d: %s: %s", (long long)a->delivery_id,
                 a->event_id, dispatch_channel_name(a->channel), o->attempts, o->status, r->detail);
}

/* Records one attempt's result in its own transaction. */
static enum sm_err
record_result(struct store *s, const struct dispatch_config *cfg, const struct attempt *a,
              const struct notify_result *r, int64_t now, uint32_t rnd)
{
    struct delivery_outcome o;
    enum sm_err err;

    outcome_of(cfg, a, r, now, rnd, &o);
    err = store_begin_redoable(s);
    if (err)
        return err;
    err = store_outcome(s, a, r, &o, now);
    if (!err)
        err = store_commit(s);
    else
        store_rollback(s);
    if (!err)
        log_outcome(a, r, &o);
    return err;
}

/* ---- the loop ---- */

static void dispatch_pass(struct dispatch *d);

static void
arm(struct dispatch *d, int64_t delay_ms)
{
    struct timeval tv = { (time_t)(delay_ms / 1000), (suseconds_t)(delay_ms % 1000) * 1000 };

    evtimer_add(d->timer, &tv);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    dispatch_pass(arg);
}

static void
inflight_free(struct inflight *f)
{
    free(f->event_id);
    free(f->kind);
    free(f->recipient);
    free(f);
}

static void
unlink_flying(struct dispatch *d, struct inflight *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        d->flying = f->next;
    if (f->next)
        f->next->prev = f->prev;
    d->nflying--;
}

static struct attempt
attempt_of(const struct sent *x)
{
    const struct inflight *f = x->f;

    return (struct attempt){ f->delivery_id, f->order_id, f->channel, f->attempts, f->drill,
                             f->event_id, f->kind, f->recipient, f->started_ms,
                             x->duration_ms };
}

/* Records the results of the turn in one transaction (one fsync for a
 * burst of webhook answers, instead of one each on the loop that also
 * answers acknowledgements); if that fails, each in its own. A result
 * that is never recorded leaves its delivery pending: it is sent again
 * with the same event id, which receivers deduplicate. */
static void
record_sent(evutil_socket_t fd, short what, void *arg)
{
    struct dispatch *d = arg;
    struct store *s = d->app->store;
    int64_t now = clock_now(&d->app->clock);
    size_t n = d->nsent;
    struct delivery_outcome *o = xcalloc(n ? n : 1, sizeof(*o));
    enum sm_err err;

    (void)fd;
    (void)what;
    err = store_begin_redoable(s);
    for (size_t i = 0; !err && i < n; i++) {
        struct attempt a = attempt_of(&d->sent[i]);
        outcome_of(&d->cfg, &a, &d->sent[i].r, now, random_u32(), &o[i]);
        err = store_outcome(s, &a, &d->sent[i].r, &o[i], now);
    }
    if (!err)
        err = store_commit(s); /* rolls back itself when it fails */
    else
        store_rollback(s);
    for (size_t i = 0; i < n; i++) {
        struct attempt a = attempt_of(&d->sent[i]);
        enum sm_err one = SM_OK;
        if (err)
            one = record_result(s, &d->cfg, &a, &d->sent[i].r, now, random_u32());
        else
            log_outcome(&a, &d->sent[i].r, &o[i]);
        if (one)
            log_err("cannot record delivery %lld: %s", (long long)a.delivery_id,
                    sm_strerror(one));
        unlink_flying(d, d->sent[i].f);
        inflight_free(d->sent[i].f);
    }
    free(o);
    d->nsent = 0;
    arm(d, 0);
}

static void
on_sent(void *arg, const struct notify_result *r)
{
    struct inflight *f = arg;
    struct dispatch *d = f->d;

    d->results[f->channel][r->status]++;
    if (d->nsent == d->capsent) {
        d->capsent = d->capsent ? d->capsent * 2 : 32;
        d->sent = xrealloc(d->sent, d->capsent * sizeof(*d->sent));
    }
    d->sent[d->nsent++] = (struct sent){ f, *r, clock_mono_ms() - f->started_mono };
    if (d->nsent == 1)
        event_active(d->record, EV_TIMEOUT, 1);
}

static bool
is_flying(const struct dispatch *d, int64_t id)
{
    for (const struct inflight *f = d->flying; f; f = f->next)
        if (f->delivery_id == id)
            return true;
    return false;
}

struct due_set {
    struct delivery_row *r;
    size_t n, cap;
};

static void
collect_due(void *arg, const struct delivery_row *row)
{
    struct due_set *ds = arg;
    struct delivery_row *c;

    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 16;
        ds->r = xrealloc(ds->r, ds->cap * sizeof(*ds->r));
    }
    c = &ds->r[ds->n++];
    *c = *row;
    c->channel = xstrdup(row->channel);
    c->recipient = xstrdup(row->recipient);
    c->event_id = xstrdup(row->event_id);
    c->kind = xstrdup(row->kind);
    c->enterprise = row->enterprise ? xstrdup(row->enterprise) : NULL;
    c->payload = xstrdup(row->payload);
    c->webhook_secret = row->webhook_secret ? xstrdup(row->webhook_secret) : NULL;
}

static void
due_set_release(struct due_set *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        free((char *)ds->r[i].channel);
        free((char *)ds->r[i].recipient);
        free((char *)ds->r[i].event_id);
        free((char *)ds->r[i].kind);
        free((char *)ds->r[i].enterprise);
        free((char *)ds->r[i].payload);
        free((char *)ds->r[i].webhook_secret);
    }
    free(ds->r);
    memset(ds, 0, sizeof(*ds));
}

static void
send_one(struct dispatch *d, const struct delivery_row *row, int64_t now)
{
    struct app *app = d->app;
    enum dispatch_channel ch;
    struct dispatch_notice dn;
    struct notifier *nf;
    struct sm_diag diag = { 0 };
    struct inflight *f;
    struct notice n;

    if (!dispatch_channel_parse(row->channel, &ch)) {
        log_err("delivery %lld: unknown channel %s", (long long)row->id, row->channel);
        return;
    }
    if (dispatch_notice_build(app->store, &d->cfg, app->rules ? &app->rules->measures : NULL,
                              app->cfg.tz_min, app->cfg.public_url, row, &dn) != SM_OK)
        return; /* a database error: the next pass tries again */
    f = xcalloc(1, sizeof(*f));
    f->d = d;
    f->delivery_id = row->id;
    f->outbox_id = row->outbox_id;
    f->order_id = row->order_id;
    f->channel = ch;
    f->attempts = row->attempts;
    f->drill = row->drill;
    f->event_id = xstrdup(row->event_id);
    f->kind = xstrdup(row->kind);
    f->recipient = xstrdup(row->recipient);
    f->started_ms = now;
    f->started_mono = clock_mono_ms();
    f->next = d->flying;
    if (d->flying)
        d->flying->prev = f; /* NOLINT(clang-analyzer-unix.Malloc): finished sends are unlinked before they are freed */
    d->flying = f;
    d->nflying++;
    nf = d->cfg.channel[ch] || ch == CH_FILE ? instance_for(d, row, ch, &diag) : NULL;
    if (!nf) {
        struct notify_result r;

        notify_result_set(&r, NOTIFY_PERMANENT, "channel %s unusable: %s", row->channel,
                          diag.text[0] ? diag.text : "not configured");
        dispatch_notice_release(&dn);
        on_sent(f, &r);
        return;
    }
    n = (struct notice){ .event_id = row->event_id, .kind = row->kind,
                         .recipient = row->recipient, .subject = dn.subject, .text = dn.text,
                         .json = dn.json, .attachment_name = dn.attachment_name ? dn.attachment_name : "notice.json" };
    notifier_send(nf, &n, on_sent, f);
    dispatch_notice_release(&dn);
}

static void
dispatch_pass(struct dispatch *d)
{
    struct store *s = d->app->store;
    int64_t now = clock_now(&d->app->clock), next = 0, delay = DISPATCH_POLL_MS;
    struct due_set ds = { 0 };
    bool more = false;
    enum sm_err err;

    if (now - d->deadlines_checked_ms >= DISPATCH_POLL_MS || now < d->deadlines_checked_ms) {
        d->deadlines_checked_ms = now;
        err = check_deadlines(s, &d->cfg, now);
    } else {
        err = SM_OK;
    }
    if (err || (err = dispatch_expand(s, &d->cfg, now, DISPATCH_SLICE, &more)))
        log_err("dispatch: %s: %s", sm_strerror(err), store_errmsg(s));
    if (d->nflying < DISPATCH_MAX_INFLIGHT &&
        store_deliveries_due(s, now, DISPATCH_MAX_INFLIGHT + d->nflying, collect_due, &ds) ==
            SM_OK) {
        for (size_t i = 0; i < ds.n && d->nflying < DISPATCH_MAX_INFLIGHT; i++)
            if (!is_flying(d, ds.r[i].id))
                send_one(d, &ds.r[i], now);
    }
    due_set_release(&ds);
    if (store_deliveries_next_due(s, &next) == SM_OK && next > now && next - now < delay)
        delay = next - now;
    arm(d, more ? 0 : delay); /* more to expand: the next slice on the next loop turn */
}

/* ---- metrics ---- */

static void
metrics_section(struct app *app, struct buf *out)
{
    struct dispatch *d = app->dispatch;
    struct dispatch_stats st;
    bool ok = true;

    if (!d)
        return;
    ok = ok && buf_addstr(out, "# HELP smogd_deliveries_total Delivery attempts by channel and result.\n"
                               "# TYPE smogd_deliveries_total counter\n");
    for (int c = 0; c < CH_COUNT; c++)
        for (int r = 0; r < 3; r++)
            ok = ok && buf_printf(out, "smogd_deliveries_total{channel=\"%s\",result=\"%s\"} %" PRIu64 "\n",
                                  dispatch_channel_name((enum dispatch_channel)c), result_names[r],
                                  d->results[c][r]);
    if (store_dispatch_stats(app->store, &st) != SM_OK)
        return;
    ok = ok && buf_printf(out,
                          "# HELP smogd_outbox_pending Notices not yet delivered on every channel.\n"
                          "# TYPE smogd_outbox_pending gauge\nsmogd_outbox_pending %" PRId64 "\n"
                          "# HELP smogd_deliveries_dead Deliveries given up (dead letters).\n"
                          "# TYPE smogd_deliveries_dead gauge\nsmogd_deliveries_dead %" PRId64 "\n"
                          "# HELP smogd_outbox_oldest_undelivered_seconds Age of the oldest undelivered notice.\n"
                          "# TYPE smogd_outbox_oldest_undelivered_seconds gauge\n"
                          "smogd_outbox_oldest_undelivered_seconds %.3f\n",
                          st.outbox_pending, st.dead,
                          st.oldest_undelivered_ms
                              ? (double)(clock_now(&app->clock) - st.oldest_undelivered_ms) / 1000.0
                              : 0.0);
    (void)ok;
}

/* ---- life cycle ---- */

/* Every configured channel must build (webhooks need a secret to build: a
 * placeholder stands in when only contacts carry secrets). */
static enum sm_err
check_channels(struct dispatch *d, struct sm_diag *diag)
{
    for (int ch = 0; ch < CH_COUNT; ch++) {
        json_t *cfg;
        struct notifier *nf = NULL;
        enum sm_err err;

        if (!d->cfg.channel[ch])
            continue;
        cfg = json_deep_copy(d->cfg.channel[ch]);
        if (ch == CH_WEBHOOK && !json_object_get(cfg, "secret"))
            json_object_set_new(cfg, "secret", json_string("placeholder"));
        err = notifier_create(&nf, d->app->base, &d->env, cfg, diag);
        json_decref(cfg);
        notifier_free(nf);
        if (err) {
            char text[sizeof(diag->text)];
            snprintf(text, sizeof(text), "%s", diag->text);
            sm_diag_set(diag, diag->code[0] ? diag->code : "bad_channel",
                        "notifiers: channels.%s: %s", dispatch_channel_name((enum dispatch_channel)ch),
                        text);
            return err;
        }
    }
    return SM_OK;
}

enum sm_err
dispatch_start(struct app *app, struct sm_diag *diag)
{
    struct dispatch *d = xcalloc(1, sizeof(*d));
    int64_t now = clock_now(&app->clock), moved = 0;
    enum sm_err err;

    d->app = app;
    err = dispatch_config_load(&d->cfg, app->cfg.notifiers_path, app->cfg.db_path, diag);
    if (err) {
        free(d);
        return err;
    }
    if ((err = curl_loop_new(&d->curl, app->base)) != SM_OK) {
        sm_diag_set(diag, "curl", "cannot start the transfer driver");
        goto fail;
    }
    d->env = (struct notifier_env){ .curl = d->curl, .now_ms = env_now, .clock = &app->clock };
    if ((err = check_channels(d, diag)))
        goto fail;
    /* a clock that was ahead when these were written must not park them */
    if (store_begin(app->store) == SM_OK) {
        if (store_deliveries_clamp(app->store, now + d->cfg.cap_ms, &moved) != SM_OK ||
            store_commit(app->store) != SM_OK)
            store_rollback(app->store);
    }
    if (moved)
        log_warn("%lld retry times were beyond now + cap; moved back", (long long)moved);
    d->timer = evtimer_new(app->base, on_timer, d);
    d->record = event_new(app->base, -1, 0, record_sent, d);
    app->dispatch = d;
    api_metrics_add_section(metrics_section);
    arm(d, 0);
    log_info("delivery started (%s)", app->cfg.notifiers_path ? app->cfg.notifiers_path
                                                             : "default file channel");
    return SM_OK;
fail:
    dispatch_free(d);
    return err;
}

enum sm_err
dispatch_reload_templates(struct app *app, struct sm_diag *diag)
{
    if (!app->dispatch)
        return SM_OK;
    return dispatch_config_reload_templates(&app->dispatch->cfg, diag);
}

enum sm_err
dispatch_open_offline(struct app *app, struct sm_diag *diag)
{
    struct dispatch *d = xcalloc(1, sizeof(*d));
    enum sm_err err = dispatch_config_load(&d->cfg, app->cfg.notifiers_path, app->cfg.db_path,
                                           diag);

    if (err) {
        free(d);
        return err;
    }
    d->app = app;
    app->dispatch = d;
    return SM_OK;
}

void
dispatch_kick(struct app *app)
{
    /* an offline dispatch (replay) has no loop: its caller delivers */
    if (app && app->dispatch && app->dispatch->timer)
        arm(app->dispatch, 0);
}

void
dispatch_free(struct dispatch *d)
{
    if (!d)
        return;
    if (d->app && d->app->dispatch == d)
        d->app->dispatch = NULL;
    if (d->record) {
        if (d->nsent && d->app) /* answers already in: recorded, not sent again */
            record_sent(-1, 0, d);
        event_free(d->record);
    }
    free(d->sent);
    if (d->timer)
        event_free(d->timer);
    /* abandoned sends report nothing: their rows stay pending */
    for (size_t i = 0; i < d->ninst; i++) {
        notifier_free(d->inst[i].nf);
        free(d->inst[i].key);
    }
    free(d->inst);
    while (d->flying) {
        struct inflight *f = d->flying;
        d->flying = f->next;
        inflight_free(f);
    }
    curl_loop_free(d->curl);
    dispatch_config_release(&d->cfg);
    free(d);
}

/* ---- replay ---- */

/* borrowed (*cfg): the notifiers file of the offline dispatch when there is
 * one; else read now into own (release it with capture_config_done) */
static enum sm_err
capture_config(struct app *app, struct dispatch_config *own, const struct dispatch_config **cfg,
               struct sm_diag *diag)
{
    enum sm_err err;

    memset(own, 0, sizeof(*own));
    if (app->dispatch) {
        *cfg = &app->dispatch->cfg;
        return SM_OK;
    }
    err = dispatch_config_load(own, app->cfg.notifiers_path, app->cfg.db_path, diag);
    *cfg = own;
    return err;
}

static void
capture_config_done(struct dispatch_config *own)
{
    if (own->root)
        dispatch_config_release(own);
}

enum sm_err
dispatch_capture_all(struct app *app, dispatch_capture_fn *fn, void *arg, int *count,
                     struct sm_diag *diag)
{
    struct dispatch_config own;
    const struct dispatch_config *cfg;
    struct store *s = app->store;
    int captured = 0;
    enum sm_err err;

    if (count)
        *count = 0;
    err = capture_config(app, &own, &cfg, diag);
    if (err)
        return err;
    for (;;) {
        int64_t now = clock_now(&app->clock);
        struct due_set ds = { 0 };

        if ((err = check_deadlines(s, cfg, now)) || (err = expand_all(s, cfg, now)) ||
            (err = store_deliveries_due(s, INT64_MAX, DISPATCH_BATCH, collect_due, &ds)))
            break;
        if (ds.n == 0) {
            due_set_release(&ds);
            break;
        }
        for (size_t i = 0; !err && i < ds.n; i++) {
            const struct delivery_row *row = &ds.r[i];
            struct dispatch_notice dn;
            struct notify_result r;
            enum dispatch_channel ch = CH_FILE;

            (void)dispatch_channel_parse(row->channel, &ch);
            if ((err = dispatch_notice_build(s, cfg, app->rules ? &app->rules->measures : NULL,
                                             app->cfg.tz_min, app->cfg.public_url, row, &dn)))
                break;
            struct notice n = { .event_id = row->event_id, .kind = row->kind,
                                .recipient = row->recipient, .subject = dn.subject,
                                .text = dn.text, .json = dn.json,
                                .attachment_name = dn.attachment_name ? dn.attachment_name : "notice.json" };
            fn(arg, row->channel, &n);
            dispatch_notice_release(&dn);
            notify_result_set(&r, NOTIFY_DELIVERED, "captured");
            struct attempt a = { row->id, row->order_id, ch, row->attempts, row->drill,
                                 row->event_id, row->kind, row->recipient, now, 0 };
            err = record_result(s, cfg, &a, &r, now, replay_jitter(row->id, row->attempts));
            captured++;
        }
        due_set_release(&ds);
        if (err)
            break;
    }
    capture_config_done(&own);
    if (count)
        *count = captured;
    if (err)
        sm_diag_set(diag, "dispatch", "capturing notices: %s: %s", sm_strerror(err),
                    store_errmsg(s));
    return err;
}

/* One simulated attempt per delivery due at now: delivered when accept says
 * its channel is up, else a transient failure retried with backoff. A
 * channel missing from the configuration fails permanently, as send_one
 * does. Failed rows move past now, so the loop ends. */
static enum sm_err
capture_due_rows(struct app *app, const struct dispatch_config *cfg, int64_t now,
                 dispatch_accept_fn *accept, void *arg, struct dispatch_capture_counts *out)
{
    struct store *s = app->store;
    enum sm_err err = SM_OK;

    while (!err) {
        struct due_set ds = { 0 };

        if ((err = expand_all(s, cfg, now)) ||
            (err = store_deliveries_due(s, now, DISPATCH_BATCH, collect_due, &ds)) || ds.n == 0 ||
            (err = store_begin(s))) {
            due_set_release(&ds);
            break;
        }
        /* the batch's results in one transaction: nothing is sent, so
         * nothing has to be durable before the next attempt */
        for (size_t i = 0; !err && i < ds.n; i++) {
            const struct delivery_row *row = &ds.r[i];
            enum dispatch_channel ch = CH_FILE;
            struct notify_result r;
            struct delivery_outcome o;
            struct attempt a;

            if (!dispatch_channel_parse(row->channel, &ch) || (!cfg->channel[ch] && ch != CH_FILE))
                notify_result_set(&r, NOTIFY_PERMANENT, "channel %s unusable: not configured",
                                  row->channel);
            else if (accept && !accept(arg, row->channel))
                notify_result_set(&r, NOTIFY_TRANSIENT, "channel %s is down", row->channel);
            else
                notify_result_set(&r, NOTIFY_DELIVERED, "captured");
            a = (struct attempt){ row->id, row->order_id, ch, row->attempts, row->drill,
                                  row->event_id, row->kind, row->recipient, now, 0 };
            outcome_of(cfg, &a, &r, now, replay_jitter(row->id, row->attempts), &o);
            err = store_outcome(s, &a, &r, &o, now);
            if (err)
                break;
            log_outcome(&a, &r, &o);
            if (r.status == NOTIFY_DELIVERED) {
                out->delivered++;
                out->late += row->attempts > 0;
            } else if (r.status == NOTIFY_TRANSIENT && row->attempts + 1 < cfg->max_attempts) {
                out->failed++;
            } else {
                out->dead++;
            }
        }
        if (!err)
            err = store_commit(s); /* rolls back itself when it fails */
        else
            store_rollback(s);
        due_set_release(&ds);
    }
    return err;
}

enum sm_err
dispatch_capture_due(struct app *app, dispatch_accept_fn *accept, void *arg,
                     struct dispatch_capture_counts *out, struct sm_diag *diag)
{
    struct dispatch_config own;
    const struct dispatch_config *cfg;
    struct store *s = app->store;
    int64_t now = clock_now(&app->clock), retry = 0, deadline = 0;
    enum sm_err err;

    memset(out, 0, sizeof(*out));
    err = capture_config(app, &own, &cfg, diag);
    if (err)
        return err;
    /* what is due goes out first, so a notice delivered exactly at its
     * deadline raises no alert; the alerts raised go out at once too */
    err = capture_due_rows(app, cfg, now, accept, arg, out);
    if (!err)
        err = check_deadlines(s, cfg, now);
    if (!err)
        err = capture_due_rows(app, cfg, now, accept, arg, out);
    if (!err)
        err = store_deliveries_next_due(s, &retry);
    if (!err)
        err = store_outbox_next_overdue(s, cfg->deadline_ms, &deadline);
    out->next_ms = retry && (!deadline || retry < deadline) ? retry : deadline;
    capture_config_done(&own);
    if (err)
        sm_diag_set(diag, "dispatch", "simulated delivery: %s: %s", sm_strerror(err),
                    store_errmsg(s));
    return err;
}
