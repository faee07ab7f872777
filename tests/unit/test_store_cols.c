/* The store's result helpers: SQL NULL is JSON null in both forms, times
 * are RFC 3339 in the zone asked for, text and integers pass as they are;
 * a one-row look-up ends reset, found or not. */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "check.h"
#include "store/store.h"
#include "store/store_cols.h"
#include "store/store_int.h"

/* one row: NULL, 1764547200000 (2025-12-01T00:00:00Z), 'a"b', 42 */
static sqlite3_stmt *
one_row(sqlite3 **db)
{
    sqlite3_stmt *st = NULL;

    CHECK_INT(sqlite3_open(":memory:", db), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(*db, "SELECT NULL, 1764547200000, 'a\"b', 42", -1, &st, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    return st;
}

static char *
dump(json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

    json_decref(v);
    return s;
}

static void
test_json_values(void)
{
    sqlite3 *db;
    sqlite3_stmt *st = one_row(&db);
    char *s;

    s = dump(store_col_time_json(st, 0, 480));
    CHECK_STR(s, "null");
    free(s);
    s = dump(store_col_time_json(st, 1, 480));
    CHECK_STR(s, "\"2025-12-01T08:00:00+08:00\"");
    free(s);
    s = dump(store_col_time_json(st, 1, 0));
    CHECK_STR(s, "\"2025-12-01T00:00:00Z\"");
    free(s);
    s = dump(store_col_text_json(st, 0));
    CHECK_STR(s, "null");
    free(s);
    s = dump(store_col_text_json(st, 2));
    CHECK_STR(s, "\"a\\\"b\"");
    free(s);
    s = dump(store_col_int_json(st, 0));
    CHECK_STR(s, "null");
    free(s);
    s = dump(store_col_int_json(st, 3));
    CHECK_STR(s, "42");
    free(s);
    CHECK(store_col_text_or_null(st, 0) == NULL);
    CHECK_STR(store_col_text_or_null(st, 2), "a\"b");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void
test_jsonw_text(void)
{
    sqlite3 *db;
    sqlite3_stmt *st = one_row(&db);
    struct buf b;

    buf_init(&b, 0);
    CHECK(store_col_time_jsonw(&b, st, 0, 480) && buf_addstr(&b, ",") &&
          store_col_time_jsonw(&b, st, 1, 480) && buf_addstr(&b, ",") &&
          store_col_text_jsonw(&b, st, 0) && buf_addstr(&b, ",") &&
          store_col_text_jsonw(&b, st, 2) && buf_addstr(&b, ",") &&
          store_col_int_jsonw(&b, st, 0) && buf_addstr(&b, ",") &&
          store_col_int_jsonw(&b, st, 3));
    CHECK_STR(b.data, "null,\"2025-12-01T08:00:00+08:00\",null,\"a\\\"b\",null,42");
    buf_release(&b);
    /* a full buffer says so */
    buf_init(&b, 8);
    CHECK(!store_col_time_jsonw(&b, st, 1, 480));
    buf_release(&b);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* a look-up's end: a row, none, and the statement reset either way */
static void
test_one_end(void)
{
    struct store *s = NULL;
    struct sm_diag d = { 0 };
    sqlite3_stmt *st;

    CHECK_INT(store_open(&s, ":memory:", &d), SM_OK);
    st = store_stmt(s, "SELECT 7 WHERE ?1");
    CHECK(st != NULL);
    sqlite3_bind_int(st, 1, 1);
    CHECK_INT(store_one_end(s, st, sqlite3_step(st)), SM_OK);
    CHECK_INT(sqlite3_stmt_busy(st), 0);
    sqlite3_bind_int(st, 1, 0);
    CHECK_INT(store_one_end(s, st, sqlite3_step(st)), SM_ERR_NOTFOUND);
    CHECK_INT(sqlite3_stmt_busy(st), 0);
    CHECK(store_one_end(s, st, SQLITE_CONSTRAINT) != SM_OK);
    CHECK(store_one_end(s, st, SQLITE_CONSTRAINT) != SM_ERR_NOTFOUND);
    store_close(s);
}

CHECK_MAIN(CHECK_CASE(test_json_values), CHECK_CASE(test_jsonw_text), CHECK_CASE(test_one_end))
