/* Expectations: the effective level, order figures, notices written,
 * compliance and episode figures, each compared and named when wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops_int.h"
#include "replay/replay_int.h"
#include "store/store_report.h"
#include "store/store_views.h"

void
replay_compare(struct replay *r, const char *path, const json_t *want, json_t *got)
{
    bool same;

    r->res->checks++;
    if (json_is_number(want) && json_is_number(got))
        same = json_number_value(want) == json_number_value(got);
    else
        same = got && json_equal((json_t *)want, got);
    if (!same) {
        char *ws = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
        char *gs = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        replay_fail(r, path, json_deep_copy(want), got ? json_incref(got) : NULL,
                    "%s: expected %s, got %s", path, ws, gs ? gs : "nothing");
        free(ws);
        free(gs);
    }
    json_decref(got);
}

/* Every key of want must be in got with the same value, recursively. */
static void
compare_subset(struct replay *r, const char *path, const json_t *want, const json_t *got)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)want, key, v) {
        char p[256];
        json_t *a = json_object_get(got, key);
        snprintf(p, sizeof(p), "%s.%s", path, key);
        if (json_is_object(v) && json_is_object(a))
            compare_subset(r, p, v, a);
        else
            replay_compare(r, p, v, a ? json_incref(a) : NULL);
    }
}

static json_t *
order_level(const struct episode_order_figures *f)
{
    char buf[40];
    if (f->active == 0)
        return json_string("none");
    if (f->min_level == f->max_level)
        return json_string(level_name(f->max_level));
    snprintf(buf, sizeof(buf), "mixed %s..%s", level_name(f->min_level), level_name(f->max_level));
    return json_string(buf);
}

enum sm_err
replay_expect(struct replay *r, const struct scenario_step *st)
{
    int drill = json_is_true(json_object_get(st->arg, "drill"));
    int64_t now = clock_now(&r->app->clock), episode = 0;
    struct episode_order_figures f = { 0 };
    int failed_before = r->res->failed, checks_before = r->res->checks;
    json_t *v;
    const char *key;
    enum sm_err err = store_episode_latest(r->app->store, drill, &episode);

    if (!err && episode)
        err = store_episode_order_figures(r->app->store, episode, now, &f);
    if (err)
        return err;
    if ((v = json_object_get(st->arg, "level"))) {
        enum level eff, mu, lo, ma;
        err = ops_levels(r->app, drill, &eff, &mu, &lo, &ma);
        if (err)
            return err;
        replay_compare(r, "expect.level", v, json_string(level_name(eff)));
    }
    json_object_foreach(json_object_get(st->arg, "orders"), key, v) {
        char p[64];
        json_t *got;
        snprintf(p, sizeof(p), "expect.orders.%s", key);
        if (strcmp(key, "level") == 0)
            got = order_level(&f);
        else if (strcmp(key, "version") == 0)
            got = json_integer(f.max_version);
        else
            got = json_integer(strcmp(key, "active") == 0         ? f.active
                               : strcmp(key, "acknowledged") == 0 ? f.acknowledged
                               : strcmp(key, "overdue") == 0      ? f.overdue
                               : strcmp(key, "lifted") == 0       ? f.lifted
                               : strcmp(key, "superseded") == 0   ? f.superseded
                               : strcmp(key, "versions") == 0     ? f.versions
                                                                  : f.enterprises);
        replay_compare(r, p, v, got);
    }
    json_object_foreach(json_object_get(st->arg, "compliance"), key, v) {
        char p[64];
        snprintf(p, sizeof(p), "expect.compliance.%s", key);
        replay_compare(r, p, v, json_integer(strcmp(key, "compliant") == 0   ? f.compliant
                                      : strcmp(key, "violation") == 0 ? f.violation
                                                                      : f.unknown));
    }
    json_object_foreach(json_object_get(st->arg, "notices"), key, v) {
        char p[64];
        int64_t n = 0;
        snprintf(p, sizeof(p), "expect.notices.%s", key);
        err = store_outbox_count(r->app->store, key, drill, &n);
        if (err)
            return err;
        replay_compare(r, p, v, json_integer(n));
    }
    if ((v = json_object_get(st->arg, "deliveries")) &&
        (err = replay_expect_deliveries(r, v, drill)))
        return err;
    if ((v = json_object_get(st->arg, "episode"))) {
        json_t *ep = NULL;
        if (!episode) {
            r->res->checks++;
            replay_fail(r, "expect.episode", json_deep_copy(v), NULL,
                        "expect.episode: there is no %sepisode", drill ? "drill " : "");
        } else {
            err = store_episode_json(r->app->store, episode, now, r->app->cfg.tz_min, &ep);
            if (err)
                return err;
            json_object_set_new(ep, "closed", json_boolean(json_is_string(json_object_get(ep, "closed_at"))));
            json_object_set_new(ep, "decisions", json_integer((json_int_t)json_array_size(json_object_get(ep, "timeline"))));
            compare_subset(r, "expect.episode", v, ep);
            json_decref(ep);
        }
    }
    if (r->res->failed == failed_before)
        replay_event(r, "expect", "expectations hold (%d checks)", r->res->checks - checks_before);
    return SM_OK;
}
