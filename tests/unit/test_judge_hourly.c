/* The hourly compliance pass after a large issuance: orders whose
 * enterprises sent no evidence are not judged (they stay unknown, with no
 * line judged), so the pass costs nothing for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "check.h"
#include "list/gen.h"
#include "ops/ops.h"
#include "store/store.h"
#include "store/store_int.h"

#define T0 1764547200000LL /* 2025-12-01T08:00:00+08:00 */

static const struct ops_actor officer = { "officer:duty-1", "officer", NULL };
static const struct ops_actor issuer = { "issuer:feed", "issuer", NULL };

static int64_t
one_int(struct app *a, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(a->store->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
open_with_orders(struct app *a, long lines)
{
    struct sm_diag d = { 0 };
    char *csv = NULL;
    size_t len = 0;
    FILE *f;
    struct list_import_req rq = { 0 };
    struct list_import_result res = { 0 };
    json_t *reply = NULL;
    static const char body[] =
        "{\"identifier\":\"W-1\",\"sender\":\"yc@yuncheng.gov.cn\","
        "\"sent\":\"2025-12-01T07:59:00+08:00\",\"msg_type\":\"alert\",\"status\":\"Actual\","
        "\"level\":\"red\",\"onset\":\"2025-12-01T07:59:00+08:00\","
        "\"expires\":\"2025-12-09T08:00:00+08:00\",\"area\":[\"140826\"]}";

    config_init_defaults(&a->cfg);
    free(a->cfg.db_path);
    a->cfg.db_path = strdup(":memory:");
    clock_init_virtual(&a->clock, T0);
    CHECK_INT(app_open(a, &d), SM_OK);
    f = open_memstream(&csv, &len);
    CHECK_INT(list_generate_csv(f, lines, 11, NULL), SM_OK);
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
    CHECK_INT(ops_apply_warning(a, &issuer, "application/json", body, strlen(body), &reply, &d),
              SM_OK);
    CHECK(json_is_true(json_object_get(reply, "applied")));
    json_decref(reply);
}

static void
test_hourly_pass_skips_orders_without_evidence(void)
{
    struct app a;
    int64_t next = 0, orders;

    memset(&a, 0, sizeof(a));
    open_with_orders(&a, 3000);
    orders = one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    CHECK(orders > 1000);
    /* the first pass and the next clock hours */
    for (int h = 0; h < 3; h++) {
        clock_advance_to(&a.clock, T0 + h * 3600000LL + 60000);
        CHECK_INT(ops_run_timers(&a, &next), SM_OK);
    }
    CHECK_INT(one_int(&a, "SELECT count(*) FROM compliance_judgements"), 0);
    CHECK_INT(one_int(&a, "SELECT count(*) FROM orders WHERE compliance <> 'unknown'"), 0);
    CHECK_INT(one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'"), orders);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_hourly_pass_skips_orders_without_evidence))
