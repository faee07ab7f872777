/* Applying a municipal warning: duplicates, lifecycle (alert, update,
 * cancel), scope, pollutant, timing, then the decision it causes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "ingest/warning.h"
#include "levels/levels.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "store/store.h"
#include "store/store_levels.h"

/* Scope of a warning against this county: county-wide when it names the
 * county or an ancestor (or no area at all); else the county's towns it
 * names; else not applicable. towns receives the town codes. */
static bool
warning_scope(const struct config *cfg, const struct warning_msg *m, struct buf *towns)
{
    bool county_wide = !m->has_area;
    size_t clen = strlen(cfg->county_code);

    for (size_t i = 0; i < m->area_count; i++) {
        const char *code = m->areas[i].code;
        size_t n = strlen(code);
        if (strcmp(code, cfg->county_code) == 0 ||
            (n == 6 && levels_towns_contain(cfg->parent_codes, code)))
            county_wide = true;
        else if (n >= 9 && strncmp(code, cfg->county_code, clen) == 0) {
            char town[10];
            memcpy(town, code, 9);
            town[9] = '\0';
            if (!levels_towns_contain(towns->data ? towns->data : "", town) &&
                !buf_printf(towns, "%s%s", towns->len ? " " : "", town))
                return false;
        }
    }
    if (county_wide)
        buf_reset(towns);
    return county_wide || towns->len > 0;
}

static void
areas_text(const struct warning_msg *m, struct buf *b)
{
    for (size_t i = 0; i < m->area_count; i++)
        if (!buf_printf(b, "%s%s", i ? " " : "", m->areas[i].code))
            break;
}

static void
refs_text(const struct warning_msg *m, struct buf *b)
{
    char t[32];

    for (size_t i = 0; i < m->ref_count; i++)
        if (!buf_printf(b, "%s%s,%s,%s", i ? " " : "", m->refs[i].sender, m->refs[i].identifier,
                        m->refs[i].sent_ms ? sm_time_format(m->refs[i].sent_ms, 480, t) : ""))
            break;
}

static char *
forecast_text(const struct warning_msg *m)
{
    struct buf b;

    buf_init(&b, 0);
    if (m->forecast_count == 0)
        return buf_detach(&b);
    if (!buf_addstr(&b, "["))
        return buf_detach(&b);
    for (size_t i = 0; i < m->forecast_count; i++)
        if (!buf_printf(&b, "%s%d", i ? "," : "", m->forecast_aqi[i]))
            break;
    if (!buf_addstr(&b, "]"))
        buf_reset(&b);
    return buf_detach(&b);
}

/* Ends each referenced warning that is still in force; returns how many.
 * With defer (an update whose onset is ahead) they stay in force until that
 * onset and are only marked as replaced by new_id. */
static enum sm_err
end_references(struct app *app, const struct warning_msg *m, const char *state,
               int64_t now_ms, int64_t new_id, bool defer, int *found)
{
    enum sm_err err = SM_OK;

    *found = 0;
    for (size_t i = 0; !err && i < m->ref_count; i++) {
        int64_t id = 0;
        int drill = 0;
        err = store_warning_find_ref(app->store, m->refs[i].sender, m->refs[i].identifier, &id,
                                     &drill);
        if (!err && id) {
            (*found)++;
            err = defer ? store_warning_mark_replaced(app->store, id, new_id)
                        : store_warning_end(app->store, id, state, now_ms, new_id);
        }
    }
    return err;
}

enum sm_err
ops_apply_warning(struct app *app, const struct ops_actor *who, const char *content_type,
                  const char *body, size_t len, json_t **reply, struct sm_diag *diag)
{
    struct warning_msg *m = NULL;
    struct buf towns, areas, refs;
    int64_t now = clock_now(&app->clock);
    int64_t id = 0, existing = 0;
    const char *reason = "applied", *state = "recorded";
    bool applied = false;
    int drill, found = 0;
    char *forecast = NULL;
    struct decision_result res = { 0 };
    enum sm_err err;

    *reply = NULL;
    err = warning_parse(content_type, body, len, &m, diag);
    if (err)
        return err;
    buf_init(&towns, 0);
    buf_init(&areas, 0);
    buf_init(&refs, 0);
    drill = m->status == WARNING_STATUS_EXERCISE;
    err = store_begin(app->store);
    if (err)
        goto out_free;
    err = store_warning_find(app->store, m->sender, m->identifier, &existing);
    if (err)
        goto out_rollback;
    if (existing) {
        enum level eff, mu, lo, ma;
        char object[48];
        snprintf(object, sizeof(object), "warning:%lld", (long long)existing);
        err = ops_audit(app, now, who->actor, who->role, "warning.receive", object, "duplicate", "");
        if (!err)
            err = ops_levels(app, drill, &eff, &mu, &lo, &ma);
        if (!err)
            err = store_commit(app->store);
        if (err)
            goto out_rollback;
        *reply = json_pack("{s:I,s:b,s:s,s:b,s:s}", "warning_id", (json_int_t)existing,
                           "applied", 0, "reason", "duplicate", "duplicate", 1, "level",
                           level_name(eff));
        goto out_free;
    }

    int64_t start = m->onset_ms ? m->onset_ms : m->effective_ms ? m->effective_ms : m->sent_ms;
    bool in_scope = warning_scope(&app->cfg, m, &towns);
    areas_text(m, &areas);
    refs_text(m, &refs);
    forecast = forecast_text(m);

    if (m->msg_type == WARNING_MSG_ACK || m->msg_type == WARNING_MSG_ERROR) {
        reason = "ignored_msg_type";
    } else if (m->status != WARNING_STATUS_ACTUAL && m->status != WARNING_STATUS_EXERCISE) {
        reason = "not_actual";
    } else if (m->msg_type == WARNING_MSG_CANCEL) {
        reason = "cancelled"; /* refined below once references are resolved */
    } else if (!in_scope) {
        reason = "not_applicable";
    } else if (m->expires_ms && m->expires_ms <= now) {
        reason = "expired";
    } else if (m->primary_pollutant[0] && strcmp(m->primary_pollutant, "pm25") != 0) {
        reason = "no_curtailment_for_pollutant";
    } else if (m->level == LEVEL_NONE) {
        reason = "level_none";
    } else {
        applied = true;
        state = start > now ? "scheduled" : "active";
        reason = start > now ? "scheduled" : "applied";
    }

    struct warning_rec w = {
        .sender = m->sender, .identifier = m->identifier,
        .msg_type = warning_msg_type_name(m->msg_type), .status = warning_status_name(m->status),
        .sent_ms = m->sent_ms, .drill = drill, .level = m->level,
        .pollutant = m->primary_pollutant, .start_ms = start, .expires_ms = m->expires_ms,
        .areas = areas.data ? areas.data : "", .towns = towns.data ? towns.data : "",
        .headline = m->headline, .description = m->description, .forecast = forecast,
        .format = m->format, .original = body, .original_len = len, .sha256 = m->sha256,
        .applied = applied, .reason = reason, .state = state,
        .references = refs.data ? refs.data : "", .received_ms = now, .received_by = who->actor,
    };
    err = store_warning_insert(app->store, &w, &id);
    if (err)
        goto out_rollback;

    /* An update replaces what it references whether or not the new text
     * curtails; a cancel ends them. Only actual/exercise messages act. */
    if ((m->msg_type == WARNING_MSG_UPDATE || m->msg_type == WARNING_MSG_CANCEL) &&
        (m->status == WARNING_STATUS_ACTUAL || m->status == WARNING_STATUS_EXERCISE)) {
        /* an update coming into force later leaves the old level in force
         * until then: the county must not drop to none in between */
        bool defer = m->msg_type == WARNING_MSG_UPDATE && strcmp(state, "scheduled") == 0;
        err = end_references(app, m, m->msg_type == WARNING_MSG_CANCEL ? "cancelled" : "replaced",
                             now, id, defer, &found);
        if (err)
            goto out_rollback;
        if (m->msg_type == WARNING_MSG_CANCEL) {
            applied = found > 0;
            reason = found > 0 ? "cancelled" : "unknown_reference";
        }
    }

    char object[48];
    snprintf(object, sizeof(object), "warning:%lld", (long long)id);
    struct decision_cause cause = { "municipal", who->actor, who->role,
                                    m->headline[0] ? m->headline : m->identifier, id };
    err = ops_reconcile(app, drill, now, &cause, &res);
    if (!err)
        err = ops_audit(app, now, who->actor, who->role, "warning.receive", object, reason, m->sha256);
    if (!err)
        err = store_commit(app->store);
    if (err)
        goto out_rollback;
    *reply = json_pack("{s:I,s:b,s:s,s:b,s:s,s:b,s:s}", "warning_id", (json_int_t)id, "applied",
                       applied, "reason", reason, "duplicate", 0, "level", level_name(res.to),
                       "drill", drill, "state", m->msg_type == WARNING_MSG_CANCEL ? "cancelled" : state);
    if (res.episode_id)
        json_object_set_new(*reply, "episode_id", json_integer(res.episode_id));
    app_schedule(app);
    goto out_free;

out_rollback:
    store_rollback(app->store);
out_free:
    free(forecast);
    buf_release(&towns);
    buf_release(&areas);
    buf_release(&refs);
    warning_msg_free(m);
    return err;
}
