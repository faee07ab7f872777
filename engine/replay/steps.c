/* One function per step kind: warnings, escalations, acknowledgements
 * (scheduled, then run by the clock loop), re-issues, readings, compliance
 * data, outages (deliver.c), expectations. Kinds
 * whose use case this build lacks have no row and are reported as not
 * supported; adding the use case means adding its function here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "ops/ops_int.h"
#include "ops/ops_readings.h"
#include "replay/replay_int.h"
#include "store/store_levels.h"
#include "store/store_orders.h"

/* ---- warning ---- */

static void
check_result(struct replay *r, const json_t *want, const json_t *got)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)want, key, v) {
        json_t *a = json_object_get(got, key);
        char path[64];
        r->res->checks++;
        if (a && json_equal(a, v))
            continue;
        snprintf(path, sizeof(path), "result.%s", key);
        char *ws = json_dumps(v, JSON_ENCODE_ANY), *as = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
        replay_fail(r, path, json_deep_copy(v), a ? json_deep_copy(a) : NULL,
                    "warning reply %s: expected %s, got %s", key, ws, as ? as : "nothing");
        free(ws);
        free(as);
    }
}

static enum sm_err
run_warning(struct replay *r, const struct scenario_step *st)
{
    const struct ops_actor issuer = { "municipal-feed", "issuer", NULL };
    struct sm_diag d = { 0 };
    json_t *reply = NULL;
    enum sm_err err = ops_apply_warning(r->app, &issuer, st->content_type, st->body, st->body_len,
                                        &reply, &d);

    if (err == SM_ERR_DB || err == SM_ERR_BUSY || err == SM_ERR_IO)
        return err;
    if (err) {
        replay_event(r, "warning", "warning refused (%s): %s", d.code, d.text);
        if (st->result)
            replay_fail(r, "result", NULL, NULL, "the warning was refused: %s", d.text);
        return SM_OK;
    }
    replay_event(r, "warning", "warning %lld received: applied %s, %s%s -> level %s",
                 (long long)json_integer_value(json_object_get(reply, "warning_id")),
                 json_is_true(json_object_get(reply, "applied")) ? "yes" : "no",
                 json_string_value(json_object_get(reply, "reason")),
                 json_is_true(json_object_get(reply, "drill")) ? " (drill)" : "",
                 json_string_value(json_object_get(reply, "level")));
    if (st->result)
        check_result(r, st->result, reply);
    json_decref(reply);
    return SM_OK;
}

/* ---- escalate ---- */

static enum sm_err
run_escalate(struct replay *r, const struct scenario_step *st)
{
    struct sm_diag d = { 0 };
    enum level l = LEVEL_NONE;
    const char *reason = json_string_value(json_object_get(st->arg, "reason"));
    enum sm_err err;

    if (!level_parse(json_string_value(json_object_get(st->arg, "level")), &l))
        l = LEVEL_NONE;
    err = ops_escalate(r->app, &replay_officer, l, reason, &d);
    if (err == SM_ERR_DB || err == SM_ERR_BUSY || err == SM_ERR_IO)
        return err;
    if (err)
        replay_event(r, "escalate", "escalation to %s refused (%s): %s", level_name(l), d.code,
                     d.text);
    else
        replay_event(r, "escalate", "duty officer set the manual level %s: %s", level_name(l),
                     reason);
    return SM_OK;
}

/* ---- acknowledgements ---- */

struct uscc_set {
    char (*u)[24];
    size_t n, cap;
};

static void
collect_issued(void *arg, const struct order_head *o)
{
    struct uscc_set *s = arg;
    if (strcmp(o->status, "issued") != 0)
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->u = xrealloc(s->u, s->cap * sizeof(*s->u));
    }
    snprintf(s->u[s->n++], sizeof(s->u[0]), "%s", o->enterprise);
}

static bool
in_array(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

/* splitmix64: a small, fixed generator so a seed gives the same choice on
 * every machine. */
static uint64_t
next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int
cmp_ack(const void *a, const void *b)
{
    const struct pending_ack *x = a, *y = b;
    if (x->at_ms != y->at_ms)
        return x->at_ms < y->at_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static enum sm_err
schedule_acks(struct replay *r, const struct scenario_step *st, bool phone)
{
    json_t *who = json_object_get(st->arg, "enterprises");
    json_t *except = json_object_get(st->arg, "except");
    bool drill = json_is_true(json_object_get(st->arg, "drill"));
    int64_t delay = 0, spread = 0, now = clock_now(&r->app->clock), episode = 0, since;
    struct uscc_set set = { 0 };
    enum level lv;
    size_t take;
    uint64_t rng = 1;
    enum sm_err err;

    if (json_object_get(st->arg, "delay"))
        if (!sm_duration_parse(json_string_value(json_object_get(st->arg, "delay")), &delay))
            delay = 0;
    if (json_object_get(st->arg, "spread"))
        if (!sm_duration_parse(json_string_value(json_object_get(st->arg, "spread")), &spread))
            spread = 0;
    err = store_episode_current(r->app->store, drill, &episode, &lv, &since);
    if (!err && episode)
        err = store_orders_of_episode(r->app->store, episode, collect_issued, &set);
    if (err) {
        free(set.u);
        return err;
    }
    /* the candidates: enterprises holding an unacknowledged order now */
    size_t kept = 0;
    for (size_t i = 0; i < set.n; i++) {
        bool chosen = json_is_string(who) || json_is_object(who) || in_array(who, set.u[i]);
        if (chosen && !(except && in_array(except, set.u[i])))
            memcpy(set.u[kept++], set.u[i], sizeof(set.u[0]));
    }
    set.n = kept;
    take = set.n;
    if (json_is_object(who)) {
        rng = (uint64_t)json_integer_value(json_object_get(who, "seed"));
        for (size_t i = set.n; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)(next_random(&rng) % i);
            char tmp[24];
            memcpy(tmp, set.u[i - 1], sizeof(tmp));
            memcpy(set.u[i - 1], set.u[j], sizeof(tmp));
            memcpy(set.u[j], tmp, sizeof(tmp));
        }
        take = (size_t)(json_number_value(json_object_get(who, "fraction")) * (double)set.n + 0.5);
    }
    if (r->nacks + take > r->cap) {
        r->cap = (r->nacks + take) * 2;
        r->acks = xrealloc(r->acks, r->cap * sizeof(*r->acks));
    }
    for (size_t i = 0; i < take; i++) {
        struct pending_ack *a = &r->acks[r->nacks++];
        memset(a, 0, sizeof(*a));
        /* spread: answers arrive evenly over the window, in the chosen order */
        a->at_ms = now + delay + (take > 1 ? spread * (int64_t)i / (int64_t)(take - 1) : 0);
        a->seq = r->seq++;
        snprintf(a->uscc, sizeof(a->uscc), "%s", set.u[i]);
        a->phone = phone;
        a->drill = drill;
        a->note = json_string_value(json_object_get(st->arg, "note"));
        a->contact = json_string_value(json_object_get(st->arg, "contact"));
        a->step = st->index;
    }
    qsort(r->acks + r->head, r->nacks - r->head, sizeof(*r->acks), cmp_ack);
    replay_event(r, phone ? "phone_ack" : "ack", "%zu %s scheduled%s", take,
                 phone ? "acknowledgements by phone" : "acknowledgements",
                 take == 0 ? " (no unacknowledged orders matched)" : "");
    free(set.u);
    return SM_OK;
}

static enum sm_err
run_ack(struct replay *r, const struct scenario_step *st)
{
    return schedule_acks(r, st, false);
}

static enum sm_err
run_phone_ack(struct replay *r, const struct scenario_step *st)
{
    return schedule_acks(r, st, true);
}

/* ---- re-issue ---- */

static enum sm_err
run_reissue(struct replay *r, const struct scenario_step *st)
{
    const char *uscc = json_string_value(json_object_get(st->arg, "enterprise"));
    const char *reason = json_string_value(json_object_get(st->arg, "reason"));
    int64_t episode = 0, since, id = 0, new_id = 0;
    struct sm_diag d = { 0 };
    enum level lv;
    enum sm_err err = SM_OK;

    for (int drill = 0; !err && !id && drill < 2; drill++) {
        err = store_episode_current(r->app->store, drill, &episode, &lv, &since);
        if (!err && episode)
            err = store_order_current(r->app->store, episode, uscc, &id);
    }
    if (err)
        return err;
    if (!id) {
        replay_fail(r, "reissue.enterprise", NULL, NULL, "%s holds no current order to re-issue",
                    uscc);
        return SM_OK;
    }
    err = ops_reissue(r->app, &replay_officer, id, reason, &new_id, &d);
    if (err == SM_ERR_DB || err == SM_ERR_BUSY || err == SM_ERR_IO)
        return err;
    if (err)
        replay_event(r, "reissue", "re-issue of order %lld refused (%s): %s", (long long)id,
                     d.code, d.text);
    else
        replay_event(r, "reissue", "order %lld of %s re-issued as order %lld: %s", (long long)id,
                     uscc, (long long)new_id, reason);
    return SM_OK;
}

static enum sm_err
run_advance(struct replay *r, const struct scenario_step *st)
{
    (void)r;
    (void)st;
    return SM_OK;
}

static enum sm_err
run_expect(struct replay *r, const struct scenario_step *st)
{
    return replay_expect(r, st);
}

static const struct ops_actor replay_monitor = { "station-feed", "monitor", NULL };

/* The scenario's stations are registered before the first readings, as an
 * officer would have done before the season. */
static enum sm_err
register_stations(struct replay *r)
{
    size_t i;
    json_t *st;
    enum sm_err err = SM_OK;

    if (r->stations_registered)
        return SM_OK;
    json_array_foreach(r->sc->stations, i, st) {
        struct sm_diag d = { 0 };
        json_t *body = json_deep_copy(st), *out = NULL;
        const char *id = json_string_value(json_object_get(st, "id"));
        json_object_del(body, "id");
        err = ops_station_put(r->app, &replay_officer, id, body, &out, &d);
        json_decref(body);
        json_decref(out);
        if (err) {
            replay_fail(r, "stations", NULL, NULL, "station %s refused: %s", id, d.text);
            return err == SM_ERR_DB || err == SM_ERR_IO || err == SM_ERR_BUSY ? err : SM_OK;
        }
    }
    r->stations_registered = true;
    return err;
}

static enum sm_err
run_readings(struct replay *r, const struct scenario_step *st)
{
    json_t *body = json_pack("{s:[]}", "readings"), *reply = NULL;
    json_t *arr = json_object_get(body, "readings");
    struct sm_diag d = { 0 };
    size_t i;
    json_t *rd;
    char *text;
    enum sm_err err = register_stations(r);

    if (err) {
        json_decref(body);
        return err;
    }
    json_array_foreach(st->arg, i, rd) {
        json_t *copy = json_deep_copy(rd);
        if (!json_object_get(copy, "unit")) {
            const char *p = json_string_value(json_object_get(copy, "pollutant"));
            json_object_set_new(copy, "unit", json_string(p && strcmp(p, "co") == 0 ? "mg/m3" : "ug/m3"));
        }
        json_array_append_new(arr, copy);
    }
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    err = ops_readings_post(r->app, &replay_monitor, text, strlen(text), &reply, &d);
    free(text);
    if (err == SM_ERR_DB || err == SM_ERR_BUSY || err == SM_ERR_IO) {
        json_decref(reply);
        return err;
    }
    if (err) {
        replay_fail(r, "readings", NULL, NULL, "readings refused: %s", d.text);
    } else {
        size_t rej = json_array_size(json_object_get(reply, "rejected"));
        replay_event(r, "readings", "%lld readings accepted%s",
                     (long long)json_integer_value(json_object_get(reply, "accepted")),
                     rej ? ", some rejected" : "");
        if (rej)
            replay_fail(r, "readings", NULL, json_incref(json_object_get(reply, "rejected")),
                        "%zu readings were rejected", rej);
    }
    json_decref(reply);
    return SM_OK;
}

/* Meter data and inspections go through the same use case as
 * POST /v1/compliance: a monitor posts loads, an officer inspections. */
static enum sm_err
run_compliance(struct replay *r, const struct scenario_step *st, bool inspection)
{
    json_t *items = json_array(), *reply = NULL, *body;
    struct sm_diag d = { 0 };
    size_t i;
    json_t *it;
    enum sm_err err;

    json_array_foreach(st->arg, i, it) {
        if (inspection) {
            json_array_append_new(items, json_deep_copy(it));
            continue;
        }
        json_array_append_new(items, json_pack("{s:O,s:O,s:s,s:O,s:O}", "uscc",
                                               json_object_get(it, "uscc"), "line",
                                               json_object_get(it, "line"), "metric", "power_kw",
                                               "value", json_object_get(it, "power_kw"), "at",
                                               json_object_get(it, "at")));
    }
    body = json_pack("{s:o}", inspection ? "inspections" : "measurements", items);
    err = ops_record_compliance(r->app, inspection ? &replay_officer : &replay_monitor, body,
                                &reply, &d);
    json_decref(body);
    if (err == SM_ERR_DB || err == SM_ERR_BUSY || err == SM_ERR_IO) {
        json_decref(reply);
        return err;
    }
    if (err) {
        replay_fail(r, inspection ? "inspection" : "meter", NULL, NULL, "refused: %s", d.text);
    } else {
        size_t rej = json_array_size(json_object_get(reply, "rejected"));
        json_t *orders = json_object_get(reply, "orders");
        size_t k, violations = 0;
        json_t *o;
        json_array_foreach(orders, k, o)
            if (strcmp(json_string_value(json_object_get(o, "compliance")), "violation") == 0)
                violations++;
        replay_event(r, inspection ? "inspection" : "meter",
                     "%lld %s accepted; %zu orders judged, %zu in violation",
                     (long long)json_integer_value(json_object_get(reply, "accepted")),
                     inspection ? "inspections" : "load readings", json_array_size(orders),
                     violations);
        if (rej)
            replay_fail(r, inspection ? "inspection" : "meter", NULL,
                        json_incref(json_object_get(reply, "rejected")), "%zu items were rejected",
                        rej);
    }
    json_decref(reply);
    return SM_OK;
}

static enum sm_err
run_meter(struct replay *r, const struct scenario_step *st)
{
    return run_compliance(r, st, false);
}

static enum sm_err
run_inspection(struct replay *r, const struct scenario_step *st)
{
    return run_compliance(r, st, true);
}

static replay_step_fn *const runners[STEP_KIND_COUNT] = {
    [STEP_ADVANCE] = run_advance,
    [STEP_WARNING] = run_warning,
    [STEP_ESCALATE] = run_escalate,
    [STEP_ACK] = run_ack,
    [STEP_PHONE_ACK] = run_phone_ack,
    [STEP_REISSUE] = run_reissue,
    [STEP_READINGS] = run_readings,
    [STEP_METER] = run_meter,
    [STEP_INSPECTION] = run_inspection,
    [STEP_OUTAGE] = replay_run_outage,
    [STEP_EXPECT] = run_expect,
};

replay_step_fn *
replay_step_runner(enum step_kind k)
{
    return k < STEP_KIND_COUNT ? runners[k] : NULL;
}
