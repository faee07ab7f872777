/* The page size: a database smogd creates has STORE_PAGE_BYTES pages, and
 * so has its backup; one that exists keeps its own (a WAL database cannot
 * change it) and opens, migrates and takes writes as before, while its
 * backup (VACUUM INTO) has the new size: backup and restore convert it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/xalloc.h"
#include "check.h"
#include "store_fixture.h"
#include "store/store.h"
#include "store/store_int.h"

/* the page size in a file's header (bytes 16-17, big-endian) */
static int
header_page_size(const char *path)
{
    unsigned char h[18];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(h, 1, sizeof(h), f) : 0;

    if (f)
        fclose(f);
    return n == sizeof(h) ? (h[16] << 8 | h[17]) : -1;
}

static void
test_new_database_has_large_pages(void)
{
    char dir[] = "/tmp/smogd-pages-XXXXXX";
    struct store *s = NULL;
    struct sm_diag d = { 0 };

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/new.db", dir);
    char *copy = xasprintf("%s/copy.db", dir);
    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(fixture_store_int(s, "PRAGMA page_size"), STORE_PAGE_BYTES);
    CHECK_INT(store_backup(s, copy, &d), SM_OK);
    store_close(s);
    CHECK_INT(header_page_size(path), STORE_PAGE_BYTES);
    CHECK_INT(header_page_size(copy), STORE_PAGE_BYTES);
    fixture_remove_dir(dir);
    free(copy);
    free(path);
}

static void
test_existing_database_keeps_its_pages(void)
{
    char dir[] = "/tmp/smogd-pages-XXXXXX";
    struct store *s = NULL;
    struct sm_diag d = { 0 };
    sqlite3 *raw = NULL;

    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/old.db", dir);
    char *copy = xasprintf("%s/copy.db", dir);
    /* a database from before: 4 KiB pages, WAL, a table with rows */
    CHECK_INT(sqlite3_open(path, &raw), SQLITE_OK);
    CHECK_INT(sqlite3_exec(raw,
                           "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; "
                           "CREATE TABLE before(x TEXT); "
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                           "WHERE i < 2000) INSERT INTO before SELECT printf('%0200d', i) FROM n",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(raw);
    CHECK_INT(header_page_size(path), 4096);

    CHECK_INT(store_open(&s, path, &d), SM_OK); /* every migration applied */
    CHECK_INT(fixture_store_int(s, "PRAGMA page_size"), 4096);
    CHECK(store_schema_version(s) > 0);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM before"), 2000);
    CHECK_INT(store_begin(s), SM_OK);
    CHECK_INT(store_exec(s, "INSERT INTO before VALUES ('after')"), SM_OK);
    CHECK_INT(store_commit(s), SM_OK);
    store_close(s);

    CHECK_INT(store_open(&s, path, &d), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM before"), 2001);
    CHECK_INT(fixture_store_int(s, "PRAGMA page_size"), 4096);
    CHECK_INT(store_backup(s, copy, &d), SM_OK);
    store_close(s);
    CHECK_INT(header_page_size(path), 4096);

    CHECK_INT(header_page_size(copy), STORE_PAGE_BYTES);
    CHECK_INT(store_open(&s, copy, &d), SM_OK);
    CHECK_INT(fixture_store_int(s, "SELECT count(*) FROM before"), 2001);
    CHECK_INT(fixture_store_int(s, "PRAGMA page_size"), STORE_PAGE_BYTES);
    store_close(s);
    fixture_remove_dir(dir);
    free(copy);
    free(path);
}

CHECK_MAIN(CHECK_CASE(test_new_database_has_large_pages),
           CHECK_CASE(test_existing_database_keeps_its_pages))
