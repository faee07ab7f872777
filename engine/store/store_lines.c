/* A list's lines with their facts, for the compliance figures: one
 * enterprise's, or every enterprise's in one walk. An episode's figures
 * visit each of its enterprises (187k at the province's scale): a statement
 * per enterprise cost 0.9 s of the event loop, one ordered pass over the
 * list 0.35 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_cols.h"
#include "store/store_compliance.h"
#include "store/store_int.h"

/* the columns both statements give, from line on; power: whether the line
 * has power_kw samples in the statement's window */
#define LINE_COLUMNS                                                                        \
    "line, so2, nox, pm, vocs, power_kw, town, industry, grade, EXISTS (SELECT 1 FROM "       \
    "meter_samples m WHERE m.uscc = l.uscc AND m.line = l.line AND m.metric = 'power_kw' AND " \
    "m.at_ms > ?2 AND m.at_ms <= ?3), id"

static const char SQL_ENTERPRISE_LINES[] =
    "SELECT " LINE_COLUMNS " FROM list_lines l WHERE list_id = ?1 AND uscc = ?4";
static const char SQL_LIST_LINES[] =
    "SELECT " LINE_COLUMNS ", uscc FROM list_lines l WHERE list_id = ?1 ORDER BY uscc, line";
static const char SQL_HAS_POWER[] =
    "SELECT EXISTS (SELECT 1 FROM meter_samples WHERE uscc = ?1 AND line = ?2 AND "
    "metric = 'power_kw' AND at_ms > ?3 AND at_ms <= ?4)";

/* the line's facts from a row of LINE_COLUMNS (strings borrowed) */
static void
line_of_row(sqlite3_stmt *st, struct line_facts *lf)
{
    memset(lf, 0, sizeof(*lf));
    lf->so2 = sqlite3_column_double(st, 1);
    lf->nox = sqlite3_column_double(st, 2);
    lf->pm = sqlite3_column_double(st, 3);
    lf->vocs = sqlite3_column_double(st, 4);
    lf->power_kw = sqlite3_column_double(st, 5);
    snprintf(lf->town, sizeof(lf->town), "%s", store_col_text(st, 6));
    snprintf(lf->industry, sizeof(lf->industry), "%s", store_col_text(st, 7));
    snprintf(lf->grade, sizeof(lf->grade), "%s", store_col_text(st, 8));
}

enum sm_err
store_enterprise_lines(struct store *s, int64_t list_id, const char *uscc, int64_t from_ms,
                       int64_t to_ms, store_line_fn *fn, void *arg)
{
    sqlite3_stmt *st = store_stmt(s, SQL_ENTERPRISE_LINES);
    int rc;

    if (!st)
        return SM_ERR_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_int64(st, 2, from_ms);
    sqlite3_bind_int64(st, 3, to_ms);
    store_bind_text(st, 4, uscc);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct line_facts lf;

        line_of_row(st, &lf);
        fn(arg, sqlite3_column_int64(st, 10), store_col_text(st, 0), &lf,
           sqlite3_column_int(st, 9) != 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SM_OK : store_err(s, rc);
}

struct store_lines_walk {
    struct store *s;
    sqlite3_stmt *st; /* its own: held across calls, never evicted from a cache */
    int rc;           /* of the last step: SQLITE_ROW while a line is waiting */
};

void
store_lines_walk_close(struct store_lines_walk *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->st);
    free(w);
}

enum sm_err
store_lines_walk_open(struct store *s, int64_t list_id, int64_t from_ms, int64_t to_ms,
                      struct store_lines_walk **out)
{
    struct store_lines_walk *w = xcalloc(1, sizeof(*w));
    int rc = sqlite3_prepare_v2(s->db, SQL_LIST_LINES, -1, &w->st, NULL);

    *out = NULL;
    if (rc != SQLITE_OK) {
        free(w);
        return store_err(s, rc);
    }
    w->s = s;
    sqlite3_bind_int64(w->st, 1, list_id);
    sqlite3_bind_int64(w->st, 2, from_ms);
    sqlite3_bind_int64(w->st, 3, to_ms);
    w->rc = sqlite3_step(w->st);
    if (w->rc != SQLITE_ROW && w->rc != SQLITE_DONE) {
        enum sm_err err = store_err(s, w->rc);
        store_lines_walk_close(w);
        return err;
    }
    *out = w;
    return SM_OK;
}

/* whether a line has power_kw samples with from_ms < at <= to_ms */
static enum sm_err
has_power(struct store *s, const char *uscc, const char *line, int64_t from_ms, int64_t to_ms,
          bool *yes)
{
    sqlite3_stmt *st = store_stmt(s, SQL_HAS_POWER);
    int64_t v = 0;
    enum sm_err err;

    if (!st)
        return SM_ERR_DB;
    store_bind_text(st, 1, uscc);
    store_bind_text(st, 2, line);
    sqlite3_bind_int64(st, 3, from_ms);
    sqlite3_bind_int64(st, 4, to_ms);
    err = store_step_int64(s, st, &v);
    *yes = v != 0;
    return err;
}

enum sm_err
store_lines_walk_enterprise(struct store_lines_walk *w, const char *uscc, int64_t from_ms,
                            int64_t to_ms, store_line_fn *fn, void *arg)
{
    enum sm_err err = SM_OK;

    /* SQLite orders text by its bytes, as strcmp does */
    while (w->rc == SQLITE_ROW && strcmp(store_col_text(w->st, 11), uscc) < 0)
        w->rc = sqlite3_step(w->st);
    while (!err && w->rc == SQLITE_ROW && strcmp(store_col_text(w->st, 11), uscc) == 0) {
        struct line_facts lf;
        bool power = false;

        line_of_row(w->st, &lf);
        /* samples in the walk's window: look again in this order's own */
        if (sqlite3_column_int(w->st, 9))
            err = has_power(w->s, uscc, store_col_text(w->st, 0), from_ms, to_ms, &power);
        if (!err) {
            fn(arg, sqlite3_column_int64(w->st, 10), store_col_text(w->st, 0), &lf, power);
            w->rc = sqlite3_step(w->st);
        }
    }
    if (!err && w->rc != SQLITE_ROW && w->rc != SQLITE_DONE)
        err = store_err(w->s, w->rc);
    return err;
}
