/* SQL for the delivery of the outbox: contacts, deliveries and attempts. */
#include "store/store_dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store_cols.h"
#include "store/store_int.h"
#include "store/store_notices.h"

/* ---- contacts ---- */

void
contact_rec_release(struct contact_rec *c)
{
    free(c->uscc);
    free(c->webhook_url);
    free(c->webhook_secret);
    free(c->emails);
    free(c->phones);
    memset(c, 0, sizeof(*c));
}

static char *
col_dup_or_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : xstrdup(store_col_text(st, i));
}

static const char SQL_CONTACT_GET[] =
    "SELECT uscc, webhook_url, webhook_secret, emails, phones, updated_ms "
    "FROM enterprise_contacts WHERE uscc = ?";

enum sm_err
store_contact_get(struct store *s, const char *uscc, struct contact_rec *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_CONTACT_GET);
    enum sm_err err = SM_ERR_NOTFOUND;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, uscc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->uscc = xstrdup(store_col_text(st, 0));
        out->webhook_url = col_dup_or_null(st, 1);
        out->webhook_secret = col_dup_or_null(st, 2);
        out->emails = xstrdup(store_col_text(st, 3));
        out->phones = xstrdup(store_col_text(st, 4));
        out->updated_ms = sqlite3_column_int64(st, 5);
        err = SM_OK;
    } else if (rc != SQLITE_DONE) {
        err = store_err(s, rc);
    }
    sqlite3_reset(st);
    return err;
}

static const char SQL_CONTACT_PUT[] =
    "INSERT INTO enterprise_contacts (uscc, webhook_url, webhook_secret, emails, phones, "
    "updated_ms) VALUES (?,?,?,?,?,?) ON CONFLICT (uscc) DO UPDATE SET "
    "webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret, "
    "emails = excluded.emails, phones = excluded.phones, updated_ms = excluded.updated_ms";

enum sm_err
store_contact_put(struct store *s, const struct contact_rec *c)
{
    sqlite3_stmt *st = store_stmt(s, SQL_CONTACT_PUT);

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, c->uscc);
    store_bind_text(st, 2, c->webhook_url);
    store_bind_text(st, 3, c->webhook_secret);
    store_bind_text(st, 4, c->emails ? c->emails : "[]");
    store_bind_text(st, 5, c->phones ? c->phones : "[]");
    sqlite3_bind_int64(st, 6, c->updated_ms);
    return store_exec_stmt(s, st);
}

/* ---- the outbox ---- */

#define OUTBOX_COLUMNS                                                                    \
    "o.id, o.event_id, o.kind, coalesce(o.order_id, 0), o.enterprise, o.drill, o.payload, " \
    "o.created_ms, coalesce(o.deadline_ms, 0)"

static void
outbox_row_of(sqlite3_stmt *st, struct outbox_row *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->event_id = store_col_text(st, 1);
    o->kind = store_col_text(st, 2);
    o->order_id = sqlite3_column_int64(st, 3);
    o->enterprise = store_col_text_or_null(st, 4);
    o->drill = sqlite3_column_int(st, 5);
    o->payload = store_col_text(st, 6);
    o->created_ms = sqlite3_column_int64(st, 7);
    o->deadline_ms = sqlite3_column_int64(st, 8);
}

static enum sm_err
outbox_each(struct store *s, sqlite3_stmt *st, store_outbox_row_fn *fn, void *arg)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct outbox_row o;
        outbox_row_of(st, &o);
        fn(arg, &o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_UNEXPANDED[] =
    "SELECT " OUTBOX_COLUMNS " FROM outbox o WHERE o.expanded_ms IS NULL ORDER BY o.id LIMIT ?";

enum sm_err
store_outbox_unexpanded(struct store *s, int limit, store_outbox_row_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_UNEXPANDED);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, limit);
    return outbox_each(s, st, fn, arg);
}

static const char SQL_RANGE[] =
    "SELECT " OUTBOX_COLUMNS " FROM outbox o WHERE o.id BETWEEN ?1 AND ?2 ORDER BY o.id";

enum sm_err
store_outbox_range(struct store *s, int64_t first_id, int64_t last_id, store_outbox_row_fn *fn,
                   void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_RANGE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, first_id);
    sqlite3_bind_int64(st, 2, last_id);
    return outbox_each(s, st, fn, arg);
}

static const char SQL_MARK_EXPANDED[] = "UPDATE outbox SET expanded_ms = ?2 WHERE id = ?1";

enum sm_err
store_outbox_mark_expanded(struct store *s, int64_t id, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_MARK_EXPANDED);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    return store_exec_stmt(s, st);
}

static const char SQL_OUTBOX_ONCE[] =
    "INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms) "
    "VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7) ON CONFLICT (event_id) "
    /* the unique index's own condition (0015): orders' notices are not in it */
    "WHERE kind <> 'order_issued' AND kind <> 'order_superseded' AND kind <> 'order_lifted' "
    "DO NOTHING";

enum sm_err
store_outbox_add_once(struct store *s, const char *event_id, const char *kind, int64_t order_id,
                      const char *enterprise, int drill, const char *payload, int64_t now_ms,
                      bool *created)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OUTBOX_ONCE);
    enum sm_err err;

    *created = false;
    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, event_id);
    store_bind_text(st, 2, kind);
    sqlite3_bind_int64(st, 3, order_id);
    store_bind_text(st, 4, enterprise);
    sqlite3_bind_int(st, 5, drill);
    store_bind_text(st, 6, payload);
    sqlite3_bind_int64(st, 7, now_ms);
    err = store_exec_stmt(s, st);
    if (!err)
        *created = sqlite3_changes(s->db) == 1;
    return err;
}

/* Open notices past their deadline, through the two indexes of the watch
 * (0028) so that only those are read, not every open one: first the ones
 * with a deadline of their own, by it, then the others, by creation. */
#define OUTBOX_OPEN                                                                    \
    "o.deadline_alerted = 0 AND o.expanded_ms IS NOT NULL AND o.enterprise IS NOT NULL " \
    "AND (NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id) "           \
    "  OR EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.status <> 'delivered')) "
static const char SQL_OVERDUE[] =
    "SELECT " OUTBOX_COLUMNS " FROM outbox o INDEXED BY outbox_watch_due "
    "WHERE o.deadline_ms IS NOT NULL AND o.deadline_ms <= ?1 AND " OUTBOX_OPEN
    "UNION ALL "
    "SELECT " OUTBOX_COLUMNS " FROM outbox o INDEXED BY outbox_watch_created "
    "WHERE o.deadline_ms IS NULL AND o.created_ms <= ?1 - ?2 AND " OUTBOX_OPEN
    "LIMIT 256";

enum sm_err
store_outbox_overdue(struct store *s, int64_t now_ms, int64_t default_deadline_ms,
                     store_outbox_row_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_OVERDUE);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, default_deadline_ms);
    return outbox_each(s, st, fn, arg);
}

/* The same notices as SQL_OVERDUE, not yet past their deadline: the
 * earliest deadline of each index's first open notice. */
static const char SQL_NEXT_OVERDUE[] =
    "SELECT min(at) FROM ("
    "SELECT * FROM (SELECT o.deadline_ms AS at FROM outbox o INDEXED BY outbox_watch_due "
    "WHERE o.deadline_ms IS NOT NULL AND " OUTBOX_OPEN "ORDER BY o.deadline_ms LIMIT 1) "
    "UNION ALL "
    "SELECT * FROM (SELECT o.created_ms + ?1 AS at FROM outbox o INDEXED BY outbox_watch_created "
    "WHERE o.deadline_ms IS NULL AND " OUTBOX_OPEN "ORDER BY o.created_ms LIMIT 1))";

enum sm_err
store_outbox_next_overdue(struct store *s, int64_t default_deadline_ms, int64_t *at_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_NEXT_OVERDUE);

    *at_ms = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, default_deadline_ms);
    return store_step_int64(s, st, at_ms);
}

static const char SQL_MARK_ALERTED[] = "UPDATE outbox SET deadline_alerted = 1 WHERE id = ?";

enum sm_err
store_outbox_mark_alerted(struct store *s, int64_t id)
{
    sqlite3_stmt *st = store_stmt(s, SQL_MARK_ALERTED);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    return store_exec_stmt(s, st);
}

/* ---- deliveries ---- */

static const char SQL_DELIVERY_ADD[] =
    "INSERT INTO deliveries (outbox_id, channel, recipient, status, next_attempt_ms, created_ms) "
    "VALUES (?1, ?2, ?3, 'pending', ?4, ?4) ON CONFLICT (outbox_id, channel, recipient) DO NOTHING";

enum sm_err
store_delivery_add(struct store *s, int64_t outbox_id, const char *channel, const char *recipient,
                   int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DELIVERY_ADD);

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, outbox_id);
    store_bind_text(st, 2, channel);
    store_bind_text(st, 3, recipient);
    sqlite3_bind_int64(st, 4, now_ms);
    return store_exec_stmt(s, st);
}

/* deliveries_due holds the pending rows in (next_attempt_ms, id) order:
 * without INDEXED BY the planner reads every pending row through
 * deliveries_status and sorts them, per batch of 64 (quadratic when an
 * issuance leaves thousands pending). */
static const char SQL_DUE[] =
    "SELECT d.id, d.outbox_id, coalesce(o.order_id, 0), d.channel, d.recipient, o.event_id, "
    "o.kind, o.enterprise, o.payload, d.attempts, o.drill, c.webhook_secret "
    "FROM deliveries d INDEXED BY deliveries_due JOIN outbox o ON o.id = d.outbox_id "
    "LEFT JOIN enterprise_contacts c ON d.channel = 'webhook' AND c.uscc = o.enterprise "
    "AND c.webhook_url = d.recipient "
    "WHERE d.status = 'pending' AND d.next_attempt_ms <= ?1 "
    "ORDER BY d.next_attempt_ms, d.id LIMIT ?2";

enum sm_err
store_deliveries_due(struct store *s, int64_t now_ms, int limit, store_delivery_row_fn *fn,
                     void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DUE);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int(st, 2, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct delivery_row d = {
            .id = sqlite3_column_int64(st, 0),
            .outbox_id = sqlite3_column_int64(st, 1),
            .order_id = sqlite3_column_int64(st, 2),
            .channel = store_col_text(st, 3),
            .recipient = store_col_text(st, 4),
            .event_id = store_col_text(st, 5),
            .kind = store_col_text(st, 6),
            .enterprise = store_col_text_or_null(st, 7),
            .payload = store_col_text(st, 8),
            .attempts = sqlite3_column_int(st, 9),
            .drill = sqlite3_column_int(st, 10),
            .webhook_secret =
                store_col_text_or_null(st, 11),
        };
        fn(arg, &d);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

static const char SQL_NEXT_DUE[] =
    "SELECT min(next_attempt_ms) FROM deliveries INDEXED BY deliveries_due "
    "WHERE status = 'pending'";

enum sm_err
store_deliveries_next_due(struct store *s, int64_t *at_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_NEXT_DUE);

    *at_ms = 0;
    if (!st)
        return SM_ERR_DB;
    return store_step_int64(s, st, at_ms);
}

static const char SQL_CLAMP[] =
    "UPDATE deliveries SET next_attempt_ms = ?1 WHERE status = 'pending' AND next_attempt_ms > ?1";

enum sm_err
store_deliveries_clamp(struct store *s, int64_t latest_ms, int64_t *changed)
{
    sqlite3_stmt *st = store_stmt(s, SQL_CLAMP);
    enum sm_err err;

    *changed = 0;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, latest_ms);
    err = store_exec_stmt(s, st);
    if (!err)
        *changed = sqlite3_changes(s->db);
    return err;
}

/* A notice whose every delivery has arrived leaves the deadline watch
 * (deadline_alerted 2: settled), so the watch scans only open notices. */
static const char SQL_SETTLE[] =
    "UPDATE outbox SET deadline_alerted = 2 WHERE id = (SELECT outbox_id FROM deliveries "
    "WHERE id = ?1) AND deadline_alerted = 0 AND NOT EXISTS (SELECT 1 FROM deliveries d "
    "WHERE d.outbox_id = outbox.id AND d.status <> 'delivered')";

static const char SQL_RECORD[] =
    "UPDATE deliveries SET status = ?2, attempts = ?3, next_attempt_ms = ?4, "
    "delivered_ms = nullif(?5, 0), last_error = ?6, last_status = ?7 WHERE id = ?1";
static const char SQL_ATTEMPT[] =
    "INSERT INTO delivery_attempts (delivery_id, started_ms, duration_ms, result, code, "
    "retry_after_ms, detail) VALUES (?,?,?,?,?,?,?)";

enum sm_err
store_delivery_record(struct store *s, int64_t id, const struct delivery_outcome *o)
{
    sqlite3_stmt *st = store_stmt(s, SQL_RECORD);
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, o->status);
    sqlite3_bind_int(st, 3, o->attempts);
    sqlite3_bind_int64(st, 4, o->next_attempt_ms);
    sqlite3_bind_int64(st, 5, o->delivered_ms);
    store_bind_text(st, 6, o->last_error ? o->last_error : "");
    sqlite3_bind_int(st, 7, o->last_status);
    err = store_exec_stmt(s, st);
    if (!err && o->delivered_ms) {
        st = store_stmt(s, SQL_SETTLE);
        if (!st)
            return SM_ERR_DB;
        sqlite3_bind_int64(st, 1, id);
        err = store_exec_stmt(s, st);
    }
    if (err)
        return err;
    st = store_stmt(s, SQL_ATTEMPT);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, o->started_ms);
    sqlite3_bind_int64(st, 3, o->duration_ms);
    store_bind_text(st, 4, o->result);
    sqlite3_bind_int(st, 5, o->last_status);
    sqlite3_bind_int64(st, 6, o->retry_after_ms);
    store_bind_text(st, 7, o->last_error ? o->last_error : "");
    return store_exec_stmt(s, st);
}

static const char SQL_STATUS_OF[] = "SELECT status FROM deliveries WHERE id = ?";
static const char SQL_RETRY[] =
    "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_ms = ?2 "
    "WHERE id = ?1 AND status = 'dead'";

enum sm_err
store_delivery_retry(struct store *s, int64_t id, int64_t now_ms)
{
    sqlite3_stmt *st = store_stmt(s, SQL_STATUS_OF);
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    if ((err = store_step_found(s, st)) != SM_OK)
        return err;
    st = store_stmt(s, SQL_RETRY);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    err = store_exec_stmt(s, st);
    if (!err && sqlite3_changes(s->db) != 1)
        return SM_ERR_CONFLICT;
    return err;
}

/* ---- views ---- */

#define DELIVERY_COLUMNS                                                                   \
    "d.id, o.event_id, o.kind, o.order_id, o.enterprise, d.channel, d.recipient, d.status, " \
    "d.attempts, d.next_attempt_ms, d.last_error, d.last_status, d.delivered_ms, "           \
    "d.created_ms, o.drill"

static json_t *
delivery_row_json(sqlite3_stmt *st, int tz_min)
{
    json_t *o = json_object();
    int pending = strcmp(store_col_text(st, 7), "pending") == 0;

    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "event_id", json_string(store_col_text(st, 1)));
    json_object_set_new(o, "kind", json_string(store_col_text(st, 2)));
    json_object_set_new(o, "order_id", store_col_int_json(st, 3));
    json_object_set_new(o, "enterprise", store_col_text_json(st, 4));
    json_object_set_new(o, "channel", json_string(store_col_text(st, 5)));
    json_object_set_new(o, "recipient", json_string(store_col_text(st, 6)));
    json_object_set_new(o, "status", json_string(store_col_text(st, 7)));
    json_object_set_new(o, "attempts", json_integer(sqlite3_column_int(st, 8)));
    json_object_set_new(o, "next_attempt_at",
                        pending ? store_col_time_json(st, 9, tz_min) : json_null());
    json_object_set_new(o, "last_error", json_string(store_col_text(st, 10)));
    json_object_set_new(o, "last_status", json_integer(sqlite3_column_int(st, 11)));
    json_object_set_new(o, "delivered_at", store_col_time_json(st, 12, tz_min));
    json_object_set_new(o, "created_at", store_col_time_json(st, 13, tz_min));
    json_object_set_new(o, "drill", json_boolean(sqlite3_column_int(st, 14)));
    return o;
}

static const char SQL_ONE[] =
    "SELECT " DELIVERY_COLUMNS " FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
    "WHERE d.id = ?";
static const char SQL_ATTEMPTS[] =
    "SELECT started_ms, duration_ms, result, code, retry_after_ms, detail "
    "FROM delivery_attempts WHERE delivery_id = ? ORDER BY id";

enum sm_err
store_delivery_json(struct store *s, int64_t id, int tz_min, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ONE);
    json_t *o = NULL, *arr;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        o = delivery_row_json(st, tz_min);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return SM_ERR_NOTFOUND;
    if (rc != SQLITE_ROW)
        return store_err(s, rc);
    st = store_stmt(s, SQL_ATTEMPTS);
    if (!st) {
        json_decref(o);
        return SM_ERR_DB;
    }
    arr = json_array();
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *a = json_object();
        json_object_set_new(a, "started_at", store_col_time_json(st, 0, tz_min));
        json_object_set_new(a, "started_ms", json_integer(sqlite3_column_int64(st, 0)));
        json_object_set_new(a, "duration_ms", json_integer(sqlite3_column_int64(st, 1)));
        json_object_set_new(a, "result", json_string(store_col_text(st, 2)));
        json_object_set_new(a, "code", json_integer(sqlite3_column_int(st, 3)));
        json_object_set_new(a, "retry_after_ms", json_integer(sqlite3_column_int64(st, 4)));
        json_object_set_new(a, "detail", json_string(store_col_text(st, 5)));
        json_array_append_new(arr, a);
    }
    sqlite3_reset(st);
    json_object_set_new(o, "attempt_log", arr);
    if (rc != SQLITE_DONE) {
        json_decref(o);
        return store_err(s, rc);
    }
    *out = o;
    return SM_OK;
}

/* A page, then its total (store_page_json). The page walks deliveries in
 * id order (through deliveries_status SQLite would sort every match first:
 * the 330k pending ones 75 ms against 29); the total counts through that
 * index, and reads the notices only when an enterprise is asked. */
#define DELIVERIES_JOIN " FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
#define DELIVERIES_REST                                                                     \
    "AND (?2 IS NULL OR o.enterprise = ?2) AND (?3 IS NULL OR d.channel = ?3) "
static const char SQL_FILTERED[] =
    "SELECT " DELIVERY_COLUMNS DELIVERIES_JOIN "WHERE (?1 IS NULL OR d.status = ?1) "
    DELIVERIES_REST "ORDER BY d.id LIMIT ?4 OFFSET ?5";
static const char SQL_COUNT_OF_ENTERPRISE[] =
    "SELECT count(*)" DELIVERIES_JOIN "WHERE (?1 IS NULL OR d.status = ?1) " DELIVERIES_REST;
static const char SQL_COUNT_ANY[] =
    "SELECT count(*) FROM deliveries d WHERE ?1 IS NULL AND ?2 IS NULL AND "
    "(?3 IS NULL OR d.channel = ?3)";
static const char SQL_COUNT_STATUS[] =
    "SELECT count(*) FROM deliveries d WHERE d.status = ?1 AND ?2 IS NULL AND "
    "(?3 IS NULL OR d.channel = ?3)";

static void
bind_delivery_filter(sqlite3_stmt *st, const void *filter)
{
    const struct delivery_filter *f = filter;

    store_bind_text(st, 1, f->status);
    store_bind_text(st, 2, f->enterprise);
    store_bind_text(st, 3, f->channel);
}

static json_t *
listed_delivery(sqlite3_stmt *st, const void *tz_min)
{
    return delivery_row_json(st, *(const int *)tz_min);
}

enum sm_err
store_deliveries_json(struct store *s, const struct delivery_filter *f, int tz_min, json_t **out)
{
    const struct store_page p = {
        .key = "deliveries",
        .page_sql = SQL_FILTERED,
        .count_sql = f->enterprise ? SQL_COUNT_OF_ENTERPRISE
                     : f->status   ? SQL_COUNT_STATUS
                                   : SQL_COUNT_ANY,
        .bind = bind_delivery_filter, .filter = f, .limit_param = 4, .limit = f->limit,
        .offset = f->offset, .row = listed_delivery, .row_arg = &tz_min,
    };

    return store_page_json(s, &p, out);
}

/* A decision's notice is pending as the per-order notices it still owes
 * (outbox_owed), not as itself: it has no deliveries of its own. */
#define NOT_DECISION \
    "o.kind <> '" STORE_NOTICE_DECISION_ORDERS "' AND o.kind <> '" STORE_NOTICE_DECISION_LIFTED "'"
/* The pending notices in two parts, each read from its index: the ones not
 * yet expanded into deliveries (outbox_unexpanded) and the expanded ones
 * with a delivery still pending (deliveries_status). One scan of every
 * notice with a look-up into its deliveries made each /metrics scrape
 * cost the loop 160 ms at 187k delivered notices. */
#define PENDING_UNEXPANDED "FROM outbox o WHERE o.expanded_ms IS NULL AND " NOT_DECISION
#define PENDING_DELIVERING                                                                     \
    "FROM outbox o WHERE o.id IN (SELECT d.outbox_id FROM deliveries d "                       \
    "WHERE d.status = 'pending') AND o.expanded_ms IS NOT NULL AND " NOT_DECISION
static const char SQL_STATS[] =
    "SELECT (SELECT count(*) " PENDING_UNEXPANDED ") + (SELECT count(*) " PENDING_DELIVERING
    ") + (SELECT count(*) FROM outbox_owed), "
    " (SELECT count(*) FROM deliveries WHERE status = 'dead'), "
    " (SELECT min(m) FROM (SELECT min(o.created_ms) AS m " PENDING_UNEXPANDED
    "  UNION ALL SELECT min(o.created_ms) " PENDING_DELIVERING
    "  UNION ALL SELECT min(created_ms) FROM outbox_owed))";

enum sm_err
store_dispatch_stats(struct store *s, struct dispatch_stats *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_STATS);
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return SM_ERR_DB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->outbox_pending = sqlite3_column_int64(st, 0);
        out->dead = sqlite3_column_int64(st, 1);
        out->oldest_undelivered_ms = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}

/* Attempts per delivery are few, so the correlated counts stay cheap. */
static const char SQL_COUNTS[] =
    "SELECT count(*) FILTER (WHERE d.status = 'pending'), "
    " count(*) FILTER (WHERE d.status = 'delivered'), "
    " count(*) FILTER (WHERE d.status = 'dead'), "
    " coalesce(sum((SELECT count(*) FROM delivery_attempts a "
    "   WHERE a.delivery_id = d.id AND a.result <> 'delivered')), 0), "
    " count(*) FILTER (WHERE (SELECT count(*) FROM delivery_attempts a "
    "   WHERE a.delivery_id = d.id AND a.result = 'delivered') > 1) "
    "FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
    "WHERE o.drill = ?1 AND (?2 IS NULL OR d.channel = ?2)";

static const char SQL_UNDELIVERED[] =
    "SELECT (SELECT count(*) FROM outbox_owed WHERE drill = ?1) + "
    "count(*) FROM outbox o WHERE o.drill = ?1 AND " NOT_DECISION " AND (o.expanded_ms IS NULL "
    " OR NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id "
    "   AND (?2 IS NULL OR d.channel = ?2)) "
    " OR EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id "
    "   AND (?2 IS NULL OR d.channel = ?2) AND d.status <> 'delivered'))";

enum sm_err
store_delivery_counts(struct store *s, int drill, const char *channel,
                      struct delivery_counts *out)
{
    sqlite3_stmt *st = store_stmt(s, SQL_COUNTS);
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    store_bind_text(st, 2, channel);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->pending = sqlite3_column_int64(st, 0);
        out->delivered = sqlite3_column_int64(st, 1);
        out->dead = sqlite3_column_int64(st, 2);
        out->failed_attempts = sqlite3_column_int64(st, 3);
        out->duplicates = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return store_err(s, rc);
    if (!(st = store_stmt(s, SQL_UNDELIVERED)))
        return SM_ERR_DB;
    sqlite3_bind_int(st, 1, drill);
    store_bind_text(st, 2, channel);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        out->undelivered_notices = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}
