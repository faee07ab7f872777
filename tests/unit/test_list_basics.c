/* list: USCC checksum, the measure grammar, grades, columns. */
#include <stdlib.h>

#include "base/xalloc.h"
#include "check.h"
#include "list/columns.h"
#include "list/grade.h"
#include "list/measure.h"
#include "list/uscc.h"
#include "list/validate.h"

static void
test_uscc_valid(void)
{
    struct sm_diag d = { 0 };
    char region[7];

    CHECK(uscc_valid("91350100M000100Y43", &d));
    CHECK(uscc_valid("91140826MA0K10001Q", &d));
    CHECK_INT(uscc_check_char("91350100M000100Y4"), '3');
    uscc_region("91140826MA0K10001Q", region);
    CHECK_STR(region, "140826");

    CHECK(!uscc_valid("91350100M000100Y44", &d));
    CHECK_STR(d.code, "uscc_checksum");
    CHECK_INT(d.column, 18);
    CHECK_STR(d.text, "check character of \"91350100M000100Y44\" is '4', expected '3' (GB 32100-2015)");
    CHECK(!uscc_valid("91350100M000100Y4", &d));
    CHECK_STR(d.code, "uscc_length");
    CHECK(!uscc_valid("91350100MO00100Y43", &d));
    CHECK_STR(d.code, "uscc_character");
    CHECK_INT(d.column, 10);
    CHECK(!uscc_valid("91350100m000100Y43", &d)); /* lower case is not in the alphabet */
    CHECK_STR(d.code, "uscc_character");
    CHECK(!uscc_valid("91AB0100M000100Y43", &d));
    CHECK_STR(d.code, "uscc_region");
    CHECK_INT(uscc_check_char("9135010OM000100Y4"), '\0');
}

static void
test_measure_grammar(void)
{
    struct ruleset *rs = ruleset_default();
    const struct measure_rules *mr = &rs->measures;
    struct measure m;
    struct sm_diag d = { 0 };
    char buf[128];

    CHECK_INT(measure_parse("停产", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "halt");
    CHECK(m.text == NULL);
    CHECK_NEAR(measure_reduction_pct(&m), 100, 1e-9);
    measure_release(&m);

    CHECK_INT(measure_parse(" 限产30% ", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "limit");
    CHECK_NEAR(m.limit_pct, 30, 1e-9);
    measure_release(&m);

    CHECK_INT(measure_parse("限产12.5％；错峰生产 ", mr, &m, &d), SM_OK);
    CHECK_NEAR(m.limit_pct, 12.5, 1e-9);
    CHECK_STR(m.text, "错峰生产");
    CHECK_STR(measure_format(&m, buf, sizeof(buf)), "限产12.5%；错峰生产");
    measure_release(&m);

    CHECK_INT(measure_parse("自主减排;国五及以上车辆运输", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "voluntary");
    CHECK_STR(m.text, "国五及以上车辆运输");
    CHECK_NEAR(measure_reduction_pct(&m), 0, 1e-9);
    measure_release(&m);

    CHECK_INT(measure_parse("Limit 20 %", mr, &m, &d), SM_OK);
    CHECK_NEAR(m.limit_pct, 20, 1e-9);
    CHECK_STR(m.action, "limit");
    measure_release(&m);
    CHECK_INT(measure_parse("halt; night shift too", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "halt");
    CHECK_STR(m.text, "night shift too");
    measure_release(&m);
    CHECK_INT(measure_parse("voluntary", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "voluntary");
    measure_release(&m);

    CHECK_INT(measure_parse("限产0%", mr, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "measure_range");
    CHECK_INT(measure_parse("限产100%", mr, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "measure_range");
    CHECK_INT(measure_parse("限产12.55%", mr, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "measure_syntax");
    CHECK_INT(measure_parse("限产30", mr, &m, &d), SM_ERR_INVAL);
    CHECK_INT(measure_parse("限产.5%", mr, &m, &d), SM_ERR_INVAL);
    CHECK_INT(measure_parse("限产5.%", mr, &m, &d), SM_ERR_INVAL);
    CHECK_INT(measure_parse("停产停产", mr, &m, &d), SM_ERR_INVAL);
    CHECK_INT(measure_parse("", mr, &m, &d), SM_ERR_INVAL);
    CHECK_INT(measure_parse(";只有说明", mr, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "measure_syntax");
    ruleset_unref(rs);
}

/* the words come from the rules: a synonym and an action added in
 * rules/measures.json parse without a rebuild, and messages name them */
static void
test_measure_words_from_rules(void)
{
    struct ruleset *rs = ruleset_default();
    struct measure_rules *mr = &rs->measures;
    struct measure_action_rule *st = &mr->actions[mr->n_actions++];
    struct measure m;
    struct sm_diag d = { 0 };
    char buf[128];

    snprintf(st->key, sizeof(st->key), "stagger");
    st->names[st->n_names++] = xstrdup("错峰生产");
    st->names[st->n_names++] = xstrdup("stagger");
    st->reduction_pct = 50;
    mr->actions[MEASURE_ACTION_HALT].names[mr->actions[MEASURE_ACTION_HALT].n_names++] =
        xstrdup("停止生产");

    CHECK_INT(measure_parse("错峰生产；夜间", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "stagger");
    CHECK_NEAR(measure_reduction_pct(&m), 50, 0);
    CHECK_STR(measure_format(&m, buf, sizeof(buf)), "错峰生产；夜间");
    measure_release(&m);
    CHECK_INT(measure_parse("Stagger", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "stagger");
    measure_release(&m);
    CHECK_INT(measure_parse("停止生产", mr, &m, &d), SM_OK);
    CHECK_STR(m.action, "halt");
    CHECK_STR(measure_format(&m, buf, sizeof(buf)), "停产");
    measure_release(&m);
    /* an action that takes no N is its name alone */
    CHECK_INT(measure_parse("错峰生产30%", mr, &m, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "measure_syntax");
    CHECK_STR(d.text, "\"错峰生产30%\" is not a measure: expected 停产, 限产N%, 自主减排, 错峰生产 "
                      "(or halt, 停止生产, limit N%, voluntary, stagger), then optional text after ';'");

    /* a reduction taken from the rules, not from the code */
    mr->actions[MEASURE_ACTION_HALT].reduction_pct = 90;
    CHECK_INT(measure_parse("停产", mr, &m, &d), SM_OK);
    CHECK_NEAR(measure_reduction_pct(&m), 90, 0);
    measure_release(&m);
    ruleset_unref(rs);
}

static void
test_grades_and_columns(void)
{
    enum grade g = GRADE_A;

    CHECK(grade_parse("B-", &g));
    CHECK_INT(g, GRADE_B_MINUS);
    CHECK(grade_parse("保障类", &g));
    CHECK_INT(g, GRADE_PROTECTED);
    CHECK(grade_allows_voluntary(g));
    CHECK(grade_parse("引领性", &g));
    CHECK(!grade_allows_voluntary(g));
    CHECK(grade_parse("非引领性", &g));
    CHECK_INT(g, GRADE_NON_LEADING);
    CHECK(!grade_parse("E", &g));
    CHECK(!grade_parse("", &g));

    CHECK_INT(list_column_lookup("统一社会信用代码"), LIST_COL_USCC);
    CHECK_INT(list_column_lookup(" USCC "), LIST_COL_USCC);
    CHECK_INT(list_column_lookup("SO2 (kg/d)"), LIST_COL_SO2);
    CHECK_INT(list_column_lookup("二氧化硫（千克/天）"), LIST_COL_SO2);
    CHECK_INT(list_column_lookup("生产线/工序"), LIST_COL_LINE);
    CHECK_INT(list_column_lookup("正常生产负荷(kW)"), LIST_COL_POWER_KW);
    CHECK_INT(list_column_lookup("红色预警措施"), LIST_COL_RED);
    CHECK_INT(list_column_lookup("备注"), -1);
}

/* plain decimals only; a value beyond a double, or one that would read as 0
 * because it is too small for one, is not a number */
static void
test_parse_number_range(void)
{
    double x = -1;

    CHECK(list_parse_number(" 12.5 ", &x));
    CHECK(x == 12.5);
    CHECK(list_parse_number("0", &x));
    CHECK(x == 0);
    CHECK(!list_parse_number("1e-400", &x));
    CHECK(!list_parse_number("1e400", &x));
    CHECK(!list_parse_number("0x10", &x));
    CHECK(!list_parse_number("12x", &x));
}

CHECK_MAIN(CHECK_CASE(test_parse_number_range), CHECK_CASE(test_uscc_valid), CHECK_CASE(test_measure_grammar), CHECK_CASE(test_measure_words_from_rules),
           CHECK_CASE(test_grades_and_columns))
