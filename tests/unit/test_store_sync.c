/* The WAL flusher: deferred commits become durable tickets, the connection
 * stays at synchronous=NORMAL for the next group and every other writer
 * finds FULL again, in-memory databases have none. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "check.h"
#include "store_fixture.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_sync.h"

/* waits (at most 5 s) until the syncer reports ticket as durable */
static uint64_t
wait_durable(struct store_syncer *y, uint64_t ticket)
{
    uint64_t durable = 0;

    for (int i = 0; i < 50 && durable < ticket; i++) {
        struct pollfd p = { .fd = store_syncer_fd(y), .events = POLLIN };
        (void)poll(&p, 1, 100);
        CHECK_INT(store_syncer_poll(y, &durable), SM_OK);
    }
    return durable;
}

static void
test_deferred_commits_become_durable_in_order(void)
{
    char dir[] = "/tmp/smogd-sync-XXXXXX";
    struct store *s = NULL;
    struct store_syncer *y = NULL;
    struct sm_diag d = { 0 };
    uint64_t t1 = 0, t2 = 0;

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/s.db", dir);
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(store_exec(s, "CREATE TABLE t(x INTEGER)"), SM_OK);
    CHECK_INT(store_syncer_start(s, &y), SM_OK);
    CHECK(y != NULL);

    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 1); /* NORMAL inside */
    CHECK_INT(store_exec(s, "INSERT INTO t VALUES (1)"), SM_OK);
    CHECK_INT(store_commit_deferred(y, s, &t1), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 1); /* kept for the next ack group */
    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    CHECK_INT(store_exec(s, "INSERT INTO t VALUES (2)"), SM_OK);
    CHECK_INT(store_commit_deferred(y, s, &t2), SM_OK);
    CHECK(t1 == 1 && t2 == 2);
    CHECK(wait_durable(y, t2) >= t2);
    CHECK(store_syncer_flushes(y) >= 1);
    CHECK(store_syncer_flushes(y) <= 2);

    /* a rolled-back deferred transaction leaves nothing behind */
    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    CHECK_INT(store_exec(s, "INSERT INTO t VALUES (3)"), SM_OK);
    store_rollback_deferred(s);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 2);

    /* what is asked before stop is flushed by stop */
    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    CHECK_INT(store_exec(s, "INSERT INTO t VALUES (4)"), SM_OK);
    CHECK_INT(store_commit_deferred(y, s, &t1), SM_OK);
    CHECK_INT(store_syncer_stop(y), SM_OK);
    store_close(s);

    /* another connection sees every committed row */
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 3);
    store_close(s);
    fixture_remove_dir(dir);
    free(path);
}

/* waits (at most 5 s) until a deferred transaction may start, as the ack
 * batcher does; true if it had to wait */
static bool
wait_may_commit(struct store_syncer *y)
{
    uint64_t durable = 0;
    bool waited = false;

    for (int i = 0; i < 50 && !store_syncer_may_commit(y); i++) {
        struct pollfd p = { .fd = store_syncer_fd(y), .events = POLLIN };
        waited = true;
        (void)poll(&p, 1, 100);
        CHECK_INT(store_syncer_poll(y, &durable), SM_OK);
    }
    CHECK(store_syncer_may_commit(y));
    return waited;
}

/* 100 rows of a page each (the largest a page holds without overflow):
 * about 100 WAL frames */
#define ROW_BYTES "8000"
_Static_assert(STORE_PAGE_BYTES == 8192, "ROW_BYTES fills one page of STORE_PAGE_BYTES");
#define HUNDRED_PAGES                                                                      \
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "       \
    "INSERT INTO b SELECT zeroblob(" ROW_BYTES ") FROM n"

/* groups deferred commits of HUNDRED_PAGES each; *ticket the last one's */
static void
commit_groups(struct store *s, struct store_syncer *y, int groups, uint64_t *ticket)
{
    for (int i = 0; i < groups; i++) {
        CHECK_INT(store_begin_deferred(y, s), SM_OK);
        CHECK_INT(store_exec(s, HUNDRED_PAGES), SM_OK);
        CHECK_INT(store_commit_deferred(y, s, ticket), SM_OK);
    }
}

/* a WAL past 1000 frames is checkpointed by the syncer's own thread, and
 * the WAL never grows much past 8192 frames: there the groups wait while
 * the thread copies the last frames, never on the committing thread */
static void
test_checkpoints_run_beside_the_commits(void)
{
    char dir[] = "/tmp/smogd-sync-XXXXXX";
    struct store *s = NULL;
    struct store_syncer *y = NULL;
    struct sm_diag d = { 0 };
    uint64_t ticket = 0, off_loop = 0, on_loop = 0;

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/c.db", dir);
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(store_exec(s, "CREATE TABLE b(x BLOB)"), SM_OK);
    CHECK_INT(store_syncer_start(s, &y), SM_OK);
    /* a short WAL is left alone: a pass that copied it all would make the
     * next commit start it over, and that commit sync its header */
    commit_groups(s, y, 6, &ticket);
    CHECK(wait_durable(y, ticket) >= ticket);
    usleep(300 * 1000);
    store_syncer_checkpoints(y, &off_loop, &on_loop);
    CHECK(off_loop == 0);
    commit_groups(s, y, 6, &ticket);
    CHECK(wait_durable(y, ticket) >= ticket);
    for (int i = 0; i < 50 && off_loop == 0; i++) {
        usleep(100 * 1000);
        store_syncer_checkpoints(y, &off_loop, &on_loop);
    }
    CHECK(off_loop >= 1);
    CHECK(on_loop == 0); /* 1,200 frames: far from the committing thread's turn */
    /* 20,000 more frames: the WAL starts over again and again, because the
     * thread caught up (a slow run) or because the groups waited for its
     * final pass once the WAL held 8,192 frames (1,000 more when the
     * thread's pass in progress is slow); its file never holds more than
     * that and one commit (about 105 frames), where it would hold all
     * 21,000 if it never started over */
    int waits = 0;
    for (int i = 0; i < 200; i++) {
        waits += wait_may_commit(y);
        CHECK_INT(store_begin_deferred(y, s), SM_OK);
        CHECK_INT(store_exec(s, HUNDRED_PAGES), SM_OK);
        CHECK_INT(store_commit_deferred(y, s, &ticket), SM_OK);
    }
    store_syncer_checkpoints(y, &off_loop, &on_loop);
    CHECK(off_loop >= 2);
    CHECK(on_loop == 0); /* never on the committing thread */
    CHECK(waits <= 4);   /* at most one wait per start over (2 here), or a
                          * pass that could not copy all, asked again later */
    char *wal = xasprintf("%s-wal", path);
    struct stat st;
    CHECK_INT(stat(wal, &st), 0);
    /* frames are a page and a 24-byte header */
    CHECK(st.st_size < (off_t)(8192 + 1000 + 2 * 120) * (STORE_PAGE_BYTES + 24) + 32);
    free(wal);
    CHECK(wait_durable(y, ticket) >= ticket);
    CHECK_INT(store_syncer_stop(y), SM_OK);
    /* SQLite's own autocheckpoint is back on the connection */
    CHECK_INT(fixture_store_int(s, "PRAGMA wal_autocheckpoint"), 1000);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM b"), 21200);
    store_close(s);
    fixture_remove_dir(dir);
    free(path);
}

/* past 8,192 frames the next group waits (the thread is idle: its pass
 * would copy what the last one left); once the thread's final pass ended,
 * the next transaction starts the WAL over */
static void
test_long_wal_starts_over_after_a_wait(void)
{
    char dir[] = "/tmp/smogd-sync-XXXXXX";
    struct store *s = NULL;
    struct store_syncer *y = NULL;
    struct sm_diag d = { 0 };
    uint64_t ticket = 0, off_loop = 0, on_loop = 0;
    bool held = false;

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/w.db", dir);
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(store_exec(s, "CREATE TABLE b(x BLOB)"), SM_OK);
    CHECK_INT(store_syncer_start(s, &y), SM_OK);
    /* 8,500 frames, committed without asking */
    commit_groups(s, y, 85, &ticket);
    CHECK(wait_durable(y, ticket) >= ticket);
    /* true while a pass of the thread runs, false once it is idle */
    for (int i = 0; i < 500 && !held; i++) {
        held = !store_syncer_may_commit(y);
        if (!held)
            usleep(10 * 1000);
    }
    CHECK(held);
    /* the final pass copies at most the frames since the last pass (128):
     * it may have ended already, so the wait itself may be none */
    (void)wait_may_commit(y);
    CHECK(store_syncer_may_commit(y));
    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    CHECK_INT(store_exec(s, "INSERT INTO b VALUES (x'00')"), SM_OK);
    CHECK_INT(store_commit_deferred(y, s, &ticket), SM_OK);
    CHECK(wait_durable(y, ticket) >= ticket);
    /* the WAL holds that one commit's frames, not 8,500 more */
    CHECK(fixture_store_int(s, "SELECT log FROM pragma_wal_checkpoint('PASSIVE')") < 10);
    store_syncer_checkpoints(y, &off_loop, &on_loop);
    CHECK(on_loop == 0);
    CHECK_INT(store_syncer_stop(y), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM b"), 8501);
    store_close(s);
    fixture_remove_dir(dir);
    free(path);
}

static void
test_memory_database_has_no_syncer(void)
{
    struct store *s = NULL;
    struct store_syncer *y = (struct store_syncer *)&s;
    struct sm_diag d = { 0 };

    CHECK_INT(store_open(&s, ":memory:", &d), SM_OK);
    CHECK_INT(store_syncer_start(s, &y), SM_ERR_INVAL);
    CHECK(y == NULL);
    CHECK_INT(store_syncer_stop(NULL), SM_OK);
    store_close(s);
}

/* Every writer but the deferred ack groups and redoable transactions finds
 * synchronous=FULL: a transaction, a savepoint, literal SQL or a writing
 * statement outside a transaction puts it back; reads and the ack groups
 * themselves do not. */
static const char SQL_PUT[] = "INSERT INTO t VALUES (?)";
static const char SQL_COUNT[] = "SELECT count(*) FROM t";

static void
deferred(struct store_syncer *y, struct store *s)
{
    uint64_t t = 0;

    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 1);
    CHECK_INT(store_exec_stmt(s, store_stmt(s, SQL_PUT)), SM_OK);
    CHECK_INT(store_commit_deferred(y, s, &t), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 1);
}

static void
test_other_writers_find_full_again(void)
{
    char dir[] = "/tmp/smogd-sync-XXXXXX";
    struct store *s = NULL;
    struct store_syncer *y = NULL;
    struct sm_diag d = { 0 };
    int64_t n = 0;

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/s.db", dir);
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(store_exec(s, "CREATE TABLE t(x INTEGER)"), SM_OK);
    CHECK_INT(store_syncer_start(s, &y), SM_OK);

    deferred(y, s);
    CHECK_INT(store_step_int64(s, store_stmt(s, SQL_COUNT), &n), SM_OK); /* a read */
    CHECK_INT(n, 1);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 1);
    CHECK_INT(store_begin(s), SM_OK); /* a transaction */
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 2);
    CHECK_INT(store_commit(s), SM_OK);

    deferred(y, s);
    CHECK_INT(store_exec_stmt(s, store_stmt(s, SQL_PUT)), SM_OK); /* a write on its own */
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 2);

    deferred(y, s);
    CHECK_INT(store_exec(s, "DELETE FROM t WHERE x = 42"), SM_OK); /* literal SQL */
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 2);

    deferred(y, s);
    CHECK_INT(store_step_begin(s), SM_OK); /* a savepoint opening a transaction */
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 2);
    CHECK_INT(store_step_keep(s), SM_OK);

    deferred(y, s);
    CHECK_INT(store_begin_deferred(y, s), SM_OK);
    store_rollback_deferred(s);
    CHECK_INT(store_begin(s), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 2);
    CHECK_INT(store_commit(s), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 6);

    /* a redoable transaction (the dispatcher's) does not wait for the
     * disk; the next ordinary one does */
    CHECK_INT(store_begin_redoable(s), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 1);
    CHECK_INT(store_exec_stmt(s, store_stmt(s, SQL_PUT)), SM_OK);
    CHECK_INT(store_commit(s), SM_OK);
    CHECK_INT(store_begin(s), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA synchronous"), 2);
    CHECK_INT(store_commit(s), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM t"), 7);

    CHECK_INT(store_syncer_stop(y), SM_OK);
    store_close(s);
    fixture_remove_dir(dir);
    free(path);
}

CHECK_MAIN(CHECK_CASE(test_other_writers_find_full_again),
           CHECK_CASE(test_deferred_commits_become_durable_in_order),
           CHECK_CASE(test_checkpoints_run_beside_the_commits),
           CHECK_CASE(test_long_wal_starts_over_after_a_wait),
           CHECK_CASE(test_memory_database_has_no_syncer))
