/* The ruleset object: built-in defaults, references, and the evaluation of
 * level criteria on an hourly AQI series. Loading is in ruleset_load.c. */
#include "ruleset/ruleset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "ruleset/ruleset_int.h"

struct ruleset *
ruleset_new_empty(void)
{
    struct ruleset *rs = xcalloc(1, sizeof(*rs));

    atomic_init(&rs->refcount, 1);
    return rs;
}

static void
clause_release(struct criteria_clause *c)
{
    for (size_t i = 0; i < c->n_children; i++)
        clause_release(&c->children[i]);
    free(c->children);
    c->children = NULL;
    c->n_children = 0;
}

void
ruleset_free(struct ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n_criteria; i++)
        for (int l = 0; l < RULESET_LEVEL_COUNT; l++)
            clause_release(&rs->criteria[i].levels[l]);
    for (size_t a = 0; a < rs->measures.n_actions; a++)
        for (size_t i = 0; i < rs->measures.actions[a].n_names; i++)
            free(rs->measures.actions[a].names[i]);
    for (size_t i = 0; i < rs->measures.n_grades; i++)
        free(rs->measures.grades[i]);
    free(rs);
}

struct ruleset *
ruleset_ref(struct ruleset *rs)
{
    if (rs)
        atomic_fetch_add(&rs->refcount, 1);
    return rs;
}

void
ruleset_unref(struct ruleset *rs)
{
    if (rs && atomic_fetch_sub(&rs->refcount, 1) == 1)
        ruleset_free(rs);
}

const struct criteria_set *
ruleset_criteria_find(const struct ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_criteria; i++)
        if (strcmp(rs->criteria[i].name, name) == 0)
            return &rs->criteria[i];
    return NULL;
}

/* ---- defaults (kept equal to the bundled rules/ files; a test checks) ---- */

static void
clause_set_group(struct criteria_clause *c, enum criteria_op op, size_t n)
{
    c->op = op;
    c->n_children = n;
    c->children = xcalloc(n, sizeof(*c->children));
}

static void
clause_set_leaf(struct criteria_clause *c, int aqi_above, int hours)
{
    c->op = CRITERIA_LEAF;
    c->aqi_above = aqi_above;
    c->hours = hours;
}

static void
default_criteria_2024(struct criteria_set *cs)
{
    struct criteria_clause *l = cs->levels;

    snprintf(cs->name, sizeof(cs->name), "criteria-2024");
    clause_set_group(&l[LEVEL_YELLOW], CRITERIA_ANY, 2);
    clause_set_leaf(&l[LEVEL_YELLOW].children[0], 200, 24);
    clause_set_leaf(&l[LEVEL_YELLOW].children[1], 150, 48);
    clause_set_group(&l[LEVEL_ORANGE], CRITERIA_ANY, 2);
    clause_set_leaf(&l[LEVEL_ORANGE].children[0], 200, 48);
    clause_set_leaf(&l[LEVEL_ORANGE].children[1], 150, 72);
    clause_set_group(&l[LEVEL_RED], CRITERIA_ALL, 2);
    clause_set_leaf(&l[LEVEL_RED].children[0], 200, 72);
    clause_set_leaf(&l[LEVEL_RED].children[1], 300, 24);
}

static void
default_criteria_2019(struct criteria_set *cs)
{
    struct criteria_clause *l = cs->levels, *both;

    snprintf(cs->name, sizeof(cs->name), "criteria-2019-shanxi");
    clause_set_group(&l[LEVEL_YELLOW], CRITERIA_ANY, 1);
    clause_set_leaf(&l[LEVEL_YELLOW].children[0], 200, 48);
    clause_set_group(&l[LEVEL_ORANGE], CRITERIA_ANY, 1);
    clause_set_leaf(&l[LEVEL_ORANGE].children[0], 200, 72);
    clause_set_group(&l[LEVEL_RED], CRITERIA_ANY, 2);
    both = &l[LEVEL_RED].children[0];
    clause_set_group(both, CRITERIA_ALL, 2);
    clause_set_leaf(&both->children[0], 200, 96);
    clause_set_leaf(&both->children[1], 300, 48);
    clause_set_leaf(&l[LEVEL_RED].children[1], 499, 1); /* "aqi_at_least": 500 */
}

static void
default_names(struct measure_rules *m, enum rule_measure_action a, const char *zh,
              const char *en)
{
    snprintf(m->actions[a].key, sizeof(m->actions[a].key), "%s", en);
    m->actions[a].names[0] = xstrdup(zh);
    m->actions[a].names[1] = xstrdup(en);
    m->actions[a].n_names = 2;
}

struct ruleset *
ruleset_default(void)
{
    static const char *const grades[] = {"A", "B", "B-", "C", "D",
                                         "引领性", "非引领性", "保障类"};
    struct ruleset *rs = ruleset_new_empty();

    /* criteria sets sorted by name, as the loader keeps them */
    default_criteria_2019(&rs->criteria[0]);
    default_criteria_2024(&rs->criteria[1]);
    rs->n_criteria = 2;

    rs->local_trigger.mode = LOCAL_TRIGGER_PROPOSE;
    snprintf(rs->local_trigger.criteria, sizeof(rs->local_trigger.criteria),
             "criteria-2024");
    rs->local_trigger.criteria_set = &rs->criteria[1];
    rs->local_trigger.hysteresis_hours = 12;
    rs->local_trigger.min_stations = 1;
    rs->local_trigger.count_official = true;

    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++) {
        for (int p = 0; p < RULESET_POLLUTANT_COUNT; p++)
            rs->ratios.required_pct[l][p] = 10.0 * l;
        rs->orders.ack_deadline_minutes[l] = 60;
    }
    rs->orders.execution_hours = 24;
    rs->orders.n_reminders = 1;
    rs->orders.reminder_minutes_after_deadline[0] = 0;
    rs->orders.notice_on_lift = true;
    rs->orders.notice_on_supersede = true;

    rs->compliance.halt_max_load_fraction = 0.10;
    rs->compliance.limit_tolerance = 1.05;
    rs->compliance.grace_ms = 120 * 60 * 1000LL;
    rs->compliance.voluntary_judged = false;
    rs->compliance.banned_truck_stage = 4;

    default_names(&rs->measures, MEASURE_ACTION_HALT, "停产", "halt");
    rs->measures.actions[MEASURE_ACTION_HALT].reduction_pct = 100.0;
    default_names(&rs->measures, MEASURE_ACTION_LIMIT, "限产", "limit");
    rs->measures.actions[MEASURE_ACTION_LIMIT].takes_limit_pct = true;
    default_names(&rs->measures, MEASURE_ACTION_VOLUNTARY, "自主减排", "voluntary");
    rs->measures.actions[MEASURE_ACTION_VOLUNTARY].reduction_pct = 0.0;
    rs->measures.n_actions = MEASURE_ACTION_COUNT;
    for (size_t i = 0; i < SM_ARRAY_LEN(grades); i++)
        rs->measures.grades[i] = xstrdup(grades[i]);
    rs->measures.n_grades = SM_ARRAY_LEN(grades);
    return rs;
}

/* ---- evaluation ---- */

/* Longest run of consecutive hours with AQI > above, PM2.5 primary. */
static int
longest_run(int above, const int *aqi, const bool *pm25_primary, size_t n)
{
    int run = 0, best = 0;

    for (size_t i = 0; i < n; i++) {
        if (aqi[i] >= 0 && aqi[i] > above && pm25_primary[i]) {
            run++;
            if (run > best)
                best = run;
        } else {
            run = 0;
        }
    }
    return best;
}

static bool
clause_holds(const struct criteria_clause *c, const int *aqi,
             const bool *pm25_primary, size_t n)
{
    switch (c->op) {
    case CRITERIA_LEAF:
        return c->hours > 0 &&
               longest_run(c->aqi_above, aqi, pm25_primary, n) >= c->hours;
    case CRITERIA_ANY:
        for (size_t i = 0; i < c->n_children; i++)
            if (clause_holds(&c->children[i], aqi, pm25_primary, n))
                return true;
        return false;
    case CRITERIA_ALL:
        if (c->n_children == 0)
            return false; /* an empty "all" never holds: fail safe, no curtailment */
        for (size_t i = 0; i < c->n_children; i++)
            if (!clause_holds(&c->children[i], aqi, pm25_primary, n))
                return false;
        return true;
    }
    return false;
}

enum level
criteria_set_level(const struct criteria_set *cs, const int *hourly_aqi,
                   const bool *pm25_primary, size_t n)
{
    if (!cs || !hourly_aqi || !pm25_primary)
        return LEVEL_NONE;
    for (int l = LEVEL_RED; l >= LEVEL_YELLOW; l--)
        if (clause_holds(&cs->levels[l], hourly_aqi, pm25_primary, n))
            return (enum level)l;
    return LEVEL_NONE;
}

enum level
ruleset_criteria_level(const struct ruleset *rs, const int *hourly_aqi,
                       const bool *pm25_primary, size_t n)
{
    if (!rs || rs->local_trigger.mode == LOCAL_TRIGGER_OFF)
        return LEVEL_NONE;
    return criteria_set_level(rs->local_trigger.criteria_set, hourly_aqi,
                              pm25_primary, n);
}

const char *
local_trigger_mode_name(enum local_trigger_mode m)
{
    switch (m) {
    case LOCAL_TRIGGER_OFF: return "off";
    case LOCAL_TRIGGER_PROPOSE: return "propose";
    case LOCAL_TRIGGER_ACTIVATE: return "activate";
    }
    return "?";
}

const char *
ruleset_pollutant_name(enum ruleset_pollutant p)
{
    static const char *const names[] = {"so2", "nox", "pm", "vocs"};

    return (unsigned)p < SM_ARRAY_LEN(names) ? names[p] : "?";
}

const struct measure_action_rule *
measure_rules_find(const struct measure_rules *rules, const char *key)
{
    for (size_t a = 0; rules && key && a < rules->n_actions; a++)
        if (strcmp(rules->actions[a].key, key) == 0)
            return &rules->actions[a];
    return NULL;
}
