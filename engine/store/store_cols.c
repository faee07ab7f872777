/* Reading results: the end of a one-row look-up, and columns as JSON
 * values, NULL as null; one copy for every view. */
#include "store/store_cols.h"

#include <string.h>

#include "base/jsonw.h"
#include "base/timeutil.h"
#include "store/store_int.h"

static bool
col_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

json_t *
store_col_time_json(sqlite3_stmt *st, int i, int tz_min)
{
    char t[32];

    if (col_null(st, i))
        return json_null();
    return json_string(sm_time_format(sqlite3_column_int64(st, i), tz_min, t));
}

json_t *
store_col_text_json(sqlite3_stmt *st, int i)
{
    return col_null(st, i) ? json_null() : json_string(store_col_text(st, i));
}

json_t *
store_col_int_json(sqlite3_stmt *st, int i)
{
    return col_null(st, i) ? json_null() : json_integer(sqlite3_column_int64(st, i));
}

const char *
store_col_text_or_null(sqlite3_stmt *st, int i)
{
    return col_null(st, i) ? NULL : store_col_text(st, i);
}

/* The last times written, as JSON text: the orders of one decision share
 * their issue time, start and deadline, and a group of acks its time, so
 * most times in an ack flood's replies were written just before. */
#define TIME_MEMO 4

struct time_memo {
    int64_t ms;
    int tz_min;
    unsigned char len;
    char text[40]; /* "2026-01-12T08:00:00+08:00" with its quotes */
};

static _Thread_local struct time_memo time_memo[TIME_MEMO];
static _Thread_local unsigned time_memo_next;

bool
store_time_jsonw(struct buf *b, int64_t ms, int tz_min)
{
    char t[32];
    struct time_memo *m;
    size_t n;

    for (unsigned k = 0; k < TIME_MEMO; k++) {
        m = &time_memo[k];
        if (m->len && m->ms == ms && m->tz_min == tz_min)
            return buf_add(b, m->text, m->len);
    }
    sm_time_format(ms, tz_min, t);
    n = strlen(t);
    m = &time_memo[time_memo_next++ % TIME_MEMO];
    /* the formatted time needs no escaping: digits, '-', ':', 'T', '+', 'Z' */
    m->text[0] = '"';
    memcpy(m->text + 1, t, n);
    m->text[n + 1] = '"';
    m->len = (unsigned char)(n + 2);
    m->ms = ms;
    m->tz_min = tz_min;
    return buf_add(b, m->text, m->len);
}

bool
store_col_time_jsonw(struct buf *b, sqlite3_stmt *st, int i, int tz_min)
{
    if (col_null(st, i))
        return buf_add(b, "null", 4);
    return store_time_jsonw(b, sqlite3_column_int64(st, i), tz_min);
}

bool
store_col_text_jsonw(struct buf *b, sqlite3_stmt *st, int i)
{
    return col_null(st, i) ? buf_add(b, "null", 4) : jsonw_str(b, store_col_text(st, i));
}

bool
store_col_int_jsonw(struct buf *b, sqlite3_stmt *st, int i)
{
    return col_null(st, i) ? buf_add(b, "null", 4) : jsonw_int(b, sqlite3_column_int64(st, i));
}

enum sm_err
store_one_end(struct store *s, sqlite3_stmt *st, int rc)
{
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return SM_ERR_NOTFOUND;
    return rc == SQLITE_ROW ? SM_OK : store_err(s, rc);
}
