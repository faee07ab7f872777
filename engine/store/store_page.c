/* A page of a filtered list and its total, for the API's list endpoints:
 * the page first, then a count only when the page cannot tell it. A
 * "count(*) OVER ()" beside the page made SQLite build every matching row
 * before the LIMIT (187k orders: 0.26 s a page; 562k deliveries: 0.2 s). */
#include "store/store_int.h"

enum sm_err
store_page_json(struct store *s, const struct store_page *p, json_t **out)
{
    sqlite3_stmt *st = store_stmt(s, p->page_sql);
    enum sm_err err = SM_OK;
    json_t *arr;
    int64_t n = 0, total = 0;
    int rc;

    *out = NULL;
    if (!st)
        return SM_ERR_DB;
    p->bind(st, p->filter);
    sqlite3_bind_int(st, p->limit_param, p->limit);
    sqlite3_bind_int(st, p->limit_param + 1, p->offset);
    arr = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(arr, p->row(st, p->row_arg));
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        err = store_err(s, rc);
    /* a short page that starts inside the matches counts them itself */
    if (!err && n > 0 && n < p->limit) {
        total = p->offset + n;
    } else if (!err && !(n == 0 && p->offset == 0)) {
        st = store_stmt(s, p->count_sql);
        if (!st) {
            err = SM_ERR_DB;
        } else {
            p->bind(st, p->filter);
            err = store_step_int64(s, st, &total);
        }
    }
    if (err) {
        json_decref(arr);
        return err;
    }
    *out = json_pack("{s:o,s:I,s:i,s:i}", p->key, arr, "total", (json_int_t)total, "limit",
                     p->limit, "offset", p->offset);
    return SM_OK;
}
