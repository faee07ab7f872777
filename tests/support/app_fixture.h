/* The set-up several unit tests share: an app on an in-memory database
 * with an active generated list and, when asked, a red warning applied at
 * FIXTURE_T0 (so its orders are issued); and one-value queries. Static
 * inline: each unit test is one file, and a test uses what it needs. */
#ifndef SM_TESTS_APP_FIXTURE_H
#define SM_TESTS_APP_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "check.h"
#include "list/gen.h"
#include "ops/ops.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store_fixture.h"

#define FIXTURE_T0 1764547200000LL /* 2025-12-01T08:00:00+08:00 */

/* the first column of the first row of sql, or -1 */
static inline int64_t
fixture_one_int(struct app *a, const char *sql)
{
    return fixture_store_int(a->store, sql);
}

/* new: the first column of the first row of sql as text, or NULL */
static inline char *
fixture_one_text(struct app *a, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;

    if (sqlite3_prepare_v2(a->store->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

/* new: the enterprise order id is addressed to, or NULL */
static inline char *
fixture_order_enterprise(struct app *a, int64_t id)
{
    char sql[96];

    snprintf(sql, sizeof(sql), "SELECT enterprise FROM orders WHERE id = %lld", (long long)id);
    return fixture_one_text(a, sql);
}

/* a list of lines generated from seed, imported into a and made active */
static inline void
fixture_import_list(struct app *a, long lines, uint64_t seed)
{
    const struct ops_actor officer = { "officer:duty-1", "officer", NULL };
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    struct list_import_req rq = { 0 };
    struct list_import_result res = { 0 };

    CHECK(f != NULL);
    CHECK_INT(list_generate_csv(f, lines, seed, NULL), SM_OK);
    fclose(f);
    rq.data = csv;
    rq.len = len;
    rq.name = "list.csv";
    rq.year = 2025;
    rq.activate = true;
    rq.format = LIST_FORMAT_CSV;
    CHECK_INT(ops_import_list(a, &officer, &rq, &res), SM_OK);
    ops_list_result_release(&res);
    free(csv);
}

/* a in memory with a list of lines generated from seed, active; with
 * red_warning, a red warning for Jiang County applied at FIXTURE_T0 */
static inline void
fixture_open_app(struct app *a, long lines, uint64_t seed, bool red_warning)
{
    const struct ops_actor issuer = { "issuer:feed", "issuer", NULL };
    struct sm_diag d = { 0 };
    json_t *reply = NULL;
    static const char body[] =
        "{\"identifier\":\"W-1\",\"sender\":\"yc@yuncheng.gov.cn\","
        "\"sent\":\"2025-12-01T07:59:00+08:00\",\"msg_type\":\"alert\",\"status\":\"Actual\","
        "\"level\":\"red\",\"onset\":\"2025-12-01T07:59:00+08:00\","
        "\"expires\":\"2025-12-09T08:00:00+08:00\",\"area\":[\"140826\"]}";

    memset(a, 0, sizeof(*a));
    config_init_defaults(&a->cfg);
    free(a->cfg.db_path);
    a->cfg.db_path = strdup(":memory:");
    clock_init_virtual(&a->clock, FIXTURE_T0);
    CHECK_INT(app_open(a, &d), SM_OK);
    fixture_import_list(a, lines, seed);
    if (!red_warning)
        return;
    CHECK_INT(ops_apply_warning(a, &issuer, "application/json", body, strlen(body), &reply, &d),
              SM_OK);
    CHECK(json_is_true(json_object_get(reply, "applied")));
    json_decref(reply);
}

#endif
