/* The hourly compliance pass after a large issuance: orders whose
 * enterprises sent no evidence are not judged (they stay unknown, with no
 * line judged), so the pass costs nothing for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"

#define T0 FIXTURE_T0

static void
test_hourly_pass_skips_orders_without_evidence(void)
{
    struct app a;
    int64_t next = 0, orders;

    fixture_open_app(&a, 3000, 11, true);
    orders = fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    CHECK(orders > 1000);
    /* the first pass and the next clock hours */
    for (int h = 0; h < 3; h++) {
        clock_advance_to(&a.clock, T0 + h * 3600000LL + 60000);
        CHECK_INT(ops_run_timers(&a, &next), SM_OK);
    }
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM compliance_judgements"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE compliance <> 'unknown'"), 0);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'"), orders);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_hourly_pass_skips_orders_without_evidence))
