/* The status's order figures counted in slices (store_order_counts_slice,
 * as GET /v1/status does across loop turns): whatever the slice's size,
 * the slices add up to what the one statement counts (acks in the log,
 * overdue by flag or by deadline, violations, an enterprise with two
 * active orders across a slice's edge); orders that change between slices
 * are each counted once, as they stood when their slice was read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_fixture.h"
#include "store/store_orders.h"

#define T0 FIXTURE_T0

/* what store_begin_deferred does to the store, without a flusher thread */
static void
ack_logged(struct app *a, int64_t id)
{
    char *ent = fixture_order_enterprise(a, id);
    struct order_ack ack = { id, ent, T0 + 60000, "firm", "enterprise", NULL, NULL };

    CHECK(ent != NULL);
    a->store->ack_log_tx = true;
    CHECK_INT(store_begin(a->store), SM_OK);
    CHECK_INT(store_order_ack(a->store, &ack), SM_OK);
    CHECK_INT(store_commit(a->store), SM_OK);
    free(ent);
}

/* every slice of rows until the last; how many slices it took */
static int
count_in_slices(struct app *a, int64_t episode, int64_t now, int rows, struct order_counts *c)
{
    struct order_count_cursor cur = { 0 };
    int slices = 0;

    memset(c, 0, sizeof(*c));
    while (!cur.done && slices < 100000) {
        CHECK_INT(store_order_counts_slice(a->store, episode, now, &cur, rows, c), SM_OK);
        slices++;
    }
    CHECK(cur.done);
    free(cur.enterprise);
    return slices;
}

static void
check_same(const struct order_counts *x, const struct order_counts *y)
{
    CHECK_INT(x->active, y->active);
    CHECK_INT(x->acknowledged, y->acknowledged);
    CHECK_INT(x->overdue, y->overdue);
    CHECK_INT(x->violation, y->violation);
}

static void
test_slices_add_up_to_the_one_statement(void)
{
    struct app a;
    struct order_counts whole, sliced;
    int64_t episode, deadline, issued, new_id = 0;
    int version = 0;
    static const int sizes[] = { 1, 2, 3, 7, 64, 100000 };

    fixture_open_app(&a, 300, 7, true);
    episode = fixture_one_int(&a, "SELECT episode_id FROM orders WHERE id = 1");
    deadline = fixture_one_int(&a, "SELECT max(ack_deadline_ms) FROM orders");
    issued = fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    CHECK(issued > 20);
    ack_logged(&a, 1);
    ack_logged(&a, 2);
    ack_logged(&a, 3);
    CHECK_INT(fixture_one_int(&a, "SELECT count(*) FROM ack_log"), 3);
    /* a second active order of one enterprise, beside its first */
    CHECK_INT(store_begin(a.store), SM_OK);
    CHECK_INT(store_order_reissue(a.store, 10, T0 + 1000, deadline, "test", &new_id, &version),
              SM_OK);
    CHECK_INT(store_exec(a.store, "UPDATE orders SET compliance = 'violation' WHERE id IN (5, 6)"),
              SM_OK);
    CHECK_INT(store_exec(a.store, "UPDATE orders SET overdue = 1 WHERE id = 7"), SM_OK);
    CHECK_INT(store_commit(a.store), SM_OK);
    CHECK(new_id > issued && version == 2);

    for (int pass = 0; pass < 2; pass++) {
        int64_t now = pass == 0 ? T0 + 1000 : deadline + 1;

        CHECK_INT(store_order_counts(a.store, episode, now, &whole), SM_OK);
        CHECK_INT(whole.active, issued + 1);
        CHECK_INT(whole.acknowledged, 3);
        CHECK_INT(whole.violation, 2);
        /* before the deadline only the flagged one; after it every issued
         * order that no ack (logged or not) took */
        CHECK_INT(whole.overdue, pass == 0 ? 1 : issued + 1 - 3);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            int slices = count_in_slices(&a, episode, now, sizes[i], &sliced);

            check_same(&whole, &sliced);
            /* full slices, then one that comes short (maybe empty) */
            CHECK_INT(slices, whole.active / sizes[i] + 1);
        }
    }
    /* another episode's orders are not counted, in slices either */
    CHECK_INT(count_in_slices(&a, episode + 1, T0, 5, &sliced), 1);
    CHECK_INT(sliced.active, 0);
    app_close(&a);
}

static void
test_orders_changed_between_slices_count_once(void)
{
    struct app a;
    struct order_count_cursor cur = { 0 };
    struct order_counts c = { 0 };
    int64_t episode, first, last, issued;

    fixture_open_app(&a, 300, 7, true);
    episode = fixture_one_int(&a, "SELECT episode_id FROM orders WHERE id = 1");
    issued = fixture_one_int(&a, "SELECT count(*) FROM orders WHERE status = 'issued'");
    first = fixture_one_int(&a, "SELECT id FROM orders WHERE ended_ms IS NULL "
                                "ORDER BY enterprise, id LIMIT 1");
    last = fixture_one_int(&a, "SELECT id FROM orders WHERE ended_ms IS NULL "
                               "ORDER BY enterprise DESC, id DESC LIMIT 1");
    CHECK(first > 0 && last > 0 && first != last);
    CHECK_INT(store_order_counts_slice(a.store, episode, T0, &cur, 5, &c), SM_OK);
    CHECK(!cur.done);
    CHECK_INT(c.active, 5);
    CHECK_INT(c.acknowledged, 0);
    /* acknowledged after their slices were read: the first was counted as
     * issued already, the last is counted acknowledged; one of them folded
     * into its order, the other still in the log */
    ack_logged(&a, first);
    CHECK_INT(store_acks_fold(a.store), SM_OK);
    ack_logged(&a, last);
    while (!cur.done)
        CHECK_INT(store_order_counts_slice(a.store, episode, T0, &cur, 5, &c), SM_OK);
    free(cur.enterprise);
    CHECK_INT(c.active, issued);
    CHECK_INT(c.acknowledged, 1);
    app_close(&a);
}

CHECK_MAIN(CHECK_CASE(test_slices_add_up_to_the_one_statement),
           CHECK_CASE(test_orders_changed_between_slices_count_once))
