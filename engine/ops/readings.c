/* Station readings in: each reading accepted or rejected on its own, the
 * good ones stored in one transaction (a repeated hour replaces the
 * value), then the local trigger looks at the new data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aqi/readings_parse.h"
#include "base/xalloc.h"
#include "ops/ops_int.h"
#include "ops/ops_readings.h"
#include "store/store.h"
#include "store/store_readings.h"

/* Kinds of the stations seen in one request, so a batch of thousands asks
 * the database once per station. */
struct kind_cache {
    struct { char *id; char kind[16]; bool known; } *e;
    size_t n, cap;
};

static enum sm_err
station_known(struct app *app, struct kind_cache *kc, const char *id, bool *known,
              bool *official)
{
    enum sm_err err;

    for (size_t i = 0; i < kc->n; i++)
        if (strcmp(kc->e[i].id, id) == 0) {
            *known = kc->e[i].known;
            *official = strcmp(kc->e[i].kind, "official") == 0;
            return SM_OK;
        }
    if (kc->n == kc->cap) {
        kc->cap = kc->cap ? kc->cap * 2 : 8;
        kc->e = xrealloc(kc->e, kc->cap * sizeof(*kc->e));
    }
    kc->e[kc->n].id = xstrdup(id);
    kc->e[kc->n].kind[0] = '\0';
    err = store_station_kind(app->store, id, kc->e[kc->n].kind, sizeof(kc->e[kc->n].kind));
    if (err && err != SM_ERR_NOTFOUND) {
        free(kc->e[kc->n].id);
        return err;
    }
    kc->e[kc->n].known = err == SM_OK;
    *known = kc->e[kc->n].known;
    *official = strcmp(kc->e[kc->n].kind, "official") == 0;
    kc->n++;
    return SM_OK;
}

static void
kind_cache_release(struct kind_cache *kc)
{
    for (size_t i = 0; i < kc->n; i++)
        free(kc->e[i].id);
    free(kc->e);
}

static int
cmp_reject(const void *a, const void *b)
{
    size_t x = ((const struct reading_reject *)a)->index;
    size_t y = ((const struct reading_reject *)b)->index;

    return x < y ? -1 : x > y;
}

/* Stores the parsed batch, adding unknown_station rejections; replies with
 * every rejection in input order. */
static enum sm_err
store_batch(struct app *app, const struct ops_actor *who, struct readings_batch *b,
            const char *source, json_t **reply)
{
    int64_t now = clock_now(&app->clock);
    struct reading_reject *rej = xcalloc(b->reject_count + b->count + 1, sizeof(*rej));
    size_t nrej = b->reject_count, accepted = 0, official = 0;
    struct kind_cache kc = { 0 };
    bool changed = false;
    char detail[160];
    enum sm_err err;

    memcpy(rej, b->rejects, b->reject_count * sizeof(*rej));
    err = store_begin(app->store);
    for (size_t i = 0; !err && i < b->count; i++) {
        const struct reading *r = &b->readings[i];
        bool known = false, is_official = false;
        err = station_known(app, &kc, r->station, &known, &is_official);
        if (err)
            break;
        if (!known) {
            struct reading_reject *x = &rej[nrej++];
            x->index = r->index;
            snprintf(x->code, sizeof(x->code), "unknown_station");
            snprintf(x->message, sizeof(x->message),
                     "readings[%zu].station: '%.64s' is not a registered station "
                     "(PUT /v1/stations/{id} first)",
                     r->index, r->station);
            continue;
        }
        err = store_reading_upsert(app->store, r->station, aqi_pollutant_name(r->pollutant),
                                   r->at_ms, r->value, source, who->actor, now);
        accepted++;
        official += is_official;
    }
    snprintf(detail, sizeof(detail), "{\"source\":\"%s\",\"accepted\":%zu,\"rejected\":%zu}",
             source, accepted, nrej);
    if (!err)
        err = ops_audit(app, now, who->actor, who->role, "readings.post", "readings", "ok", detail);
    /* low-cost sensors never count, so only official data wakes the trigger */
    if (!err && official)
        err = ops_local_trigger(app, now, true, &changed);
    if (!err)
        err = store_commit(app->store);
    if (err) {
        store_rollback(app->store);
    } else {
        json_t *arr = json_array();
        qsort(rej, nrej, sizeof(*rej), cmp_reject);
        for (size_t i = 0; i < nrej; i++)
            json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "index", (json_int_t)rej[i].index,
                                                 "code", rej[i].code, "message", rej[i].message));
        *reply = json_pack("{s:I,s:o}", "accepted", (json_int_t)accepted, "rejected", arr);
        if (changed)
            app_schedule(app);
    }
    kind_cache_release(&kc);
    free(rej);
    return err;
}

enum sm_err
ops_readings_post(struct app *app, const struct ops_actor *who, const char *body, size_t len,
                  json_t **reply, struct sm_diag *diag)
{
    struct readings_batch b;
    enum sm_err err;

    *reply = NULL;
    err = readings_parse_json(&b, body, len, clock_now(&app->clock), diag);
    if (!err)
        err = store_batch(app, who, &b, "json", reply);
    readings_batch_release(&b);
    return err;
}

enum sm_err
ops_readings_sensor_community(struct app *app, const struct ops_actor *who, const char *station,
                              const char *body, size_t len, json_t **reply,
                              struct sm_diag *diag)
{
    struct readings_batch b;
    char kind[16];
    enum sm_err err;

    *reply = NULL;
    if (!station || !station[0]) {
        sm_diag_set(diag, "missing_sensor", "send the sensor's station id in the X-Sensor header");
        return SM_ERR_INVAL;
    }
    err = store_station_kind(app->store, station, kind, sizeof(kind));
    if (err == SM_ERR_NOTFOUND) {
        sm_diag_set(diag, "unknown_station",
                    "X-Sensor '%.64s' is not a registered station (PUT /v1/stations/{id} with "
                    "kind lowcost first)",
                    station);
        return SM_ERR_INVAL;
    }
    if (err)
        return err;
    if (strcmp(kind, "lowcost") != 0) {
        sm_diag_set(diag, "not_lowcost",
                    "station '%.64s' is %s; Sensor.Community pushes come from lowcost stations",
                    station, kind);
        return SM_ERR_INVAL;
    }
    err = readings_parse_sensor_community(&b, body, len, station, clock_now(&app->clock), diag);
    if (!err)
        err = store_batch(app, who, &b, "sensor_community", reply);
    readings_batch_release(&b);
    return err;
}
