/* SQL for reports to the city: the figures' rows and the stored reports. */
#include "store/store_cityreport.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store_cols.h"
#include "store/store_int.h"

/* ---- the figures' input ---- */

static const char SQL_EPISODE[] =
    "SELECT id, drill, opened_ms, closed_ms, max_level FROM episodes WHERE id = ?";

static const char SQL_DECISIONS[] =
    "SELECT at_ms, from_level, to_level, source, reason FROM decisions "
    "WHERE episode_id = ? AND at_ms <= ? ORDER BY at_ms, id";

/* the industry comes from the caller's look-up, or else (first_industry)
 * from the enterprise's first line: min(id) over the few lines of
 * (list_id, uscc) in the unique index, where ORDER BY id LIMIT 1 opened a
 * sorter per order */
static const char SQL_ORDERS[] =
    "SELECT o.enterprise, o.town, o.list_id, o.level, o.version, o.status, o.issued_ms, "
    "o.ack_deadline_ms, coalesce(o.acknowledged_ms, 0), coalesce(o.ended_ms, 0), o.compliance "
    "FROM orders o WHERE " STORE_EPISODE_ORDERS("o", "?1") " AND o.issued_ms <= ?2 ORDER BY o.id";
static const char SQL_FIRST_INDUSTRY[] =
    "SELECT coalesce((SELECT l.industry FROM list_lines l WHERE l.id = (SELECT min(f.id) FROM "
    "list_lines f WHERE f.list_id = ?1 AND f.uscc = ?2)), '')";

/* an EXISTS per inspection in the span (a seek in orders' unique index):
 * IN (SELECT enterprise ...) built a table of every enterprise of the
 * episode first, 0.1 s at 187k orders */
static const char SQL_INSPECTIONS[] =
    "SELECT uscc, line, result, at_ms FROM inspections WHERE at_ms >= ?2 AND at_ms <= ?3 "
    "AND EXISTS (SELECT 1 FROM orders o WHERE o.episode_id = ?1 AND o.enterprise = "
    "inspections.uscc) ORDER BY at_ms, id";

/* the latest violating judgement of each enterprise's line */
static const char SQL_VIOLATIONS[] =
    "SELECT j.order_id, o.enterprise, o.enterprise_name, o.town, j.line, j.judged_ms, "
    "j.evidence FROM compliance_judgements j JOIN orders o ON o.id = j.order_id "
    "WHERE o.episode_id = ?1 AND j.state = 'violation' AND o.issued_ms <= ?2 AND "
    "j.order_id = (SELECT max(j2.order_id) FROM compliance_judgements j2 JOIN orders o2 ON "
    "o2.id = j2.order_id WHERE o2.episode_id = ?1 AND o2.enterprise = o.enterprise AND "
    "j2.line = j.line AND j2.state = 'violation') ORDER BY o.enterprise, j.line";

enum sm_err
store_cityreport_episode(struct store *s, int64_t id, int *drill, int64_t *opened_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EPISODE);
    int rc;

    *drill = 0;
    *opened_ms = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *drill = sqlite3_column_int(st, 1);
        *opened_ms = sqlite3_column_int64(st, 2);
    }
    return store_one_end(s, st, rc);
}

static enum sm_err
episode_input(struct store *s, int64_t id, json_t *in, int64_t *opened)
{
    sqlite3_stmt *st = store_stmt(s, SQL_EPISODE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *opened = sqlite3_column_int64(st, 2);
        json_object_set_new(in, "episode",
                            json_pack("{s:I,s:b,s:I,s:o,s:s}", "id",
                                      (json_int_t)sqlite3_column_int64(st, 0), "drill",
                                      sqlite3_column_int(st, 1), "opened_ms", (json_int_t)*opened,
                                      "closed_ms", store_col_int_json(st, 3), "max_level",
                                      store_col_text(st, 4)));
    }
    return store_one_end(s, st, rc);
}

static enum sm_err
rows_input(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c, int nbind,
           json_t *arr, json_t *(*row)(sqlite3_stmt *st))
{
    sqlite3_stmt *st = store_stmt(s, sql);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (nbind > 2)
        sqlite3_bind_int64(st, 3, c);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(arr, row(st));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static json_t *
decision_row(sqlite3_stmt *st)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s}", "at_ms", (json_int_t)sqlite3_column_int64(st, 0),
                     "from", store_col_text(st, 1), "to", store_col_text(st, 2), "source",
                     store_col_text(st, 3), "reason", store_col_text(st, 4));
}

static json_t *
inspection_row(sqlite3_stmt *st)
{
    return json_pack("{s:s,s:s,s:s,s:I}", "uscc", store_col_text(st, 0), "line",
                     store_col_text(st, 1), "result", store_col_text(st, 2), "at_ms",
                     (json_int_t)sqlite3_column_int64(st, 3));
}

static json_t *
violation_row(sqlite3_stmt *st)
{
    json_t *ev = json_loads(store_col_text(st, 6), 0, NULL);

    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:o}", "order_id",
                     (json_int_t)sqlite3_column_int64(st, 0), "enterprise", store_col_text(st, 1),
                     "enterprise_name", store_col_text(st, 2), "town", store_col_text(st, 3),
                     "line", store_col_text(st, 4), "judged_ms",
                     (json_int_t)sqlite3_column_int64(st, 5), "evidence",
                     ev ? ev : json_object());
}

enum sm_err
store_cityreport_input(struct store *s, int64_t episode_id, int64_t cutoff_ms, json_t *in)
{
    json_t *timeline = json_array(), *insp = json_array();
    json_t *viol = json_array();
    int64_t opened = 0;
    enum sm_err err;

    err = episode_input(s, episode_id, in, &opened);
    if (!err)
        err = rows_input(s, SQL_DECISIONS, episode_id, cutoff_ms, 0, 2, timeline, decision_row);
    if (!err)
        err = rows_input(s, SQL_INSPECTIONS, episode_id, opened, cutoff_ms, 3, insp,
                         inspection_row);
    if (!err)
        err = rows_input(s, SQL_VIOLATIONS, episode_id, cutoff_ms, 0, 2, viol, violation_row);
    json_object_set_new(in, "timeline", timeline);
    json_object_set_new(in, "inspections", insp);
    json_object_set_new(in, "violations", viol);
    return err;
}

/* The orders' strings live in blocks that never move, so the structs can
 * point into them while more rows arrive. */
struct store_text_block {
    struct store_text_block *next;
    size_t used, cap;
    char text[];
};

#define TEXT_BLOCK_MIN 65536

static const char *
keep_text(struct store_cityreport_orders *out, const char *s)
{
    size_t len = strlen(s) + 1;
    struct store_text_block *b = out->text;

    if (!b || b->cap - b->used < len) {
        size_t cap = len > TEXT_BLOCK_MIN ? len : TEXT_BLOCK_MIN;
        b = xmalloc(sizeof(*b) + cap);
        b->next = out->text;
        b->used = 0;
        b->cap = cap;
        out->text = b;
    }
    memcpy(b->text + b->used, s, len);
    b->used += len;
    return b->text + b->used - len;
}

/* The last string kept when it equals s (towns, levels, statuses and
 * states repeat), else s kept anew. */
static const char *
keep_repeated(struct store_cityreport_orders *out, const char *prev, const char *s)
{
    return prev && strcmp(prev, s) == 0 ? prev : keep_text(out, s);
}

/* Sets *industry (borrowed until the next call) to the industry of the
 * first line of (list_id, uscc), "" when the list has none. */
static enum sm_err
first_industry(struct store *s, int64_t list_id, const char *uscc, const char **industry)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FIRST_INDUSTRY);
    int rc;

    *industry = "";
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    store_bind_text(st, 2, uscc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *industry = store_col_text(st, 0);
    /* the text stays valid until the statement is reset: the caller keeps
     * it first (reset_first_industry) */
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}

static void
reset_first_industry(struct store *s)
{
    sqlite3_stmt *st = store_stmt(s, SQL_FIRST_INDUSTRY);

    if (st)
        sqlite3_reset(st);
}

enum sm_err
store_cityreport_orders(struct store *s, int64_t episode_id, int64_t cutoff_ms,
                        store_industry_fn *known, void *arg, struct store_cityreport_orders *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ORDERS);
    struct cityreport_order *prev = NULL;
    enum sm_err err = SM_OK;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    sqlite3_bind_int64(st, 2, cutoff_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cityreport_order *o;

        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 256;
            out->o = xrealloc(out->o, out->cap * sizeof(*out->o));
            prev = out->n ? &out->o[out->n - 1] : NULL;
        }
        o = &out->o[out->n++];
        o->enterprise = keep_text(out, store_col_text(st, 0));
        o->town = keep_repeated(out, prev ? prev->town : NULL, store_col_text(st, 1));
        o->industry = known ? known(arg, sqlite3_column_int64(st, 2), o->enterprise) : NULL;
        if (o->industry) {
            o->industry = keep_repeated(out, prev ? prev->industry : NULL, o->industry);
        } else {
            const char *ind = "";
            err = first_industry(s, sqlite3_column_int64(st, 2), o->enterprise, &ind);
            o->industry = keep_repeated(out, prev ? prev->industry : NULL, ind);
            reset_first_industry(s);
            if (err)
                break;
        }
        o->level = keep_repeated(out, prev ? prev->level : NULL, store_col_text(st, 3));
        o->version = sqlite3_column_int64(st, 4);
        o->status = keep_repeated(out, prev ? prev->status : NULL, store_col_text(st, 5));
        o->issued_ms = sqlite3_column_int64(st, 6);
        o->ack_deadline_ms = sqlite3_column_int64(st, 7);
        o->acknowledged_ms = sqlite3_column_int64(st, 8);
        o->ended_ms = sqlite3_column_int64(st, 9);
        o->compliance = keep_repeated(out, prev ? prev->compliance : NULL, store_col_text(st, 10));
        prev = o;
    }
    sqlite3_reset(st);
    if (!err && rc == SQLITE_DONE)
        return SM_OK;
    store_cityreport_orders_release(out);
    return err ? err : store_err(s, rc);
}

void
store_cityreport_orders_release(struct store_cityreport_orders *o)
{
    while (o->text) {
        struct store_text_block *next = o->text->next;
        free(o->text);
        o->text = next;
    }
    free(o->o);
    memset(o, 0, sizeof(*o));
}

/* ---- stored reports ---- */

void
cityreport_rec_release(struct cityreport_rec *r)
{
    free(r->remarks);
    free(r->lessons);
    free(r->actions);
    free(r->json);
    free(r->sha256);
    r->remarks = r->lessons = r->actions = r->json = r->sha256 = NULL;
}

static const char SQL_INSERT[] =
    "INSERT INTO city_reports (episode_id, kind, number, drill, cutoff_ms, generated_ms, "
    "remarks, lessons, actions, json, sha256, from_ms, state) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'draft')";

enum sm_err
store_cityreport_insert(struct store *s, const struct cityreport_rec *r, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_INSERT);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, r->episode_id);
    store_bind_text(st, 2, r->kind);
    sqlite3_bind_int(st, 3, r->number);
    sqlite3_bind_int(st, 4, r->drill);
    sqlite3_bind_int64(st, 5, r->cutoff_ms);
    sqlite3_bind_int64(st, 6, r->generated_ms);
    store_bind_text(st, 7, r->remarks ? r->remarks : "");
    store_bind_text(st, 8, r->lessons ? r->lessons : "");
    store_bind_text(st, 9, r->actions ? r->actions : "[]");
    store_bind_text(st, 10, r->json);
    store_bind_text(st, 11, r->sha256);
    sqlite3_bind_int64(st, 12, r->from_ms);
    return store_insert(s, st, id);
}

#define REPORT_COLUMNS                                                                         \
    "id, episode_id, kind, number, drill, cutoff_ms, generated_ms, remarks, lessons, actions, " \
    "json, sha256, state, sent_ms, sends, from_ms"

static void
read_rec(sqlite3_stmt *st, struct cityreport_rec *r, int with_text)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    r->episode_id = sqlite3_column_int64(st, 1);
    snprintf(r->kind, sizeof(r->kind), "%s", store_col_text(st, 2));
    r->number = sqlite3_column_int(st, 3);
    r->drill = sqlite3_column_int(st, 4);
    r->cutoff_ms = sqlite3_column_int64(st, 5);
    r->generated_ms = sqlite3_column_int64(st, 6);
    snprintf(r->state, sizeof(r->state), "%s", store_col_text(st, 12));
    r->sent_ms = sqlite3_column_int64(st, 13);
    r->sends = sqlite3_column_int(st, 14);
    r->from_ms = sqlite3_column_int64(st, 15);
    r->sha256 = xstrdup(store_col_text(st, 11));
    if (with_text) {
        r->remarks = xstrdup(store_col_text(st, 7));
        r->lessons = xstrdup(store_col_text(st, 8));
        r->actions = xstrdup(store_col_text(st, 9));
        r->json = xstrdup(store_col_text(st, 10));
    }
}

static const char SQL_GET[] = "SELECT " REPORT_COLUMNS " FROM city_reports WHERE id = ?";

enum sm_err
store_cityreport_get(struct store *s, int64_t id, struct cityreport_rec *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_rec(st, out, 1);
    return store_one_end(s, st, rc);
}

static const char SQL_UPDATE[] =
    "UPDATE city_reports SET json = ?2, sha256 = ?3, generated_ms = ?4, remarks = ?5, "
    "lessons = ?6, actions = ?7 WHERE id = ?1";

enum sm_err
store_cityreport_update(struct store *s, const struct cityreport_rec *r)
{
    sqlite3_stmt *st = store_stmt(s, SQL_UPDATE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, r->id);
    store_bind_text(st, 2, r->json);
    store_bind_text(st, 3, r->sha256);
    sqlite3_bind_int64(st, 4, r->generated_ms);
    store_bind_text(st, 5, r->remarks ? r->remarks : "");
    store_bind_text(st, 6, r->lessons ? r->lessons : "");
    store_bind_text(st, 7, r->actions ? r->actions : "[]");
    return store_exec_stmt(s, st);
}

static const char SQL_SENT[] =
    "UPDATE city_reports SET state = 'sent', sent_ms = ?2, sends = ?3 WHERE id = ?1";

enum sm_err
store_cityreport_mark_sent(struct store *s, int64_t id, int64_t sent_ms, int sends)
{
    sqlite3_stmt *st = store_stmt(s, SQL_SENT);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, sent_ms);
    sqlite3_bind_int(st, 3, sends);
    return store_exec_stmt(s, st);
}

static const char SQL_LAST[] =
    "SELECT number, cutoff_ms FROM city_reports WHERE episode_id = ? AND kind = ? "
    "ORDER BY number DESC LIMIT 1";

enum sm_err
store_cityreport_last(struct store *s, int64_t episode_id, const char *kind, int *number,
                      int64_t *cutoff_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LAST);
    int rc;

    *number = 0;
    *cutoff_ms = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, episode_id);
    store_bind_text(st, 2, kind);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *number = sqlite3_column_int(st, 0);
        *cutoff_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_OPEN[] =
    "SELECT id, drill, opened_ms FROM episodes WHERE closed_ms IS NULL ORDER BY id";

enum sm_err
store_cityreport_open_episodes(struct store *s, store_cityreport_episode_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OPEN);
    int rc;

    if (!st)
        return SM_ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
           sqlite3_column_int64(st, 2));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_DUE[] =
    "SELECT id FROM city_reports WHERE state = 'draft' AND kind = 'daily' AND cutoff_ms <= ? "
    "ORDER BY cutoff_ms, id";

enum sm_err
store_cityreport_drafts_due(struct store *s, int64_t now_ms, store_cityreport_id_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DUE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

json_t *
store_cityreport_meta_json(const struct cityreport_rec *r, int tz)
{
    char t1[32], t2[32], t3[32];

    return json_pack("{s:I,s:I,s:s,s:i,s:b,s:s,s:s,s:s,s:o,s:i,s:s}", "id", (json_int_t)r->id,
                     "episode_id", (json_int_t)r->episode_id, "kind", r->kind, "number",
                     r->number, "drill", r->drill, "cutoff", sm_time_format(r->cutoff_ms, tz, t1),
                     "generated_at", sm_time_format(r->generated_ms, tz, t2), "state", r->state,
                     "sent_at",
                     r->sent_ms ? json_string(sm_time_format(r->sent_ms, tz, t3)) : json_null(),
                     "sends", r->sends, "sha256", r->sha256 ? r->sha256 : "");
}

static const char SQL_LIST[] =
    "SELECT " REPORT_COLUMNS " FROM city_reports WHERE (?1 = 0 OR episode_id = ?1) AND "
    "(?2 IS NULL OR kind = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4";
static const char SQL_COUNT[] =
    "SELECT count(*) FROM city_reports WHERE (?1 = 0 OR episode_id = ?1) AND "
    "(?2 IS NULL OR kind = ?2)";

enum sm_err
store_cityreport_list_json(struct store *s, int64_t episode_id, const char *kind, int limit,
                           int offset, int tz, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_LIST);
    json_t *arr;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    arr = json_array();
    sqlite3_bind_int64(st, 1, episode_id);
    store_bind_text(st, 2, kind);
    sqlite3_bind_int(st, 3, limit);
    sqlite3_bind_int(st, 4, offset);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cityreport_rec r;
        read_rec(st, &r, 0);
        json_array_append_new(arr, store_cityreport_meta_json(&r, tz));
        cityreport_rec_release(&r);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    st = store_stmt(s, SQL_COUNT);
    if (!st) {
        json_decref(arr);
        return SM_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, episode_id);
    store_bind_text(st, 2, kind);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_pack("{s:o,s:I}", "reports", arr, "total",
                         (json_int_t)sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return SM_OK;
fail:
    json_decref(arr);
    return store_err(s, rc);
}
