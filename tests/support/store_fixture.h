/* What the store's unit tests share: one-value queries on a store's
 * connection and a scratch directory's removal. Static inline: each unit
 * test is one file, and a test uses what it needs. */
#ifndef SM_TESTS_STORE_FIXTURE_H
#define SM_TESTS_STORE_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "base/xalloc.h"
#include "check.h"
#include "store/store.h"
#include "store/store_int.h"

/* the first column of the first row of sql, or -1 */
static inline int64_t
fixture_store_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* removes a directory made with mkdtemp and what it holds */
static inline void
fixture_remove_dir(const char *dir)
{
    char *cmd = xasprintf("rm -rf %s", dir);

    CHECK_INT(system(cmd), 0);
    free(cmd);
}

#endif
