/* An action added in rules/measures.json that is written with N% (here
 * 错峰N%, "reduction": "limit_pct") keeps its N from the list to the order
 * and its notice, as limit does: the order's measure carries limit_pct,
 * the notice shows 错峰20%, the episode report counts the cut. Halt and
 * voluntary still carry null. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app_fixture.h"
#include "check.h"
#include "dispatch/dispatch.h"
#include "notifier.h"
#include "ops/ops.h"
#include "ruleset/ruleset.h"
#include "store/store_int.h"
#include "store/store_report.h"

#define T0 1764547200000LL /* 2025-12-01T08:00:00+08:00 */

static const struct ops_actor officer = { "officer:duty-1", "officer", NULL };
static const struct ops_actor issuer = { "issuer:feed", "issuer", NULL };

static const char list_csv[] =
    "统一社会信用代码,企业名称,乡镇,行业,绩效等级,生产线/工序,二氧化硫,氮氧化物,颗粒物,"
    "挥发性有机物,正常生产负荷,黄色预警措施,橙色预警措施,红色预警措施,备注\n"
    "9114082601234567CH,绛县恒盛铁合金有限公司,140826201,铁合金,B,1#矿热炉,40,90,20,0,"
    "20000,错峰10%,错峰20%,错峰20%;夜间,\n"
    "9114082601234567CH,绛县恒盛铁合金有限公司,140826201,铁合金,B,2#矿热炉,40,90,20,0,"
    "20000,限产10%,限产30%,停产,\n"
    "9114082601234567CH,绛县恒盛铁合金有限公司,140826201,铁合金,B,3#矿热炉,40,90,20,0,"
    "20000,自主减排,自主减排,自主减排,\n";

static void
capture(void *arg, const char *channel, const struct notice *n)
{
    char **text = arg;

    (void)channel;
    free(*text);
    *text = strdup(n->text);
}

static void
add_so2(void *arg, const struct report_order_row *o)
{
    *(double *)arg += o->promised_kg_day[0];
}

/* the built-in rules plus "stagger" (错峰N%), the way measures.json adds it */
static struct ruleset *
rules_with_stagger(void)
{
    struct ruleset *rs = ruleset_default();
    struct measure_action_rule *ar = &rs->measures.actions[rs->measures.n_actions++];

    memset(ar, 0, sizeof(*ar));
    snprintf(ar->key, sizeof(ar->key), "stagger");
    ar->names[ar->n_names++] = strdup("错峰");
    ar->takes_limit_pct = true;
    return rs;
}

static void
test_added_action_keeps_its_pct(void)
{
    struct app a;
    struct sm_diag d = { 0 };
    struct list_import_req rq = { 0 };
    struct list_import_result res = { 0 };
    json_t *reply = NULL;
    double so2 = 0;
    char *text, *notice = NULL;
    int count = 0;
    static const char body[] =
        "{\"identifier\":\"W-1\",\"sender\":\"yc@yuncheng.gov.cn\","
        "\"sent\":\"2025-12-01T07:59:00+08:00\",\"msg_type\":\"alert\",\"status\":\"Actual\","
        "\"level\":\"red\",\"onset\":\"2025-12-01T07:59:00+08:00\","
        "\"expires\":\"2025-12-09T08:00:00+08:00\",\"area\":[\"140826\"]}";

    memset(&a, 0, sizeof(a));
    config_init_defaults(&a.cfg);
    free(a.cfg.db_path);
    a.cfg.db_path = strdup(":memory:");
    clock_init_virtual(&a.clock, T0);
    a.rules = rules_with_stagger();
    CHECK_INT(app_open(&a, &d), SM_OK);
    rq.data = list_csv;
    rq.len = strlen(list_csv);
    rq.name = "list.csv";
    rq.year = 2025;
    rq.activate = true;
    rq.format = LIST_FORMAT_CSV;
    CHECK_INT(ops_import_list(&a, &officer, &rq, &res), SM_OK);
    CHECK_INT(res.lines, 3);
    ops_list_result_release(&res);
    CHECK_INT(ops_apply_warning(&a, &issuer, "application/json", body, strlen(body), &reply, &d),
              SM_OK);
    json_decref(reply);

    /* the order's measures: its list's row at its level (store_int.h) */
    text = fixture_one_text(&a, "SELECT " STORE_ORDER_MEASURES("o") " FROM orders o "
                                "WHERE o.level = 'red'");
    /* text: the measure as the list wrote it */
    CHECK_STR(text ? text : "",
              "[{\"line\":\"1#矿热炉\",\"action\":\"stagger\",\"limit_pct\":20.0,"
              "\"text\":\"错峰20%；夜间\"},"
              "{\"line\":\"2#矿热炉\",\"action\":\"halt\",\"limit_pct\":null,\"text\":\"停产\"},"
              "{\"line\":\"3#矿热炉\",\"action\":\"voluntary\",\"limit_pct\":null,"
              "\"text\":\"自主减排\"}]");
    free(text);
    /* the notice names the action with its N, as the list wrote it */
    CHECK_INT(dispatch_capture_all(&a, capture, &notice, &count, &d), SM_OK);
    CHECK_INT(count, 1);
    CHECK(strstr(notice, "\n1#矿热炉：错峰20%（") != NULL);
    CHECK(strstr(notice, "\n2#矿热炉：停产") != NULL);
    free(notice);
    /* the episode report counts the added action's cut: 20 % of line 1's
     * 40 kg/d of SO2, plus all of line 2's */
    CHECK_INT(store_report_orders(a.store, 1, add_so2, &so2), SM_OK);
    CHECK_NEAR(so2, 48.0, 1e-9);
    app_close(&a);
}

/* sm_measures, which writes the measures of the list's enterprises and so
 * of their orders: the N of limit and of an added action alike, null for
 * the others (stored as 0), lines in id order */
static void
test_sm_measures_any_pct(void)
{
    struct app a;
    struct sm_diag d = { 0 };
    char *text;

    memset(&a, 0, sizeof(a));
    config_init_defaults(&a.cfg);
    free(a.cfg.db_path);
    a.cfg.db_path = strdup(":memory:");
    clock_init_virtual(&a.clock, T0);
    CHECK_INT(app_open(&a, &d), SM_OK);
    text = fixture_one_text(&a, "SELECT sm_measures(id, line, action, pct, text) FROM ("
                        "SELECT 2 AS id, 'b' AS line, 'limit' AS action, 30.0 AS pct, '' AS text "
                        "UNION ALL SELECT 1, 'a', 'stagger', 12.5, 'x' "
                        "UNION ALL SELECT 3, 'c', 'halt', 0.0, '')");
    CHECK_STR(text ? text : "",
              "[{\"line\":\"a\",\"action\":\"stagger\",\"limit_pct\":12.5,\"text\":\"x\"},"
              "{\"line\":\"b\",\"action\":\"limit\",\"limit_pct\":30.0,\"text\":\"\"},"
              "{\"line\":\"c\",\"action\":\"halt\",\"limit_pct\":null,\"text\":\"\"}]");
    free(text);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_added_action_keeps_its_pct), CHECK_CASE(test_sm_measures_any_pct))
