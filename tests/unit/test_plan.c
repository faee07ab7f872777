/* The order planner and the effective-level rule: towns, floors, supersede,
 * lift, firms that left the list, an empty list. */
#include "check.h"
#include "levels/levels.h"
#include "orders/plan.h"

static const struct level_warning county_orange = { LEVEL_ORANGE, "" };
static const struct level_warning town101_red = { LEVEL_RED, "140826101" };

static struct plan_enterprise
firm(const char *uscc, const char *town)
{
    struct plan_enterprise e = { uscc, town, true, false, LEVEL_NONE, 0 };
    return e;
}

static void
test_first_level_issues_version_1_to_everyone(void)
{
    struct level_state st = { &county_orange, 1, LEVEL_NONE, LEVEL_NONE };
    struct plan_enterprise e[3] = { firm("A", "140826100"), firm("B", "140826101"),
                                    firm("C", "140826200") };
    struct plan_action a[3];
    size_t n = orders_plan(&st, e, 3, a);

    CHECK_INT(n, 3);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(a[i].kind, PLAN_ISSUE);
        CHECK_INT(a[i].level, LEVEL_ORANGE);
        CHECK_INT(a[i].version, 1);
        CHECK_INT(a[i].enterprise, i);
    }
}

static void
test_town_warning_orders_only_that_town(void)
{
    struct level_state st = { &town101_red, 1, LEVEL_NONE, LEVEL_NONE };
    struct plan_enterprise e[2] = { firm("A", "140826100"), firm("B", "140826101") };
    struct plan_action a[2];
    size_t n = orders_plan(&st, e, 2, a);

    CHECK_INT(n, 1);
    CHECK_INT(a[0].enterprise, 1);
    CHECK_INT(a[0].level, LEVEL_RED);
    CHECK_INT(levels_for_town(&st, "140826100"), LEVEL_NONE);
    CHECK_INT(levels_effective(&st), LEVEL_RED);
}

static void
test_floors_reach_every_town(void)
{
    struct level_warning w[2] = { town101_red, county_orange };
    struct level_state st = { w, 2, LEVEL_YELLOW, LEVEL_NONE };

    CHECK_INT(levels_for_town(&st, "140826101"), LEVEL_RED);
    CHECK_INT(levels_for_town(&st, "140826102"), LEVEL_ORANGE);
    st.nwarnings = 0;
    CHECK_INT(levels_for_town(&st, "140826102"), LEVEL_YELLOW);
    st.manual = LEVEL_RED;
    CHECK_INT(levels_effective(&st), LEVEL_RED);
    CHECK_STR(levels_deciding_source(&st), "manual");
}

static void
test_level_change_supersedes_with_next_version(void)
{
    struct level_state st = { &county_orange, 1, LEVEL_NONE, LEVEL_NONE };
    struct plan_enterprise e[2] = { firm("A", "140826100"), firm("B", "140826101") };
    struct plan_action a[2];

    e[0].has_order = true;
    e[0].order_level = LEVEL_YELLOW;
    e[0].last_version = 1;
    e[1].has_order = true;
    e[1].order_level = LEVEL_ORANGE; /* already at the new level: untouched */
    e[1].last_version = 3;
    size_t n = orders_plan(&st, e, 2, a);
    CHECK_INT(n, 1);
    CHECK_INT(a[0].kind, PLAN_SUPERSEDE);
    CHECK_INT(a[0].enterprise, 0);
    CHECK_INT(a[0].version, 2);
    CHECK_INT(a[0].level, LEVEL_ORANGE);
}

static void
test_return_to_none_lifts_and_reissue_continues_versions(void)
{
    struct level_state none = { NULL, 0, LEVEL_NONE, LEVEL_NONE };
    struct level_state red = { NULL, 0, LEVEL_NONE, LEVEL_RED };
    struct plan_enterprise e[2] = { firm("A", "140826100"), firm("B", "140826101") };
    struct plan_action a[2];

    e[0].has_order = true;
    e[0].order_level = LEVEL_RED;
    e[0].last_version = 2;
    size_t n = orders_plan(&none, e, 2, a);
    CHECK_INT(n, 1);
    CHECK_INT(a[0].kind, PLAN_LIFT);
    CHECK_INT(a[0].enterprise, 0);
    /* lifted earlier in the same episode, ordered again: the next version */
    e[0].has_order = false;
    n = orders_plan(&red, e, 2, a);
    CHECK_INT(n, 2);
    CHECK_INT(a[0].kind, PLAN_ISSUE);
    CHECK_INT(a[0].version, 3);
    CHECK_INT(a[1].version, 1);
}

static void
test_firm_off_the_list_is_lifted_never_ordered(void)
{
    struct level_state st = { &county_orange, 1, LEVEL_NONE, LEVEL_NONE };
    struct plan_enterprise e[2] = { firm("A", "140826100"), firm("GONE", "") };
    struct plan_action a[2];

    e[1].on_list = false;
    e[1].has_order = true;
    e[1].order_level = LEVEL_YELLOW;
    e[1].last_version = 1;
    size_t n = orders_plan(&st, e, 2, a);
    CHECK_INT(n, 2);
    CHECK_INT(a[1].kind, PLAN_LIFT);
    CHECK_INT(a[1].enterprise, 1);
    e[1].has_order = false; /* off the list and holding nothing: nothing */
    CHECK_INT(orders_plan(&st, e, 2, a), 1);
}

static void
test_empty_list_orders_nobody(void)
{
    struct level_state st = { &county_orange, 1, LEVEL_NONE, LEVEL_NONE };
    struct plan_action a[1];

    CHECK_INT(orders_plan(&st, NULL, 0, a), 0);
}

static void
test_manual_level_may_tighten_never_relax(void)
{
    CHECK(levels_manual_allowed(LEVEL_ORANGE, LEVEL_RED));
    CHECK(levels_manual_allowed(LEVEL_ORANGE, LEVEL_ORANGE));
    CHECK(!levels_manual_allowed(LEVEL_ORANGE, LEVEL_YELLOW));
    CHECK(levels_manual_allowed(LEVEL_ORANGE, LEVEL_NONE)); /* clears the floors only */
    CHECK(levels_towns_contain("140826100 140826101", "140826101"));
    CHECK(!levels_towns_contain("1408261010", "140826101"));
    CHECK(!levels_towns_contain("", "140826101"));
}

CHECK_MAIN(CHECK_CASE(test_first_level_issues_version_1_to_everyone),
           CHECK_CASE(test_town_warning_orders_only_that_town),
           CHECK_CASE(test_floors_reach_every_town),
           CHECK_CASE(test_level_change_supersedes_with_next_version),
           CHECK_CASE(test_return_to_none_lifts_and_reissue_continues_versions),
           CHECK_CASE(test_firm_off_the_list_is_lifted_never_ordered),
           CHECK_CASE(test_empty_list_orders_nobody),
           CHECK_CASE(test_manual_level_may_tighten_never_relax))
