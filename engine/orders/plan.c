/* Order planning: one pass over the enterprises, one action at most each. */
#include "orders/plan.h"

size_t
orders_plan(const struct level_state *s, const struct plan_enterprise *ents,
            size_t n, struct plan_action *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        const struct plan_enterprise *e = &ents[i];
        enum level want = e->on_list ? levels_for_town(s, e->town) : LEVEL_NONE;

        if (want == LEVEL_NONE) {
            if (e->has_order)
                out[k++] = (struct plan_action){ PLAN_LIFT, i, LEVEL_NONE, 0 };
            continue;
        }
        if (!e->has_order)
            out[k++] = (struct plan_action){ PLAN_ISSUE, i, want, e->last_version + 1 };
        else if (e->order_level != want)
            out[k++] = (struct plan_action){ PLAN_SUPERSEDE, i, want, e->last_version + 1 };
    }
    return k;
}
