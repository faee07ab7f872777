/* Application functions registered on every connection, so that issuing
 * orders can run as a few INSERT ... SELECT statements:
 *   sm_measures(id, line, action, pct, text)  aggregate: the measures of
 *       one order as the JSON text ops has always written (base/jsonw),
 *       lines in id order whatever order SQLite feeds them in;
 *   sm_plan(uscc, town, on_list, status, level, last_version)  the order
 *       planner's answer for one enterprise, through the callback that the
 *       running store_orders_issue() installed (see store_issue.h);
 *   sm_notice_event(id, version, kind), sm_notice_payload(id, version)
 *       the event id and payload of an order's notice, as ops writes them;
 *   sm_issued(enterprise, level, version, measures)  a new order's row into
 *       the digest of the running store_orders_issue(); gives version;
 *   sm_ack_reply(<24 columns>)  the reply of the order being acknowledged,
 *       into the buffer of the running store_order_ack_reply(); gives NULL. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "base/xalloc.h"
#include "store/store_issue.h"

/* ---- sm_measures ---- */

struct measure_line {
    int64_t id;
    double pct;
    char *line, *action, *text; /* one allocation, line first */
};

struct measures_agg {
    struct measure_line *l;
    size_t n, cap;
};

static const char *
value_text(sqlite3_value *v)
{
    const unsigned char *t = sqlite3_value_text(v);
    return t ? (const char *)t : "";
}

static void
measures_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct measures_agg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
    const char *line, *action, *text;
    size_t nl, na, nt;

    (void)argc;
    if (!a) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->l = xrealloc(a->l, a->cap * sizeof(*a->l));
    }
    line = value_text(argv[1]);
    action = value_text(argv[2]);
    text = value_text(argv[4]);
    nl = strlen(line) + 1;
    na = strlen(action) + 1;
    nt = strlen(text) + 1;
    struct measure_line *m = &a->l[a->n++];
    m->id = sqlite3_value_int64(argv[0]);
    m->pct = sqlite3_value_double(argv[3]);
    m->line = xmalloc(nl + na + nt);
    m->action = m->line + nl;
    m->text = m->action + na;
    memcpy(m->line, line, nl);
    memcpy(m->action, action, na);
    memcpy(m->text, text, nt);
}

static int
by_id(const void *x, const void *y)
{
    const struct measure_line *a = x, *b = y;

    return (a->id > b->id) - (a->id < b->id);
}

/* The same text as the per-order writer had: [{"line":..,"action":..,
 * "limit_pct":<real>|null,"text":..},...]. limit_pct is the N of a measure
 * written with N% (rules/measures.json "reduction": "limit_pct": limit, or
 * an action a county adds): the list stores it for those only, always
 * 0 < N < 100, and 0 for every other action, which gets null. The store
 * does not know the rules, so the stored N decides, not the action's key. */
static void
measures_final(sqlite3_context *ctx)
{
    struct measures_agg *a = sqlite3_aggregate_context(ctx, 0);
    struct buf b;
    bool ok;

    buf_init(&b, 0);
    ok = buf_add(&b, "[", 1);
    if (a && a->n > 1)
        qsort(a->l, a->n, sizeof(*a->l), by_id);
    for (size_t i = 0; a && i < a->n; i++) {
        const struct measure_line *l = &a->l[i];
        ok = ok && (i == 0 || buf_add(&b, ",", 1)) && buf_addstr(&b, "{\"line\":") &&
             jsonw_str(&b, l->line) && buf_addstr(&b, ",\"action\":") &&
             jsonw_str(&b, l->action) && buf_addstr(&b, ",\"limit_pct\":") &&
             (l->pct > 0 ? jsonw_real(&b, l->pct) : buf_addstr(&b, "null")) &&
             buf_addstr(&b, ",\"text\":") && jsonw_str(&b, l->text) && buf_add(&b, "}", 1);
    }
    ok = ok && buf_add(&b, "]", 1);
    if (ok)
        sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
    else
        sqlite3_result_error_nomem(ctx);
    buf_release(&b);
    for (size_t i = 0; a && i < a->n; i++)
        free(a->l[i].line);
    if (a)
        free(a->l);
}

/* ---- sm_notice_event, sm_notice_payload ---- */

/* "order:<id>:v<version>:<kind>", as ops_order_notice writes it: one call
 * instead of seven concatenations, each a conversion and an allocation. */
static void
notice_event(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char out[128];
    size_t n;
    const char *kind = value_text(argv[2]);
    size_t nk = strlen(kind);

    (void)argc;
    if (nk > 40) {
        sqlite3_result_error(ctx, "sm_notice_event: kind too long", -1);
        return;
    }
    static const char k1[] = "order:", k2[] = ":v";

    memcpy(out, k1, sizeof(k1) - 1);
    n = sizeof(k1) - 1;
    n += jsonw_fmt_int(out + n, sqlite3_value_int64(argv[0]));
    memcpy(out + n, k2, sizeof(k2) - 1);
    n += sizeof(k2) - 1;
    n += jsonw_fmt_int(out + n, sqlite3_value_int64(argv[1]));
    out[n++] = ':';
    memcpy(out + n, kind, nk + 1); /* with its NUL */
    n += nk;
    sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
}

/* {"order_id":<id>,"version":<version>} */
static void
notice_payload(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char out[96];
    size_t n;

    (void)argc;
    static const char k1[] = "{\"order_id\":", k2[] = ",\"version\":";

    memcpy(out, k1, sizeof(k1) - 1);
    n = sizeof(k1) - 1;
    n += jsonw_fmt_int(out + n, sqlite3_value_int64(argv[0]));
    memcpy(out + n, k2, sizeof(k2) - 1);
    n += sizeof(k2) - 1;
    n += jsonw_fmt_int(out + n, sqlite3_value_int64(argv[1]));
    out[n++] = '}';
    sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
}

/* ---- sm_issued ---- */

static void
issued_call(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct store *s = sqlite3_user_data(ctx);
    const unsigned char *ent = sqlite3_value_text(argv[0]);
    int nent = sqlite3_value_bytes(argv[0]);
    const unsigned char *level = sqlite3_value_text(argv[1]);
    int nlevel = sqlite3_value_bytes(argv[1]);
    const unsigned char *measures = sqlite3_value_text(argv[3]);
    int nmeasures = sqlite3_value_bytes(argv[3]);

    (void)argc;
    if (!s->issue_digest) {
        sqlite3_result_error(ctx, "sm_issued outside store_orders_issue", -1);
        return;
    }
    store_issue_digest_row(s, (const char *)ent, (size_t)nent, (const char *)level,
                           (size_t)nlevel, sqlite3_value_int64(argv[2]),
                           (const char *)measures, (size_t)nmeasures);
    sqlite3_result_value(ctx, argv[2]);
}

/* ---- sm_plan ---- */

static void
plan_call(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct store *s = sqlite3_user_data(ctx);
    struct store_plan_in in;
    struct store_plan_out out = { STORE_PLAN_NONE, LEVEL_NONE, 0 };
    const char *status = value_text(argv[3]);

    (void)argc;
    if (!s->plan_fn) {
        sqlite3_result_error(ctx, "sm_plan outside store_orders_issue", -1);
        return;
    }
    in.uscc = value_text(argv[0]);
    in.town = value_text(argv[1]);
    in.on_list = sqlite3_value_int(argv[2]) != 0;
    in.has_order = strcmp(status, "issued") == 0 || strcmp(status, "acknowledged") == 0;
    in.order_level = LEVEL_NONE;
    if (sqlite3_value_type(argv[4]) != SQLITE_NULL)
        (void)level_parse(value_text(argv[4]), &in.order_level);
    in.last_version = sqlite3_value_int(argv[5]);
    s->plan_fn(s->plan_arg, &in, &out);
    if (out.kind == STORE_PLAN_NONE) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    /* one integer the SQL takes apart: kind, level, version */
    sqlite3_result_int64(ctx, (int64_t)out.kind | (int64_t)out.level << 2 |
                                  (int64_t)out.version << 4);
}

enum sm_err
store_register_functions(struct store *s)
{
    int rc = sqlite3_create_function_v2(s->db, "sm_measures", 5,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        NULL, NULL, measures_step, measures_final, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "sm_notice_event", 3,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        NULL, notice_event, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "sm_notice_payload", 2,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        NULL, notice_payload, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "sm_plan", 6, SQLITE_UTF8 | SQLITE_DIRECTONLY, s,
                                        plan_call, NULL, NULL, NULL);
    /* not deterministic: called once per row for what it records */
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "sm_issued", 4, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                        s, issued_call, NULL, NULL, NULL);
    /* not deterministic either: it writes the reply of the row it is given */
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "sm_ack_reply", STORE_ACK_REPLY_ARGS,
                                        SQLITE_UTF8 | SQLITE_DIRECTONLY, s,
                                        store_ack_reply_sqlfn, NULL, NULL, NULL);
    /* nor this: the ack log's row of an order as the server knows it now */
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "sm_ack_seq", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, s,
                                        store_ack_seq_sqlfn, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SM_OK : store_err(s, rc);
}
