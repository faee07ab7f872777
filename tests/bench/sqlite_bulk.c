/* Reference for issuance: inserts N order rows into a copy of a smogd
 * database (same schema, WAL, synchronous=FULL, foreign keys on) in one
 * transaction with one prepared statement, copying an existing order as the
 * template. It is the raw SQLite rate the issuance figures are compared
 * with. Not part of smogd.
 * usage: sqlite_bulk DB N   (prints "rows N seconds S rows_per_s R") */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
    return rc;
}

int
main(int argc, char **argv)
{
    sqlite3 *db;
    sqlite3_stmt *tpl, *ins;
    long n;
    double t0, t1;
    char uscc[32];

    if (argc != 3) {
        fprintf(stderr, "usage: sqlite_bulk DB N\n");
        return 2;
    }
    n = strtol(argv[2], NULL, 10);
    db = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                               "PRAGMA foreign_keys=ON", NULL, NULL, NULL), "pragmas");
    check(db, sqlite3_prepare_v2(db,
        "SELECT episode_id, enterprise_name, town, level, list_id, drill, measures, decision_id, "
        "issued_ms, effective_from_ms, ack_deadline_ms FROM orders LIMIT 1", -1, &tpl, NULL),
        "template");
    if (sqlite3_step(tpl) != SQLITE_ROW) {
        fprintf(stderr, "no order to copy in %s\n", argv[1]);
        return 1;
    }
    check(db, sqlite3_prepare_v2(db,
        "INSERT INTO orders (episode_id, enterprise, enterprise_name, town, version, level, "
        "list_id, drill, status, measures, decision_id, issued_ms, effective_from_ms, "
        "ack_deadline_ms) VALUES (?,?,?,?,1000,?,?,?,'issued',?,?,?,?,?)", -1, &ins, NULL),
        "insert");
    t0 = now_s();
    check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
    for (long i = 0; i < n; i++) {
        snprintf(uscc, sizeof(uscc), "BULK%014ld", i);
        sqlite3_bind_int64(ins, 1, sqlite3_column_int64(tpl, 0));
        sqlite3_bind_text(ins, 2, uscc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_value(ins, 3, sqlite3_column_value(tpl, 1));
        sqlite3_bind_value(ins, 4, sqlite3_column_value(tpl, 2));
        sqlite3_bind_value(ins, 5, sqlite3_column_value(tpl, 3));
        sqlite3_bind_value(ins, 6, sqlite3_column_value(tpl, 4));
        sqlite3_bind_value(ins, 7, sqlite3_column_value(tpl, 5));
        sqlite3_bind_value(ins, 8, sqlite3_column_value(tpl, 6));
        sqlite3_bind_value(ins, 9, sqlite3_column_value(tpl, 7));
        sqlite3_bind_value(ins, 10, sqlite3_column_value(tpl, 8));
        sqlite3_bind_value(ins, 11, sqlite3_column_value(tpl, 9));
        sqlite3_bind_value(ins, 12, sqlite3_column_value(tpl, 10));
        check(db, sqlite3_step(ins), "step");
        sqlite3_reset(ins);
    }
    check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    t1 = now_s();
    printf("rows %ld seconds %.6f rows_per_s %.0f\n", n, t1 - t0, (double)n / (t1 - t0));
    sqlite3_finalize(ins);
    sqlite3_finalize(tpl);
    sqlite3_close(db);
    return 0;
}
