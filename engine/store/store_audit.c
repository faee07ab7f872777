/* The append-only audit chain: each row's hash covers the previous row's
 * hash and its own fields, so editing or removing a row breaks every hash
 * after it. Triggers refuse UPDATE and DELETE. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/crypto.h"
#include "base/jsonw.h"
#include "store/store_issue.h"

#include <jansson.h>

#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static const char SQL_HEAD[] = "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char SQL_APPEND[] =
    "INSERT INTO audit (at_ms, actor, role, action, object, result, detail, prev_hash, hash) "
    "VALUES (?,?,?,?,?,?,?,?,?)";
static const char SQL_WALK[] =
    "SELECT seq, at_ms, actor, role, action, object, result, detail, prev_hash, hash "
    "FROM audit ORDER BY seq";

/* The canonical form hashed: fields separated by the unit separator, which
 * never appears in our values (control characters are not accepted).
 * Written piece by piece: this runs once per issued order. */
static void
row_hash(const char *prev, int64_t at_ms, const char *actor, const char *role,
         const char *action, const char *object, const char *result,
         const char *detail, char out[65])
{
    const char *part[] = { prev, NULL, actor, role, action, object, result, detail };
    char at[24];
    char stack[512];
    struct buf b;

    jsonw_fmt_int(at, at_ms);
    part[1] = at;
    /* a stack buffer serves the usual row; the buffer takes over beyond */
    size_t len = 0;
    for (size_t i = 0; i < 8; i++)
        len += strlen(part[i]) + 1;
    if (len <= sizeof(stack)) {
        char *p = stack;
        for (size_t i = 0; i < 8; i++) {
            size_t n = strlen(part[i]);
            if (i)
                *p++ = '\x1f';
            memcpy(p, part[i], n);
            p += n;
        }
        sm_sha256_hex(stack, (size_t)(p - stack), out);
        return;
    }
    /* no limit: the appends cannot fail (allocation failure aborts) */
    buf_init(&b, 0);
    for (size_t i = 0; i < 8; i++)
        if ((i && !buf_add(&b, "\x1f", 1)) || !buf_addstr(&b, part[i]))
            abort();
    sm_sha256_hex(b.data, b.len, out);
    buf_release(&b);
}

/* The hash of the last row: from the cache while the transaction that
 * learnt it lasts, else from the table. */
static enum sm_err
audit_head(struct store *s, char prev[65])
{
    sqlite3_stmt *st;
    int rc;

    if (s->audit_head_ok && s->in_tx && !sqlite3_get_autocommit(s->db)) {
        memcpy(prev, s->audit_head, 65);
        return SM_OK;
    }
    st = store_stmt(s, SQL_HEAD);
    if (!st)
        return SM_ERR_DB;
    memcpy(prev, AUDIT_GENESIS, 65);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(prev, 65, "%s", store_col_text(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    return SM_OK;
}

enum sm_err
store_audit_append(struct store *s, const struct audit_entry *e)
{
    char prev[65];
    char hash[65];
    sqlite3_stmt *st;
    enum sm_err err = audit_head(s, prev);

    s->audit_head_ok = false;
    if (err)
        return err;
    const char *detail = e->detail ? e->detail : "";
    row_hash(prev, e->at_ms, e->actor, e->role, e->action, e->object, e->result,
             detail, hash);
    st = store_stmt(s, SQL_APPEND);
    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, e->at_ms);
    sqlite3_bind_text(st, 2, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->object, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->result, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
    err = store_exec_stmt(s, st);
    /* the bindings point at this frame: drop them before returning */
    sqlite3_clear_bindings(st);
    if (!err && s->in_tx) {
        memcpy(s->audit_head, hash, 65);
        s->audit_head_ok = true;
    }
    return err;
}

enum sm_err
store_audit_record(struct store *s, const struct audit_entry *e)
{
    enum sm_err err = store_begin(s);

    if (err)
        return err;
    err = store_audit_append(s, e);
    if (err) {
        store_rollback(s);
        return err;
    }
    return store_commit(s);
}

/* A decision's "orders.issue" row covers its orders by count and digest:
 * recomputes both from the orders table. false (with diag) on a mismatch. */
static enum sm_err
orders_row_check(struct store *s, int64_t seq, const char *detail, bool *ok,
                 struct sm_diag *diag)
{
    json_error_t jerr;
    json_t *d = json_loads(detail, 0, &jerr);
    json_int_t decision = 0, first = 0, last = 0, orders = -1, ended = -1;
    const char *sha = NULL, *ended_sha = NULL;
    char hex[65];
    int64_t n = 0;
    enum sm_err err = SM_OK;

    *ok = false;
    if (!d || json_unpack(d, "{s:I, s:I, s:I, s:I, s:s, s:I, s:s}", "decision", &decision,
                          "first_id", &first, "last_id", &last, "orders", &orders, "sha256",
                          &sha, "ended", &ended, "ended_sha256", &ended_sha) != 0) {
        sm_diag_set(diag, "audit_broken", "row %lld: orders.issue detail is not readable",
                    (long long)seq);
        goto out;
    }
    hex[0] = '\0';
    if (orders > 0)
        err = store_orders_digest(s, first, last, &n, hex);
    if (!err && (n != orders || strcmp(hex, sha) != 0)) {
        sm_diag_set(diag, "audit_broken",
                    "row %lld: orders %lld..%lld do not match its digest (%lld of %lld found; "
                    "an order was altered or removed)",
                    (long long)seq, (long long)first, (long long)last, (long long)n,
                    (long long)orders);
        goto out;
    }
    n = 0;
    hex[0] = '\0';
    if (!err && ended > 0)
        err = store_orders_ended_digest(s, decision, &n, hex);
    if (!err && (n != ended || strcmp(hex, ended_sha) != 0)) {
        sm_diag_set(diag, "audit_broken",
                    "row %lld: the orders decision %lld ended do not match its digest "
                    "(%lld of %lld found)",
                    (long long)seq, (long long)decision, (long long)n, (long long)ended);
        goto out;
    }
    *ok = !err;
out:
    json_decref(d);
    return err;
}

enum sm_err
store_audit_verify(struct store *s, int64_t *rows, int64_t *bad_seq,
                   struct sm_diag *diag)
{
    char prev[65] = AUDIT_GENESIS;
    char want[65];
    sqlite3_stmt *st = store_stmt(s, SQL_WALK);
    int rc;

    *rows = 0;
    *bad_seq = 0;
    if (!st)
        return SM_ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        (*rows)++;
        row_hash(prev, sqlite3_column_int64(st, 1), store_col_text(st, 2),
                 store_col_text(st, 3), store_col_text(st, 4),
                 store_col_text(st, 5), store_col_text(st, 6),
                 store_col_text(st, 7), want);
        if (strcmp(store_col_text(st, 8), prev) != 0) {
            *bad_seq = seq;
            sm_diag_set(diag, "audit_broken",
                        "row %lld: prev_hash does not match row before it (a row was removed or re-chained)",
                        (long long)seq);
            break;
        }
        if (strcmp(store_col_text(st, 9), want) != 0) {
            *bad_seq = seq;
            sm_diag_set(diag, "audit_broken",
                        "row %lld: contents do not match its hash (the row was altered)",
                        (long long)seq);
            break;
        }
        snprintf(prev, sizeof(prev), "%s", store_col_text(st, 9));
        if (strcmp(store_col_text(st, 4), "orders.issue") == 0) {
            bool ok;
            /* the walk stays open: the digests read orders with other statements */
            enum sm_err err = orders_row_check(s, seq, store_col_text(st, 7), &ok, diag);
            if (err || !ok) {
                sqlite3_reset(st);
                if (!err)
                    *bad_seq = seq;
                return err;
            }
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_err(s, rc);
    return SM_OK;
}
