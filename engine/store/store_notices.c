/* Expanding a decision's notice into the per-order notices it stands for
 * (see store_notices.h). The statements are the ones issuance ran before
 * 0023, over a slice of the decision's orders: the same sm_notice_event()
 * and sm_notice_payload() text, the decision's created_ms, the order's
 * ack deadline (none for lifts). */
#include "store/store_notices.h"

#include <string.h>

#include "store/store_cols.h"
#include "store/store_int.h"

bool
store_notice_is_decision(const char *kind)
{
    return kind && (strcmp(kind, STORE_NOTICE_DECISION_ORDERS) == 0 ||
                    strcmp(kind, STORE_NOTICE_DECISION_LIFTED) == 0);
}

/* the decision notice: kind, decision, the new orders' first and last id,
 * the last order whose notice is written, created_ms */
static const char SQL_DECISION[] =
    "SELECT x.kind, r.decision_id, r.first_id, r.last_id, r.upto, x.created_ms "
    "FROM outbox x JOIN outbox_decisions r ON r.outbox_id = x.id "
    "WHERE x.id = ?1 AND x.expanded_ms IS NULL";

/* ?1 first order id, ?2 last, ?3 created_ms, ?4 now (expanded_ms), ?5 limit */
static const char SQL_WRITE_NEW[] =
    "INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms, "
    "deadline_ms, expanded_ms) "
    "SELECT sm_notice_event(id, version, kind), kind, id, enterprise, drill, "
    "sm_notice_payload(id, version), ?3, ack_deadline_ms, ?4 "
    "FROM (SELECT id, version, enterprise, drill, ack_deadline_ms, "
    "CASE WHEN version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS kind "
    "FROM orders WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?5)";

/* ?1 decision, ?2 orders after this id, ?3 created_ms, ?4 now, ?5 limit */
static const char SQL_WRITE_LIFTED[] =
    "INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms, "
    "deadline_ms, expanded_ms) "
    "SELECT sm_notice_event(id, version, 'order_lifted'), 'order_lifted', id, enterprise, drill, "
    "sm_notice_payload(id, version), ?3, NULL, ?4 "
    "FROM (SELECT id, version, enterprise, drill FROM orders "
    "WHERE ended_decision_id = ?1 AND status = 'lifted' AND id > ?2 ORDER BY id LIMIT ?5)";

static const char SQL_LAST_ORDER[] = "SELECT order_id FROM outbox WHERE id = ?1";

static const char SQL_UPTO[] = "UPDATE outbox_decisions SET upto = ?2 WHERE outbox_id = ?1";
/* with the last slice: expanded, and out of the deadline watch */
static const char SQL_DONE[] =
    "UPDATE outbox SET expanded_ms = ?2, deadline_alerted = 2 WHERE id = ?1";

struct decision_notice {
    bool orders; /* decision_orders, else decision_lifted */
    int64_t decision_id, first_id, last_id, upto, created_ms;
};

static enum sm_err
read_decision(struct store *s, int64_t outbox_id, struct decision_notice *dn)
{
    sqlite3_stmt *st = store_stmt(s, SQL_DECISION);
    int rc;

    memset(dn, 0, sizeof(*dn));
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, outbox_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        dn->orders = strcmp(store_col_text(st, 0), STORE_NOTICE_DECISION_ORDERS) == 0;
        dn->decision_id = sqlite3_column_int64(st, 1);
        dn->first_id = sqlite3_column_int64(st, 2);
        dn->last_id = sqlite3_column_int64(st, 3);
        dn->upto = sqlite3_column_int64(st, 4);
        dn->created_ms = sqlite3_column_int64(st, 5);
    }
    return store_one_end(s, st, rc);
}

static enum sm_err
write_slice(struct store *s, const struct decision_notice *dn, int limit, int64_t now_ms,
            int *written)
{
    sqlite3_stmt *st = store_stmt(s, dn->orders ? SQL_WRITE_NEW : SQL_WRITE_LIFTED);
    enum sm_err err;

    *written = 0;
    if (!st)
        return SM_ERR_DB;
    if (dn->orders) {
        sqlite3_bind_int64(st, 1, dn->upto >= dn->first_id ? dn->upto + 1 : dn->first_id);
        sqlite3_bind_int64(st, 2, dn->last_id);
    } else {
        sqlite3_bind_int64(st, 1, dn->decision_id);
        sqlite3_bind_int64(st, 2, dn->upto);
    }
    sqlite3_bind_int64(st, 3, dn->created_ms);
    sqlite3_bind_int64(st, 4, now_ms);
    sqlite3_bind_int(st, 5, limit);
    err = store_exec_stmt(s, st);
    if (!err)
        *written = sqlite3_changes(s->db);
    return err;
}

enum sm_err
store_notices_write_owed(struct store *s, int64_t outbox_id, int limit, int64_t now_ms,
                         struct store_owed_slice *out)
{
    struct decision_notice dn;
    int64_t upto;
    sqlite3_stmt *st;
    enum sm_err err;

    memset(out, 0, sizeof(*out));
    if (limit <= 0)
        return SM_ERR_INVAL;
    err = read_decision(s, outbox_id, &dn);
    if (!err)
        err = write_slice(s, &dn, limit, now_ms, &out->written);
    if (err)
        return err;
    upto = dn.upto;
    if (out->written > 0) {
        /* rowids of one INSERT ... SELECT are consecutive, in its order */
        out->last_id = sqlite3_last_insert_rowid(s->db);
        out->first_id = out->last_id - out->written + 1;
        if (!(st = store_stmt(s, SQL_LAST_ORDER)))
            return SM_ERR_DB;
        sqlite3_bind_int64(st, 1, out->last_id);
        if ((err = store_step_int64(s, st, &upto)) != SM_OK)
            return err;
    }
    /* a short slice was the last one */
    out->done = out->written < limit;
    if (upto != dn.upto) {
        if (!(st = store_stmt(s, SQL_UPTO)))
            return SM_ERR_DB;
        sqlite3_bind_int64(st, 1, outbox_id);
        sqlite3_bind_int64(st, 2, upto);
        if ((err = store_exec_stmt(s, st)) != SM_OK)
            return err;
    }
    if (!out->done)
        return SM_OK;
    if (!(st = store_stmt(s, SQL_DONE)))
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, outbox_id);
    sqlite3_bind_int64(st, 2, now_ms);
    return store_exec_stmt(s, st);
}
