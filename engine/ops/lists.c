/* Importing a yearly list: one streaming pass inside one transaction, so a
 * rejected list changes nothing and a 100,000-line list needs little memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/timeutil.h"
#include "list/grade.h"
#include "list/measure.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_lists.h"

struct import_ctx {
    struct app *app;
    int64_t list_id;
    long lines;
    list_progress_fn *progress;
    void *progress_arg;
};

static enum sm_err
add_row(void *arg, const struct list_row *r)
{
    struct import_ctx *c = arg;
    char texts[3][256];
    json_t *notes = json_object();
    char *notes_text;
    enum sm_err err;

    for (size_t i = 0; i < r->note_count; i++)
        json_object_set_new(notes, r->notes[i].key, json_string(r->notes[i].value));
    notes_text = json_dumps(notes, JSON_COMPACT);
    json_decref(notes);
    struct list_line_view l = {
        r->uscc, r->name, r->town, r->industry, grade_name(r->grade), r->line,
        r->so2, r->nox, r->pm, r->vocs, r->power_kw,
        { r->measures[0].action, r->measures[1].action, r->measures[2].action },
        { r->measures[0].limit_pct, r->measures[1].limit_pct, r->measures[2].limit_pct },
        { measure_format(&r->measures[0], texts[0], sizeof(texts[0])),
          measure_format(&r->measures[1], texts[1], sizeof(texts[1])),
          measure_format(&r->measures[2], texts[2], sizeof(texts[2])) },
    };
    err = store_list_add_line(c->app->store, c->list_id, &l, notes_text, r->source_line);
    free(notes_text);
    if (!err && ++c->lines % 10000 == 0 && c->progress)
        c->progress(c->progress_arg, c->lines);
    return err;
}

void
ops_list_result_release(struct list_import_result *res)
{
    list_report_release(&res->report);
    list_diags_release(&res->diags);
}

/* rules/ratios.json gives each pollutant its own share at each level: the
 * list check must compare each pollutant with its own, not with SO2's. */
static void
required_shares_from_rules(struct list_required_shares *out, const struct ratio_rules *r)
{
    static const enum ruleset_pollutant map[LIST_POLLUTANT_COUNT] = {
        [LIST_SO2] = RULESET_POLLUTANT_SO2,
        [LIST_NOX] = RULESET_POLLUTANT_NOX,
        [LIST_PM] = RULESET_POLLUTANT_PM,
        [LIST_VOCS] = RULESET_POLLUTANT_VOCS,
    };

    for (int l = 1; l <= 3; l++) {
        for (int p = 0; p < LIST_POLLUTANT_COUNT; p++)
            out->pct[l - 1][p] = r->required_pct[l][map[p]];
    }
}

enum sm_err
ops_import_list(struct app *app, const struct ops_actor *who, const struct list_import_req *rq,
                struct list_import_result *res)
{
    int64_t now = clock_now(&app->clock);
    struct list_import_opts o;
    struct import_ctx c = { app, 0, 0, rq->progress, rq->progress_arg };
    char sha[65] = "";
    char object[48];
    enum sm_err err;
    int year = rq->year;

    memset(res, 0, sizeof(*res));
    list_import_opts_init(&o);
    o.county = app->cfg.county_code;
    o.year = rq->year;
    o.format = rq->format;
    required_shares_from_rules(&o.required, &app->rules->ratios);
    o.measures = &app->rules->measures;
    if (rq->data)
        sm_sha256_hex(rq->data, rq->len, sha);
    if (!year) {
        int y;
        unsigned m, d;
        sm_civil_from_days((now + (int64_t)app->cfg.tz_min * 60000) / 86400000, &y, &m, &d);
        year = y;
    }
    err = store_begin(app->store);
    if (err)
        return err;
    err = store_list_create(app->store, year, rq->name, sha, who->actor, now, &c.list_id,
                            &res->version);
    if (err)
        goto fail;
    if (rq->data)
        err = list_import_memory(rq->data, rq->len, rq->name, &o, add_row, &c, &res->report,
                                 &res->diags);
    else
        err = list_import_file(rq->path, &o, add_row, &c, &res->report, &res->diags);
    if (err)
        goto fail;
    if (res->report.year && !rq->year && res->report.year != year) {
        /* the file names its own year (XML): version it under that year */
        store_rollback(app->store);
        struct list_import_req again = *rq;
        again.year = res->report.year;
        ops_list_result_release(res);
        return ops_import_list(app, who, &again, res);
    }
    json_t *rep = list_report_to_json(&res->report);
    json_object_set_new(rep, "warnings", json_integer((json_int_t)res->diags.warning_total));
    char *rep_text = json_dumps(rep, JSON_COMPACT);
    json_decref(rep);
    err = store_list_finish(app->store, c.list_id, c.lines, list_report_enterprises(&res->report),
                            rep_text);
    free(rep_text);
    if (!err && rq->activate)
        err = store_list_activate(app->store, c.list_id, now);
    snprintf(object, sizeof(object), "list:%lld", (long long)c.list_id);
    if (!err) {
        char detail[160];
        snprintf(detail, sizeof(detail), "{\"year\":%d,\"version\":%d,\"lines\":%ld,\"active\":%s}",
                 year, res->version, c.lines, rq->activate ? "true" : "false");
        err = ops_audit(app, now, who->actor, who->role, "list.import", object, "ok", detail);
    }
    if (!err)
        err = store_commit(app->store);
    if (err)
        goto fail;
    res->list_id = c.list_id;
    res->year = year;
    res->lines = c.lines;
    res->activated = rq->activate;
    return SM_OK;
fail:
    store_rollback(app->store);
    return err;
}

enum sm_err
ops_activate_list(struct app *app, const struct ops_actor *who, int64_t list_id)
{
    int64_t now = clock_now(&app->clock);
    char object[48];
    enum sm_err err = store_begin(app->store);

    if (err)
        return err;
    err = store_list_activate(app->store, list_id, now);
    snprintf(object, sizeof(object), "list:%lld", (long long)list_id);
    /* an episode in progress keeps its orders; the new list is used from the
     * next level change on */
    if (!err)
        err = ops_audit(app, now, who->actor, who->role, "list.activate", object, "ok", "");
    if (!err)
        err = store_commit(app->store);
    if (err)
        store_rollback(app->store);
    return err;
}
