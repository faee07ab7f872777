/* Read transactions (store_read_begin/end): the statements inside read one
 * snapshot (another connection's commit meanwhile shows only after the
 * end); inside a write transaction none begins and that transaction goes
 * on untouched. */
#include <stdlib.h>

#include "base/xalloc.h"
#include "check.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store_fixture.h"

static void
test_one_snapshot_until_the_end(void)
{
    char dir[] = "/tmp/smogd-read-XXXXXX";
    struct store *s = NULL, *other = NULL;
    struct sm_diag d = { 0 };

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/r.db", dir);
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(store_open(&other, path, &d), SM_OK);
    CHECK_INT(store_exec(s, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1)"), SM_OK);

    bool began = store_read_begin(s);
    CHECK(began);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 1);
    CHECK_INT(store_begin(other), SM_OK); /* a writer beside the reader */
    CHECK_INT(store_exec(other, "INSERT INTO t VALUES (2)"), SM_OK);
    CHECK_INT(store_commit(other), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 1);
    store_read_end(s, began);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 2);

    /* inside a write transaction: none begins, the write goes on */
    CHECK_INT(store_begin(s), SM_OK);
    CHECK_INT(store_exec(s, "INSERT INTO t VALUES (3)"), SM_OK);
    began = store_read_begin(s);
    CHECK(!began);
    store_read_end(s, began);
    CHECK_INT(store_commit(s), SM_OK);
    CHECK_INT(fixture_store_int(other, "SELECT count(*) FROM t"), 3);

    store_close(other);
    store_close(s);
    fixture_remove_dir(dir);
    free(path);
}

CHECK_MAIN(CHECK_CASE(test_one_snapshot_until_the_end))
