#ifndef SM_ORDERS_PLAN_H
#define SM_ORDERS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/level.h"
#include "levels/levels.h"

/* Order planning (pure): given the level state and, per enterprise, what the
 * active list says and which order it holds now, decide which orders to
 * issue, supersede or lift. Nothing outside the list is ever ordered; every
 * enterprise in scope gets an order, A-grade and protected ones included. */

enum plan_kind {
    PLAN_ISSUE,     /* no active order: version = last version + 1 */
    PLAN_SUPERSEDE, /* the level changed: the active order is replaced */
    PLAN_LIFT,      /* the level returned to none (or the firm left the list) */
};

struct plan_enterprise {
    const char *uscc;
    const char *town;
    bool on_list;           /* false: holds an order but the active list no longer names it */
    bool has_order;         /* an issued or acknowledged order in this episode */
    enum level order_level; /* its level */
    int last_version;       /* highest version in this episode, 0 if none */
};

struct plan_action {
    enum plan_kind kind;
    size_t enterprise; /* index into the input */
    enum level level;  /* the new order's level (none for a lift) */
    int version;       /* the new order's version (0 for a lift) */
};

/* The decision for one enterprise: false when it needs nothing, else *out
 * (its enterprise field left 0). */
bool orders_plan_one(const struct level_state *s, const struct plan_enterprise *e,
                     struct plan_action *out);

/* Fills out[] (capacity n: at most one action per enterprise) and returns
 * the number of actions. */
size_t orders_plan(const struct level_state *s,
                   const struct plan_enterprise *ents, size_t n,
                   struct plan_action *out);

#endif
