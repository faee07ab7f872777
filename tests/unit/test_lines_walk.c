/* The walk over a list's lines (store_lines_walk_*) gives each enterprise
 * what store_enterprise_lines gives it: the same lines in the same order
 * with the same facts, and has_power in the enterprise's own window even
 * where the walk's wider window holds samples; enterprises skipped or
 * without lines cost nothing to those after them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "store/store_compliance.h"

#define T0 FIXTURE_T0
#define HOUR 3600000LL

struct got {
    char text[8192];
    size_t len;
    int lines, powered;
};

static void
collect(void *arg, int64_t id, const char *line, const struct line_facts *lf, bool has_power)
{
    struct got *g = arg;
    int n = snprintf(g->text + g->len, sizeof(g->text) - g->len, "%lld|%s|%g|%g|%g|%g|%g|%s|%s|%s|%d;",
                     (long long)id, line, lf->so2, lf->nox, lf->pm, lf->vocs, lf->power_kw,
                     lf->town, lf->industry, lf->grade, has_power);

    CHECK(n > 0 && (size_t)n < sizeof(g->text) - g->len);
    g->len += (size_t)n;
    g->lines++;
    g->powered += has_power;
}

static void
sample(struct app *a, const char *uscc, const char *line, int64_t at)
{
    struct meter_sample_rec r = { uscc, line, "power_kw", 120.0, false, 0, at };

    CHECK_INT(store_sample_put(a->store, &r, at, "meter:test"), SM_OK);
}

static void
test_walk_gives_what_each_lookup_gives(void)
{
    struct app a;
    sqlite3_stmt *st = NULL;
    struct store_lines_walk *w = NULL;
    int64_t list_id;
    int enterprises = 0, compared = 0, lines = 0, powered = 0;

    fixture_open_app(&a, 400, 11, false);
    list_id = fixture_one_int(&a, "SELECT id FROM lists WHERE active = 1");
    /* power samples: the first line of every third enterprise inside the
     * window asked below (T0 .. T0 + 6 h), of every fifth one after it only */
    CHECK(sqlite3_prepare_v2(a.store->db,
                             "SELECT uscc, min(line), row_number() OVER (ORDER BY uscc) FROM "
                             "list_lines WHERE list_id = ? GROUP BY uscc ORDER BY uscc",
                             -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_int64(st, 1, list_id);
    CHECK_INT(store_begin(a.store), SM_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *uscc = (const char *)sqlite3_column_text(st, 0);
        const char *line = (const char *)sqlite3_column_text(st, 1);
        int k = sqlite3_column_int(st, 2);

        if (k % 3 == 0)
            sample(&a, uscc, line, T0 + 2 * HOUR);
        if (k % 5 == 0)
            sample(&a, uscc, line, T0 + 9 * HOUR);
        enterprises++;
    }
    CHECK_INT(store_commit(a.store), SM_OK);
    sqlite3_reset(st);
    CHECK(enterprises > 30);

    /* every enterprise but each seventh, and one the list does not have */
    CHECK_INT(store_lines_walk_open(a.store, list_id, T0 - HOUR, T0 + 12 * HOUR, &w), SM_OK);
    for (int k = 0; sqlite3_step(st) == SQLITE_ROW; k++) {
        char uscc[32];
        struct got one = { 0 }, walked = { 0 };

        snprintf(uscc, sizeof(uscc), "%s", (const char *)sqlite3_column_text(st, 0));
        if (k % 7 == 3)
            continue;
        CHECK_INT(store_enterprise_lines(a.store, list_id, uscc, T0, T0 + 6 * HOUR, collect, &one),
                  SM_OK);
        CHECK_INT(store_lines_walk_enterprise(w, uscc, T0, T0 + 6 * HOUR, collect, &walked),
                  SM_OK);
        CHECK(one.lines > 0);
        CHECK_STR(walked.text, one.text);
        compared++;
        lines += one.lines;
        powered += one.powered;
    }
    struct got none = { 0 };
    CHECK_INT(store_lines_walk_enterprise(w, "ZZZZZZZZZZZZZZZZZZ", T0, T0 + 6 * HOUR, collect, &none),
              SM_OK);
    CHECK_INT(none.lines, 0);
    store_lines_walk_close(w);
    sqlite3_finalize(st);
    CHECK(compared > 25 && lines > compared);
    /* the samples inside the window count, those after it do not */
    CHECK(powered > 0 && powered < compared);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_walk_gives_what_each_lookup_gives))
