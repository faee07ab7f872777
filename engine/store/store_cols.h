#ifndef SM_STORE_STORE_COLS_H
#define SM_STORE_STORE_COLS_H

/* Reading results inside the store module. One result column as the views
 * show it, SQL NULL as JSON null: times (int64 ms since the epoch) as
 * RFC 3339 strings in the caller's zone. The json_t forms are new
 * references; the buf forms append JSON text and return false when the
 * buffer's cap is hit. */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "base/err.h"

struct store;

/* The end of a look-up of one row: resets st (so its row is gone), then
 * SM_OK when the step rc gave a row, SM_ERR_NOTFOUND when it gave none,
 * else the step's error (store_err). */
SM_NODISCARD enum sm_err store_one_end(struct store *s, sqlite3_stmt *st, int rc);

/* new: column i as RFC 3339 at tz_min minutes east of UTC, or null */
json_t *store_col_time_json(sqlite3_stmt *st, int i, int tz_min);
/* new: column i as a string, or null */
json_t *store_col_text_json(sqlite3_stmt *st, int i);
/* new: column i as an integer, or null */
json_t *store_col_int_json(sqlite3_stmt *st, int i);
/* borrowed (until the next step or reset): column i's text, NULL for SQL NULL */
const char *store_col_text_or_null(sqlite3_stmt *st, int i);
/* appends ms as an RFC 3339 JSON string at tz_min minutes east of UTC */
bool store_time_jsonw(struct buf *b, int64_t ms, int tz_min);
/* appends column i as an RFC 3339 JSON string, or null */
bool store_col_time_jsonw(struct buf *b, sqlite3_stmt *st, int i, int tz_min);
/* appends column i as a JSON string, or null */
bool store_col_text_jsonw(struct buf *b, sqlite3_stmt *st, int i);
/* appends column i as a JSON integer, or null */
bool store_col_int_jsonw(struct buf *b, sqlite3_stmt *st, int i);

#endif
