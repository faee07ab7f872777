/* Loading rules/ into a struct ruleset: one parser per file kind, then the
 * checks across files. No json_t survives the load. Format: rules/README.md. */
#include "ruleset/ruleset.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/xalloc.h"
#include "ruleset/ruleset_int.h"
#include "ruleset/ruleset_json.h"

#define E(x)                                                                 \
    do {                                                                     \
        enum sm_err e_ = (x);                                                \
        if (e_ != SM_OK)                                                     \
            return e_;                                                       \
    } while (0)

static const char *const level_keys[RULESET_LEVEL_COUNT] = {
    NULL, "yellow", "orange", "red"};

/* ---- criteria: one file per set under levels/ ---- */

static enum sm_err
parse_clause(struct rj *c, const json_t *v, const char *path, int depth,
             struct criteria_clause *out)
{
    static const char *const keys[] = {"any", "all", "aqi_above",
                                       "aqi_at_least", "hours"};
    json_t *any, *all, *arr, *above, *at_least;
    char p[RJ_PATH_MAX];

    E(rj_object(c, v, path, keys, SM_ARRAY_LEN(keys)));
    any = json_object_get(v, "any");
    all = json_object_get(v, "all");
    above = json_object_get(v, "aqi_above");
    at_least = json_object_get(v, "aqi_at_least");
    if (any || all) {
        if (any && all)
            return rj_fail(c, SM_ERR_RULE, "bad_clause", path,
                           "a clause has either 'any' or 'all', not both");
        if (above || at_least || json_object_get(v, "hours"))
            return rj_fail(c, SM_ERR_RULE, "bad_clause", path,
                           "'%s' cannot be mixed with aqi_above, aqi_at_least "
                           "or hours", any ? "any" : "all");
        if (depth >= 2)
            return rj_fail(c, SM_ERR_RULE, "too_deep", path,
                           "only one level of nested any/all is allowed");
        E(rj_array(c, v, path, any ? "any" : "all", true, 1,
                   RULESET_CLAUSE_CHILDREN_MAX, &arr));
        rj_path_key(p, path, any ? "any" : "all");
        out->op = any ? CRITERIA_ANY : CRITERIA_ALL;
        out->children = xcalloc(json_array_size(arr), sizeof(*out->children));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            char pi[RJ_PATH_MAX];

            rj_path_index(pi, p, i);
            out->n_children = i + 1; /* so a failure frees what was built */
            E(parse_clause(c, json_array_get(arr, i), pi, depth + 1,
                           &out->children[i]));
        }
        return SM_OK;
    }
    out->op = CRITERIA_LEAF;
    if (above && at_least)
        return rj_fail(c, SM_ERR_RULE, "bad_clause", path,
                       "give either aqi_above or aqi_at_least, not both");
    if (!above && !at_least)
        return rj_fail(c, SM_ERR_RULE, "bad_clause", path,
                       "a clause needs 'any', 'all', 'aqi_above' or "
                       "'aqi_at_least'");
    if (above) {
        E(rj_int(c, v, path, "aqi_above", true, 0, 499, &out->aqi_above));
    } else {
        int at = 0;

        E(rj_int(c, v, path, "aqi_at_least", true, 1, 500, &at));
        out->aqi_above = at - 1; /* AQI is an integer: >= N is > N - 1 */
    }
    E(rj_int(c, v, path, "hours", true, 1, RULESET_HOURS_MAX, &out->hours));
    return SM_OK;
}

static bool
name_is_slug(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

/* expected_name: the file's base name, or NULL when parsed from memory. */
static enum sm_err
parse_criteria(struct rj *c, const json_t *root, const char *expected_name,
               struct criteria_set *cs)
{
    static const char *const keys[] = {"schema", "kind", "name", "source",
                                       "levels"};
    static const char *const lkeys[] = {"yellow", "orange", "red"};
    const char *name = NULL, *source = NULL;
    json_t *levels;

    E(rj_header(c, root, "criteria", NULL));
    E(rj_object(c, root, "", keys, SM_ARRAY_LEN(keys)));
    E(rj_string(c, root, "", "name", true, RULESET_NAME_MAX - 1, &name));
    if (!name_is_slug(name))
        return rj_fail(c, SM_ERR_RULE, "bad_name", "/name",
                       "use lower-case letters, digits, '-' and '_'");
    if (expected_name && strcmp(name, expected_name) != 0)
        return rj_fail(c, SM_ERR_RULE, "name_mismatch", "/name",
                       "\"%s\" must equal the file name \"%s\"", name,
                       expected_name);
    snprintf(cs->name, sizeof(cs->name), "%s", name);
    E(rj_string(c, root, "", "source", false, 512, &source));
    E(rj_member(c, root, "", "levels", true, &levels));
    E(rj_object(c, levels, "/levels", lkeys, SM_ARRAY_LEN(lkeys)));
    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++) {
        char p[RJ_PATH_MAX];
        json_t *v;

        E(rj_member(c, levels, "/levels", level_keys[l], true, &v));
        rj_path_key(p, "/levels", level_keys[l]);
        E(parse_clause(c, v, p, 0, &cs->levels[l]));
    }
    return SM_OK;
}

/* ---- local-trigger.json ---- */

static enum sm_err
parse_local_trigger(struct rj *c, const json_t *root,
                    struct local_trigger_rules *lt)
{
    static const char *const keys[] = {
        "schema", "kind", "mode", "criteria", "pollutant", "hysteresis_hours",
        "min_stations", "station_kinds"};
    const char *mode = "propose", *criteria = "criteria-2024", *poll = "pm25";
    json_t *kinds = NULL;

    E(rj_header(c, root, "local-trigger", NULL));
    E(rj_object(c, root, "", keys, SM_ARRAY_LEN(keys)));
    E(rj_string(c, root, "", "mode", false, 16, &mode));
    if (strcmp(mode, "off") == 0)
        lt->mode = LOCAL_TRIGGER_OFF;
    else if (strcmp(mode, "propose") == 0)
        lt->mode = LOCAL_TRIGGER_PROPOSE;
    else if (strcmp(mode, "activate") == 0)
        lt->mode = LOCAL_TRIGGER_ACTIVATE;
    else
        return rj_fail(c, SM_ERR_RULE, "bad_value", "/mode",
                       "\"%s\" is not one of off, propose, activate", mode);
    E(rj_string(c, root, "", "criteria", false, RULESET_NAME_MAX - 1,
                &criteria));
    snprintf(lt->criteria, sizeof(lt->criteria), "%s", criteria);
    E(rj_string(c, root, "", "pollutant", false, 16, &poll));
    if (strcmp(poll, "pm25") != 0)
        return rj_fail(c, SM_ERR_RULE, "bad_value", "/pollutant",
                       "\"%s\": only pm25 episodes trigger curtailment", poll);
    lt->hysteresis_hours = 12;
    E(rj_int(c, root, "", "hysteresis_hours", false, 1, RULESET_HOURS_MAX,
             &lt->hysteresis_hours));
    lt->min_stations = 1;
    E(rj_int(c, root, "", "min_stations", false, 1, 100, &lt->min_stations));
    lt->count_official = true;
    E(rj_array(c, root, "", "station_kinds", false, 1, 1, &kinds));
    for (size_t i = 0; kinds && i < json_array_size(kinds); i++) {
        json_t *k = json_array_get(kinds, i);
        char p[RJ_PATH_MAX];

        rj_path_index(p, "/station_kinds", i);
        if (!json_is_string(k))
            return rj_fail(c, SM_ERR_RULE, "wrong_type", p,
                           "expected a string, got %s", rj_type_name(k));
        if (strcmp(json_string_value(k), "official") != 0)
            return rj_fail(c, SM_ERR_RULE, "bad_value", p,
                           "\"%s\": only official stations count (low-cost "
                           "sensors never do)", json_string_value(k));
    }
    return SM_OK;
}

/* ---- ratios.json ---- */

static enum sm_err
parse_ratios(struct rj *c, const json_t *root, struct ratio_rules *r)
{
    static const char *const keys[] = {"schema", "kind", "source", "levels"};
    static const char *const lkeys[] = {"yellow", "orange", "red"};
    static const char *const pkeys[] = {"so2", "nox", "pm", "vocs"};
    const char *source = NULL;
    json_t *levels;

    E(rj_header(c, root, "ratios", NULL));
    E(rj_object(c, root, "", keys, SM_ARRAY_LEN(keys)));
    E(rj_string(c, root, "", "source", false, 512, &source));
    E(rj_member(c, root, "", "levels", true, &levels));
    E(rj_object(c, levels, "/levels", lkeys, SM_ARRAY_LEN(lkeys)));
    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++) {
        char p[RJ_PATH_MAX];
        json_t *v;

        E(rj_member(c, levels, "/levels", level_keys[l], true, &v));
        rj_path_key(p, "/levels", level_keys[l]);
        E(rj_object(c, v, p, pkeys, SM_ARRAY_LEN(pkeys)));
        for (int q = 0; q < RULESET_POLLUTANT_COUNT; q++) {
            E(rj_number(c, v, p, pkeys[q], true, 0, 100,
                        &r->required_pct[l][q]));
            if (l > LEVEL_YELLOW &&
                r->required_pct[l][q] < r->required_pct[l - 1][q]) {
                char pq[RJ_PATH_MAX];

                rj_path_key(pq, p, pkeys[q]);
                return rj_fail(c, SM_ERR_RULE, "not_monotonic", pq,
                               "%g %% is less than the %g %% required at %s",
                               r->required_pct[l][q],
                               r->required_pct[l - 1][q], level_keys[l - 1]);
            }
        }
    }
    return SM_OK;
}

/* ---- orders.json ---- */

static enum sm_err
parse_orders(struct rj *c, const json_t *root, struct order_rules *o)
{
    static const char *const keys[] = {
        "schema", "kind", "ack_deadline_minutes", "execution_hours",
        "reminder_minutes_after_deadline", "notices"};
    static const char *const lkeys[] = {"yellow", "orange", "red"};
    static const char *const nkeys[] = {"lift", "supersede"};
    json_t *ack = NULL, *rem = NULL, *notices = NULL;

    E(rj_header(c, root, "orders", NULL));
    E(rj_object(c, root, "", keys, SM_ARRAY_LEN(keys)));
    for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++)
        o->ack_deadline_minutes[l] = 60;
    E(rj_member(c, root, "", "ack_deadline_minutes", false, &ack));
    if (ack) {
        E(rj_object(c, ack, "/ack_deadline_minutes", lkeys,
                    SM_ARRAY_LEN(lkeys)));
        for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++)
            E(rj_int(c, ack, "/ack_deadline_minutes", level_keys[l], false, 1,
                     7 * 24 * 60, &o->ack_deadline_minutes[l]));
    }
    o->execution_hours = 24;
    E(rj_int(c, root, "", "execution_hours", false, 1, 168,
             &o->execution_hours));
    o->n_reminders = 1;
    o->reminder_minutes_after_deadline[0] = 0;
    E(rj_array(c, root, "", "reminder_minutes_after_deadline", false, 0,
               RULESET_REMINDERS_MAX, &rem));
    if (rem) {
        o->n_reminders = json_array_size(rem);
        for (size_t i = 0; i < o->n_reminders; i++) {
            json_t *v = json_array_get(rem, i);
            char p[RJ_PATH_MAX];

            rj_path_index(p, "/reminder_minutes_after_deadline", i);
            if (!json_is_integer(v))
                return rj_fail(c, SM_ERR_RULE, "wrong_type", p,
                               "expected an integer, got %s", rj_type_name(v));
            if (json_integer_value(v) < -1440 || json_integer_value(v) > 1440)
                return rj_fail(c, SM_ERR_RULE, "out_of_range", p,
                               "%lld is out of range -1440..1440",
                               (long long)json_integer_value(v));
            /* two at the same offset, or out of order, would remind twice or
             * in an order nobody meant */
            if (i > 0 && json_integer_value(v) <= o->reminder_minutes_after_deadline[i - 1])
                return rj_fail(c, SM_ERR_RULE, "not_monotonic", p,
                               "%lld is not after the reminder before it (%d)",
                               (long long)json_integer_value(v),
                               o->reminder_minutes_after_deadline[i - 1]);
            o->reminder_minutes_after_deadline[i] = (int)json_integer_value(v);
        }
    }
    o->notice_on_lift = o->notice_on_supersede = true;
    E(rj_member(c, root, "", "notices", false, &notices));
    if (notices) {
        E(rj_object(c, notices, "/notices", nkeys, SM_ARRAY_LEN(nkeys)));
        E(rj_bool(c, notices, "/notices", "lift", false, &o->notice_on_lift));
        E(rj_bool(c, notices, "/notices", "supersede", false,
                  &o->notice_on_supersede));
    }
    return SM_OK;
}

/* ---- compliance.json ---- */

/* "CN0".."CN6", or 国一..国六 as written on gate records. */
static bool
parse_truck_stage(const char *s, int *out)
{
    static const char *const zh[] = {"国一", "国二", "国三", "国四", "国五", "国六"};

    if (s[0] == 'C' && s[1] == 'N' && s[2] >= '0' && s[2] <= '6' && !s[3]) {
        *out = s[2] - '0';
        return true;
    }
    for (size_t i = 0; i < SM_ARRAY_LEN(zh); i++)
        if (strcmp(s, zh[i]) == 0) {
            *out = (int)i + 1;
            return true;
        }
    return false;
}

static enum sm_err
parse_compliance(struct rj *c, const json_t *root, struct compliance_rules *r)
{
    static const char *const keys[] = {"schema", "kind", "grace_minutes",
                                       "judged_over", "halt", "limit",
                                       "voluntary", "truck_ban"};
    static const char *const hkeys[] = {"max_load_pct"};
    static const char *const lkeys[] = {"tolerance_factor"};
    static const char *const vkeys[] = {"judged"};
    static const char *const tkeys[] = {"banned_at_or_below"};
    const char *over = "hourly_mean", *stage = "CN4";
    json_t *o = NULL;
    int grace = 120;
    double max_pct = 10.0;

    E(rj_header(c, root, "compliance", NULL));
    E(rj_object(c, root, "", keys, SM_ARRAY_LEN(keys)));
    E(rj_int(c, root, "", "grace_minutes", false, 0, 1440, &grace));
    r->grace_ms = (int64_t)grace * 60 * 1000;
    E(rj_string(c, root, "", "judged_over", false, 32, &over));
    if (strcmp(over, "hourly_mean") != 0)
        return rj_fail(c, SM_ERR_RULE, "bad_value", "/judged_over",
                       "\"%s\": only hourly_mean is supported", over);

    E(rj_member(c, root, "", "halt", false, &o));
    if (o) {
        E(rj_object(c, o, "/halt", hkeys, SM_ARRAY_LEN(hkeys)));
        E(rj_number(c, o, "/halt", "max_load_pct", false, 0, 100, &max_pct));
    }
    r->halt_max_load_fraction = max_pct / 100.0;

    r->limit_tolerance = 1.05;
    E(rj_member(c, root, "", "limit", false, &o));
    if (o) {
        E(rj_object(c, o, "/limit", lkeys, SM_ARRAY_LEN(lkeys)));
        E(rj_number(c, o, "/limit", "tolerance_factor", false, 1.0, 2.0,
                    &r->limit_tolerance));
    }

    r->voluntary_judged = false;
    E(rj_member(c, root, "", "voluntary", false, &o));
    if (o) {
        E(rj_object(c, o, "/voluntary", vkeys, SM_ARRAY_LEN(vkeys)));
        E(rj_bool(c, o, "/voluntary", "judged", false, &r->voluntary_judged));
        if (r->voluntary_judged)
            return rj_fail(c, SM_ERR_RULE, "bad_value", "/voluntary/judged",
                           "a voluntary measure is never judged");
    }

    E(rj_member(c, root, "", "truck_ban", false, &o));
    if (o) {
        E(rj_object(c, o, "/truck_ban", tkeys, SM_ARRAY_LEN(tkeys)));
        E(rj_string(c, o, "/truck_ban", "banned_at_or_below", false, 16,
                    &stage));
    }
    if (!parse_truck_stage(stage, &r->banned_truck_stage))
        return rj_fail(c, SM_ERR_RULE, "bad_value",
                       "/truck_ban/banned_at_or_below",
                       "\"%s\" is not an emission stage CN0..CN6 or 国一..国六",
                       stage);
    return SM_OK;
}

/* ---- measures.json ---- */

static enum sm_err
parse_action(struct rj *c, const json_t *v, const char *path, size_t a,
             struct measure_rules *m)
{
    static const char *const keys[] = {"names", "reduction_pct", "reduction"};
    json_t *names;
    const char *red = NULL;
    char p[RJ_PATH_MAX];

    E(rj_object(c, v, path, keys, SM_ARRAY_LEN(keys)));
    E(rj_array(c, v, path, "names", true, 1, RULESET_MEASURE_NAMES_MAX,
               &names));
    rj_path_key(p, path, "names");
    for (size_t i = 0; i < json_array_size(names); i++) {
        json_t *n = json_array_get(names, i);
        char pi[RJ_PATH_MAX];

        rj_path_index(pi, p, i);
        if (!json_is_string(n) || json_string_length(n) == 0 ||
            json_string_length(n) > 64)
            return rj_fail(c, SM_ERR_RULE, "wrong_type", pi,
                           "expected a name of 1..64 bytes, got %s",
                           rj_type_name(n));
        /* the list's measure grammar splits at these and trims blanks: a
         * name holding one could never be written */
        if (strpbrk(json_string_value(n), ";%\t\r\n") ||
            strstr(json_string_value(n), "\xef\xbc\x9b") ||
            json_string_value(n)[0] == ' ' ||
            json_string_value(n)[json_string_length(n) - 1] == ' ')
            return rj_fail(c, SM_ERR_RULE, "bad_value", pi,
                           "\"%s\": a name may not hold ';', '；', '%%', tabs or line breaks, "
                           "nor start or end with a space",
                           json_string_value(n));
        for (size_t b = 0; b < m->n_actions; b++)
            for (size_t j = 0; j < m->actions[b].n_names; j++)
                if (strcmp(m->actions[b].names[j], json_string_value(n)) == 0)
                    return rj_fail(c, SM_ERR_RULE, "duplicate_name", pi,
                                   "\"%s\" names two measures",
                                   json_string_value(n));
        m->actions[a].names[m->actions[a].n_names++] =
            xstrdup(json_string_value(n));
    }
    if (json_object_get(v, "reduction_pct") && json_object_get(v, "reduction"))
        return rj_fail(c, SM_ERR_RULE, "bad_value", path,
                       "give either reduction_pct or reduction, not both");
    E(rj_string(c, v, path, "reduction", false, 16, &red));
    /* halt and voluntary have fixed shares (compliance judges them as such);
     * limit and any added action may take the N of NAME N% instead */
    if (red) {
        if (strcmp(red, "limit_pct") != 0)
            return rj_fail(c, SM_ERR_RULE, "bad_value", path,
                           "\"reduction\" must be \"limit_pct\", got \"%s\"", red);
        if (a == MEASURE_ACTION_HALT || a == MEASURE_ACTION_VOLUNTARY)
            return rj_fail(c, SM_ERR_RULE, "bad_value", path,
                           "\"reduction\": \"limit_pct\" is for limit or an added action, "
                           "not halt or voluntary");
        m->actions[a].takes_limit_pct = true;
        return SM_OK;
    }
    if (a == MEASURE_ACTION_LIMIT)
        return rj_fail(c, SM_ERR_RULE, "missing_key", path,
                       "limit needs \"reduction\": \"limit_pct\"");
    E(rj_number(c, v, path, "reduction_pct", true, 0, 100,
                &m->actions[a].reduction_pct));
    return SM_OK;
}

/* an added action's key: what orders and the list store carry as "action" */
static bool
action_key_ok(const char *k)
{
    size_t n = strlen(k);

    if (n == 0 || n >= RULESET_ACTION_KEY_MAX || k[0] < 'a' || k[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return false;
    return true;
}

/* One action: its key, then its names and reduction. The action is counted
 * in m before its names are read so that a name repeated within it is found. */
static enum sm_err
add_action(struct rj *c, const json_t *actions, const char *key, struct measure_rules *m)
{
    char p[RJ_PATH_MAX];
    size_t a = m->n_actions;
    json_t *v;

    rj_path_key(p, "/actions", key);
    if (a >= RULESET_MEASURE_ACTIONS_MAX)
        return rj_fail(c, SM_ERR_RULE, "too_many", p, "at most %d actions",
                       RULESET_MEASURE_ACTIONS_MAX);
    E(rj_member(c, actions, "/actions", key, true, &v));
    snprintf(m->actions[a].key, sizeof(m->actions[a].key), "%s", key);
    m->n_actions++;
    return parse_action(c, v, p, a, m);
}

static enum sm_err
parse_measures(struct rj *c, const json_t *root, struct measure_rules *m)
{
    static const char *const keys[] = {"schema", "kind", "actions", "grades"};
    static const char *const akeys[] = {"halt", "limit", "voluntary"};
    json_t *actions, *grades, *v;
    const char *key;

    E(rj_header(c, root, "measures", NULL));
    E(rj_object(c, root, "", keys, SM_ARRAY_LEN(keys)));
    E(rj_member(c, root, "", "actions", true, &actions));
    if (!json_is_object(actions))
        return rj_fail(c, SM_ERR_RULE, "wrong_type", "/actions",
                       "expected an object, got %s", rj_type_name(actions));
    /* the contract's three first, at their fixed indexes; then any the
     * county adds, in file order */
    for (int a = 0; a < MEASURE_ACTION_COUNT; a++)
        E(add_action(c, actions, akeys[a], m));
    json_object_foreach((json_t *)actions, key, v) {
        bool fixed = false;
        char p[RJ_PATH_MAX];

        for (int a = 0; a < MEASURE_ACTION_COUNT; a++)
            fixed = fixed || strcmp(key, akeys[a]) == 0;
        if (fixed)
            continue;
        rj_path_key(p, "/actions", key);
        if (!action_key_ok(key))
            return rj_fail(c, SM_ERR_RULE, "bad_key", p,
                           "an action's key is 1..%d of a-z, 0-9 and _, starting with a letter",
                           RULESET_ACTION_KEY_MAX - 1);
        E(add_action(c, actions, key, m));
    }
    E(rj_array(c, root, "", "grades", true, 1, RULESET_GRADES_MAX, &grades));
    for (size_t i = 0; i < json_array_size(grades); i++) {
        json_t *g = json_array_get(grades, i);
        char p[RJ_PATH_MAX];

        rj_path_index(p, "/grades", i);
        if (!json_is_string(g) || json_string_length(g) == 0 ||
            json_string_length(g) > 32)
            return rj_fail(c, SM_ERR_RULE, "wrong_type", p,
                           "expected a grade of 1..32 bytes, got %s",
                           rj_type_name(g));
        for (size_t j = 0; j < m->n_grades; j++)
            if (strcmp(m->grades[j], json_string_value(g)) == 0)
                return rj_fail(c, SM_ERR_RULE, "duplicate_name", p,
                               "grade \"%s\" is listed twice",
                               json_string_value(g));
        m->grades[m->n_grades++] = xstrdup(json_string_value(g));
    }
    return SM_OK;
}

/* ---- JSON text to json_t ---- */

static enum sm_err
json_fail(struct rj *c, const json_error_t *jerr)
{
    bool dup = json_error_code(jerr) == json_error_duplicate_key;

    if (c->diag) {
        snprintf(c->diag->source, sizeof(c->diag->source), "%s", c->source);
        sm_diag_at(c->diag, jerr->line > 0 ? jerr->line : 0,
                   jerr->column > 0 ? jerr->column : 0,
                   dup ? "duplicate_key" : "json_syntax", "%s", jerr->text);
    }
    return SM_ERR_PARSE;
}

/* Dispatches on kind; name is the criteria file's base name or NULL. */
static enum sm_err
parse_kind(struct rj *c, const json_t *root, const char *kind,
           const char *name, struct ruleset *rs)
{
    if (strcmp(kind, "criteria") == 0) {
        struct criteria_set *cs;

        if (rs->n_criteria >= RULESET_CRITERIA_MAX)
            return rj_fail(c, SM_ERR_LIMIT, "too_many_files", "",
                           "at most %d criteria files", RULESET_CRITERIA_MAX);
        cs = &rs->criteria[rs->n_criteria++];
        return parse_criteria(c, root, name, cs);
    }
    if (strcmp(kind, "local-trigger") == 0)
        return parse_local_trigger(c, root, &rs->local_trigger);
    if (strcmp(kind, "ratios") == 0)
        return parse_ratios(c, root, &rs->ratios);
    if (strcmp(kind, "orders") == 0)
        return parse_orders(c, root, &rs->orders);
    if (strcmp(kind, "compliance") == 0)
        return parse_compliance(c, root, &rs->compliance);
    if (strcmp(kind, "measures") == 0)
        return parse_measures(c, root, &rs->measures);
    return rj_fail(c, SM_ERR_RULE, "unknown_kind", "/kind",
                   "unknown kind \"%s\"", kind);
}

enum sm_err
ruleset_check_buffer(const char *source, const char *data, size_t len,
                     struct sm_diag *diag)
{
    struct rj c = {source ? source : "(buffer)", diag};
    struct ruleset *rs;
    json_error_t jerr;
    json_t *root;
    const char *kind = NULL;
    enum sm_err e;

    if (len > RULESET_FILE_MAX_BYTES)
        return rj_fail(&c, SM_ERR_LIMIT, "too_large", "",
                       "%zu bytes is over the %d byte limit", len,
                       RULESET_FILE_MAX_BYTES);
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return json_fail(&c, &jerr);
    rs = ruleset_new_empty();
    e = rj_header(&c, root, NULL, &kind);
    if (e == SM_OK)
        e = parse_kind(&c, root, kind, NULL, rs);
    ruleset_free(rs);
    json_decref(root);
    return e;
}

/* ---- the directory ---- */

struct rule_file {
    const char *name; /* relative to the rules dir */
    const char *kind;
};

static const struct rule_file top_files[] = {
    {"local-trigger.json", "local-trigger"},
    {"ratios.json", "ratios"},
    {"orders.json", "orders"},
    {"compliance.json", "compliance"},
    {"measures.json", "measures"},
};

static void
path_join(char *out, size_t cap, const char *dir, const char *name)
{
    size_t n = strlen(dir);

    /* a path too long for out is cut; opening it then fails and says so */
    if ((size_t)snprintf(out, cap, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name) >= cap)
        out[cap - 1] = '\0';
}

/* Loads path (named source in diags) and parses it as kind into rs. */
static enum sm_err
load_file(const char *path, const char *kind, const char *criteria_name,
          struct ruleset *rs, struct sm_diag *diag)
{
    struct rj c = {path, diag};
    json_error_t jerr;
    struct stat st;
    json_t *root;
    enum sm_err e;

    if (stat(path, &st) != 0) {
        if (diag) {
            snprintf(diag->source, sizeof(diag->source), "%s", path);
            sm_diag_set(diag, errno == ENOENT ? "missing_rule_file" : "io",
                        "%s", strerror(errno));
        }
        return SM_ERR_IO;
    }
    if (st.st_size > RULESET_FILE_MAX_BYTES)
        return rj_fail(&c, SM_ERR_LIMIT, "too_large", "",
                       "%lld bytes is over the %d byte limit",
                       (long long)st.st_size, RULESET_FILE_MAX_BYTES);
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return json_fail(&c, &jerr);
    e = rj_header(&c, root, kind, NULL);
    if (e == SM_OK)
        e = parse_kind(&c, root, kind, criteria_name, rs);
    json_decref(root);
    return e;
}

static bool
has_json_suffix(const char *name, size_t *stem_len)
{
    size_t n = strlen(name);

    if (n <= 5 || strcmp(name + n - 5, ".json") != 0)
        return false;
    *stem_len = n - 5;
    return true;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.json names of dir (new array of new strings). */
static enum sm_err
list_json(const char *dir, char ***out, size_t *count, struct sm_diag *diag)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char **names = NULL;
    size_t n = 0;

    if (!d) {
        if (diag) {
            snprintf(diag->source, sizeof(diag->source), "%s", dir);
            sm_diag_set(diag, errno == ENOENT ? "missing_rule_file" : "io",
                        "%s", strerror(errno));
        }
        return SM_ERR_IO;
    }
    while ((ent = readdir(d)) != NULL) {
        size_t stem;

        if (ent->d_name[0] == '.' || !has_json_suffix(ent->d_name, &stem))
            continue;
        if (n >= 64)
            break; /* more than any valid set has; the caller reports it */
        names = xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = xstrdup(ent->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    *out = names;
    *count = n;
    return SM_OK;
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Every *.json at the top must be a known file: a misspelt file name would
 * otherwise be silently ignored. */
static enum sm_err
check_top_names(const char *dir, struct sm_diag *diag)
{
    char **names = NULL;
    size_t n = 0;
    enum sm_err e = list_json(dir, &names, &n, diag);

    for (size_t i = 0; e == SM_OK && i < n; i++) {
        bool known = false;

        for (size_t k = 0; k < SM_ARRAY_LEN(top_files) && !known; k++)
            known = strcmp(names[i], top_files[k].name) == 0;
        if (!known) {
            char path[1024];
            struct rj c = {path, diag};

            path_join(path, sizeof(path), dir, names[i]);
            e = rj_fail(&c, SM_ERR_RULE, "unknown_rule_file", "",
                        "not a rule file this version knows (expected one "
                        "of local-trigger, ratios, orders, compliance, "
                        "measures .json, or levels/*.json)");
        }
    }
    free_names(names, n);
    return e;
}

static enum sm_err
load_levels(const char *dir, struct ruleset *rs, struct sm_diag *diag)
{
    char levels_dir[1024], path[1024];
    char **names = NULL;
    size_t n = 0;
    enum sm_err e;

    path_join(levels_dir, sizeof(levels_dir), dir, "levels");
    if ((e = list_json(levels_dir, &names, &n, diag)))
        return e;
    if (n == 0 || n > RULESET_CRITERIA_MAX) {
        struct rj c = {levels_dir, diag};

        e = rj_fail(&c, SM_ERR_RULE, "criteria_count", "",
                    "expected 1..%d criteria files, found %zu",
                    RULESET_CRITERIA_MAX, n);
    }
    for (size_t i = 0; e == SM_OK && i < n; i++) {
        size_t stem = 0;
        char name[RULESET_NAME_MAX];

        has_json_suffix(names[i], &stem);
        snprintf(name, sizeof(name), "%.*s", (int)stem, names[i]);
        path_join(path, sizeof(path), levels_dir, names[i]);
        e = load_file(path, "criteria", name, rs, diag);
    }
    free_names(names, n);
    return e;
}

/* Checks that need more than one file. */
static enum sm_err
check_across(const char *dir, struct ruleset *rs, struct sm_diag *diag)
{
    char path[1024];
    struct rj c = {path, diag};

    path_join(path, sizeof(path), dir, "local-trigger.json");
    rs->local_trigger.criteria_set =
        ruleset_criteria_find(rs, rs->local_trigger.criteria);
    if (!rs->local_trigger.criteria_set)
        return rj_fail(&c, SM_ERR_RULE, "unknown_criteria", "/criteria",
                       "no levels/%s.json", rs->local_trigger.criteria);
    return SM_OK;
}

enum sm_err
ruleset_load_dir(const char *dir, struct ruleset **out, struct sm_diag *diag)
{
    struct ruleset *rs = ruleset_new_empty();
    char path[1024];
    enum sm_err e;

    if ((e = check_top_names(dir, diag)))
        goto out;
    for (size_t i = 0; i < SM_ARRAY_LEN(top_files); i++) {
        path_join(path, sizeof(path), dir, top_files[i].name);
        if ((e = load_file(path, top_files[i].kind, NULL, rs, diag)))
            goto out;
    }
    if ((e = load_levels(dir, rs, diag)))
        goto out;
    if ((e = check_across(dir, rs, diag)))
        goto out;
    *out = rs;
    rs = NULL;
out:
    if (rs)
        ruleset_free(rs);
    return e;
}
