/* Order planning: one pass over the enterprises, one action at most each. */
#include "orders/plan.h"

bool
orders_plan_one(const struct level_state *s, const struct plan_enterprise *e,
                struct plan_action *out)
{
    enum level want = e->on_list ? levels_for_town(s, e->town) : LEVEL_NONE;

    if (want == LEVEL_NONE) {
        if (!e->has_order)
            return false;
        *out = (struct plan_action){ PLAN_LIFT, 0, LEVEL_NONE, 0 };
        return true;
    }
    if (!e->has_order)
        *out = (struct plan_action){ PLAN_ISSUE, 0, want, e->last_version + 1 };
    else if (e->order_level != want)
        *out = (struct plan_action){ PLAN_SUPERSEDE, 0, want, e->last_version + 1 };
    else
        return false;
    return true;
}

size_t
orders_plan(const struct level_state *s, const struct plan_enterprise *ents,
            size_t n, struct plan_action *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (orders_plan_one(s, &ents[i], &out[k]))
            out[k++].enterprise = i;
    return k;
}
