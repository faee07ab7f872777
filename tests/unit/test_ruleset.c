/* The rule loader against the bundled rules/ and broken copies of it, and
 * the level criteria on hourly AQI series with exact hour counts. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ruleset/ruleset.h"

static const char *
source_dir(void)
{
    const char *d = getenv("SMOGD_SOURCE_DIR");

    return d && *d ? d : SMOGD_SOURCE_DIR;
}

static struct ruleset *
load_real(void)
{
    char dir[1024];
    struct sm_diag diag = {0};
    struct ruleset *rs = NULL;
    enum sm_err e;

    snprintf(dir, sizeof(dir), "%s/rules", source_dir());
    e = ruleset_load_dir(dir, &rs, &diag);
    if (e != SM_OK) {
        char msg[800];

        sm_diag_format(&diag, msg, sizeof(msg));
        fprintf(stderr, "load %s: %s\n", dir, msg);
    }
    CHECK_INT(e, SM_OK);
    return rs;
}

/* Loads tests/data/rules-bad/name; returns the code and the formatted diag. */
static enum sm_err
load_bad(const char *name, struct sm_diag *diag, char *msg, size_t cap)
{
    char dir[1024];
    struct ruleset *rs = NULL;
    enum sm_err e;

    memset(diag, 0, sizeof(*diag));
    snprintf(dir, sizeof(dir), "%s/tests/data/rules-bad/%s", source_dir(), name);
    e = ruleset_load_dir(dir, &rs, diag);
    CHECK(rs == NULL);
    ruleset_unref(rs);
    sm_diag_format(diag, msg, cap);
    return e;
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool
clause_equal(const struct criteria_clause *a, const struct criteria_clause *b)
{
    if (a->op != b->op || a->n_children != b->n_children)
        return false;
    if (a->op == CRITERIA_LEAF)
        return a->aqi_above == b->aqi_above && a->hours == b->hours;
    for (size_t i = 0; i < a->n_children; i++)
        if (!clause_equal(&a->children[i], &b->children[i]))
            return false;
    return true;
}

static void
test_real_rules_load(void)
{
    struct ruleset *rs = load_real();
    const struct criteria_set *cs;

    if (!rs)
        return;
    CHECK_INT(rs->n_criteria, 2);
    CHECK_STR(rs->criteria[0].name, "criteria-2019-shanxi");
    CHECK_STR(rs->criteria[1].name, "criteria-2024");
    CHECK_INT(rs->local_trigger.mode, LOCAL_TRIGGER_PROPOSE);
    CHECK_STR(rs->local_trigger.criteria, "criteria-2024");
    CHECK(rs->local_trigger.criteria_set == &rs->criteria[1]);
    CHECK_INT(rs->local_trigger.hysteresis_hours, 12);
    CHECK_INT(rs->local_trigger.min_stations, 1);
    CHECK(rs->local_trigger.count_official);
    CHECK_NEAR(rs->ratios.required_pct[LEVEL_YELLOW][RULESET_POLLUTANT_SO2], 10, 0);
    CHECK_NEAR(rs->ratios.required_pct[LEVEL_ORANGE][RULESET_POLLUTANT_VOCS], 20, 0);
    CHECK_NEAR(rs->ratios.required_pct[LEVEL_RED][RULESET_POLLUTANT_PM], 30, 0);
    CHECK_INT(rs->orders.ack_deadline_minutes[LEVEL_RED], 60);
    CHECK_INT(rs->orders.execution_hours, 24);
    CHECK_INT(rs->orders.n_reminders, 1);
    CHECK_INT(rs->orders.reminder_minutes_after_deadline[0], 0);
    CHECK(rs->orders.notice_on_lift && rs->orders.notice_on_supersede);
    CHECK_NEAR(rs->compliance.halt_max_load_fraction, 0.10, 1e-12);
    CHECK_NEAR(rs->compliance.limit_tolerance, 1.05, 1e-12);
    CHECK_INT(rs->compliance.grace_ms, 7200000);
    CHECK_INT(rs->compliance.banned_truck_stage, 4);
    CHECK(!rs->compliance.voluntary_judged);
    CHECK_STR(rs->measures.actions[MEASURE_ACTION_HALT].names[0], "停产");
    CHECK_STR(rs->measures.actions[MEASURE_ACTION_VOLUNTARY].names[1], "voluntary");
    CHECK(rs->measures.actions[MEASURE_ACTION_LIMIT].takes_limit_pct);
    CHECK_INT(rs->measures.n_grades, 8);
    CHECK_STR(rs->measures.grades[7], "保障类");
    cs = ruleset_criteria_find(rs, "criteria-2019-shanxi");
    CHECK(cs != NULL);
    if (cs) {
        /* red: any[ all[>200 96h, >300 48h], >=500 1h ] */
        const struct criteria_clause *red = &cs->levels[LEVEL_RED];

        CHECK_INT(red->op, CRITERIA_ANY);
        CHECK_INT(red->n_children, 2);
        CHECK_INT(red->children[0].op, CRITERIA_ALL);
        CHECK_INT(red->children[0].children[0].hours, 96);
        CHECK_INT(red->children[1].aqi_above, 499);
        CHECK_INT(red->children[1].hours, 1);
    }
    ruleset_unref(rs);
}

/* The built-in defaults are the bundled files, value for value. */
static void
test_defaults_equal_bundled_files(void)
{
    struct ruleset *rs = load_real(), *def = ruleset_default();

    if (!rs) {
        ruleset_unref(def);
        return;
    }
    CHECK_INT(def->n_criteria, rs->n_criteria);
    for (size_t i = 0; i < rs->n_criteria && i < def->n_criteria; i++) {
        CHECK_STR(def->criteria[i].name, rs->criteria[i].name);
        for (int l = LEVEL_YELLOW; l <= LEVEL_RED; l++)
            CHECK(clause_equal(&def->criteria[i].levels[l],
                               &rs->criteria[i].levels[l]));
    }
    CHECK_INT(def->local_trigger.mode, rs->local_trigger.mode);
    CHECK_STR(def->local_trigger.criteria, rs->local_trigger.criteria);
    CHECK_INT(def->local_trigger.hysteresis_hours, rs->local_trigger.hysteresis_hours);
    CHECK_INT(def->local_trigger.min_stations, rs->local_trigger.min_stations);
    CHECK(memcmp(&def->ratios, &rs->ratios, sizeof(rs->ratios)) == 0);
    CHECK(memcmp(&def->orders, &rs->orders, sizeof(rs->orders)) == 0);
    CHECK(memcmp(&def->compliance, &rs->compliance, sizeof(rs->compliance)) == 0);
    CHECK_INT(def->measures.n_actions, rs->measures.n_actions);
    for (size_t a = 0; a < rs->measures.n_actions && a < def->measures.n_actions; a++) {
        CHECK_STR(def->measures.actions[a].key, rs->measures.actions[a].key);
        CHECK_INT(def->measures.actions[a].n_names, rs->measures.actions[a].n_names);
        for (size_t i = 0; i < rs->measures.actions[a].n_names &&
                           i < def->measures.actions[a].n_names; i++)
            CHECK_STR(def->measures.actions[a].names[i],
                      rs->measures.actions[a].names[i]);
        CHECK_INT(def->measures.actions[a].takes_limit_pct,
                  rs->measures.actions[a].takes_limit_pct);
        CHECK_NEAR(def->measures.actions[a].reduction_pct,
                   rs->measures.actions[a].reduction_pct, 0);
    }
    CHECK_INT(def->measures.n_grades, rs->measures.n_grades);
    for (size_t i = 0; i < rs->measures.n_grades && i < def->measures.n_grades; i++)
        CHECK_STR(def->measures.grades[i], rs->measures.grades[i]);
    ruleset_unref(def);
    ruleset_unref(rs);
}

static void
test_refcount(void)
{
    struct ruleset *rs = ruleset_default();

    CHECK(ruleset_ref(rs) == rs);
    CHECK_INT(atomic_load(&rs->refcount), 2);
    ruleset_unref(rs);
    CHECK_INT(atomic_load(&rs->refcount), 1);
    ruleset_unref(rs); /* freed: ASan would catch a double free or leak */
    ruleset_unref(NULL);
}

static void
test_bad_unknown_key(void)
{
    struct sm_diag d;
    char msg[800];

    CHECK_INT(load_bad("unknown-key", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "rules-bad/unknown-key/compliance.json"));
    CHECK_STR(d.code, "unknown_key");
    CHECK_STR(d.text, "/halt: unknown key 'max_load_pctt'");
    CHECK(ends_with(msg, "compliance.json: /halt: unknown key 'max_load_pctt'"));
}

static void
test_bad_wrong_type(void)
{
    struct sm_diag d;
    char msg[800];

    CHECK_INT(load_bad("wrong-type", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "/orders.json"));
    CHECK_STR(d.code, "wrong_type");
    CHECK_STR(d.text, "/execution_hours: expected an integer, got a string");
}

/* every typed reader names the path, the type it wanted and the one it got */
static void
check_type_error(const char *text, const char *want)
{
    struct sm_diag d = { 0 };

    CHECK_INT(ruleset_check_buffer("c.json", text, strlen(text), &d), SM_ERR_RULE);
    CHECK_STR(d.code, "wrong_type");
    CHECK_STR(d.text, want);
}

static void
test_bad_wrong_type_each_reader(void)
{
    static const char head[] = "{\"schema\": 1, \"kind\": \"compliance\", \"grace_minutes\": 120, "
                               "\"judged_over\": \"hourly_mean\", ";
    char text[512];

    snprintf(text, sizeof(text), "%s\"halt\": {\"max_load_pct\": \"10\"}, \"limit\": "
             "{\"tolerance_factor\": 1.05}, \"voluntary\": {\"judged\": false}, \"truck_ban\": "
             "{\"banned_at_or_below\": \"CN4\"}}", head);
    check_type_error(text, "/halt/max_load_pct: expected a number, got a string");
    snprintf(text, sizeof(text), "%s\"halt\": {\"max_load_pct\": 10}, \"limit\": "
             "{\"tolerance_factor\": 1.05}, \"voluntary\": {\"judged\": 0}, \"truck_ban\": "
             "{\"banned_at_or_below\": \"CN4\"}}", head);
    check_type_error(text, "/voluntary/judged: expected true or false, got an integer");
    snprintf(text, sizeof(text), "%s\"halt\": {\"max_load_pct\": 10}, \"limit\": "
             "{\"tolerance_factor\": 1.05}, \"voluntary\": {\"judged\": false}, \"truck_ban\": "
             "{\"banned_at_or_below\": 4}}", head);
    check_type_error(text, "/truck_ban/banned_at_or_below: expected a string, got an integer");
    check_type_error("{\"schema\": 1, \"kind\": \"measures\", \"actions\": {"
                     "\"halt\": {\"names\": \"停产\", \"reduction_pct\": 100}}}",
                     "/actions/halt/names: expected an array, got a string");
}

static void
test_bad_out_of_range(void)
{
    struct sm_diag d;
    char msg[800];

    CHECK_INT(load_bad("out-of-range", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "/ratios.json"));
    CHECK_STR(d.code, "out_of_range");
    CHECK_STR(d.text, "/levels/yellow/so2: 150 is out of range 0..100");
}

static void
test_bad_duplicate_key(void)
{
    struct sm_diag d;
    char msg[800];

    CHECK_INT(load_bad("duplicate-key", &d, msg, sizeof(msg)), SM_ERR_PARSE);
    CHECK(ends_with(d.source, "/local-trigger.json"));
    CHECK_STR(d.code, "duplicate_key");
    CHECK_INT(d.line, 5);
    CHECK(strstr(d.text, "duplicate object key") != NULL);
}

static void
test_bad_syntax(void)
{
    struct sm_diag d;
    char msg[800];

    CHECK_INT(load_bad("syntax-error", &d, msg, sizeof(msg)), SM_ERR_PARSE);
    CHECK(ends_with(d.source, "/compliance.json"));
    CHECK_STR(d.code, "json_syntax");
    CHECK_INT(d.line, 4);
    CHECK(d.column > 0);
}

static void
test_bad_cross_and_semantic(void)
{
    struct sm_diag d;
    char msg[800];

    CHECK_INT(load_bad("unknown-criteria", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "/local-trigger.json"));
    CHECK_STR(d.text, "/criteria: no levels/criteria-2025.json");

    CHECK_INT(load_bad("too-deep", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "/levels/criteria-2019-shanxi.json"));
    CHECK_STR(d.code, "too_deep");
    CHECK_STR(d.text, "/levels/red/any/0/all/1: only one level of nested "
                      "any/all is allowed");

    CHECK_INT(load_bad("lowcost-counted", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK_STR(d.text, "/station_kinds/0: \"lowcost\": only official stations "
                      "count (low-cost sensors never do)");

    CHECK_INT(load_bad("not-monotonic", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK_STR(d.code, "not_monotonic");
    CHECK_STR(d.text, "/levels/red/so2: 15 % is less than the 20 % required "
                      "at orange");

    CHECK_INT(load_bad("name-mismatch", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK_STR(d.text, "/name: \"criteria-2023\" must equal the file name "
                      "\"criteria-2024\"");

    CHECK_INT(load_bad("wrong-schema", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "/measures.json"));
    CHECK_STR(d.code, "unsupported_schema");

    CHECK_INT(load_bad("unknown-file", &d, msg, sizeof(msg)), SM_ERR_RULE);
    CHECK(ends_with(d.source, "/ratio.json"));
    CHECK_STR(d.code, "unknown_rule_file");

    CHECK_INT(load_bad("missing-file", &d, msg, sizeof(msg)), SM_ERR_IO);
    CHECK(ends_with(d.source, "/orders.json"));
    CHECK_STR(d.code, "missing_rule_file");

    CHECK_INT(load_bad("no-such-dir", &d, msg, sizeof(msg)), SM_ERR_IO);
}

static void
test_check_buffer(void)
{
    static const char ok[] =
        "{\"schema\": 1, \"kind\": \"compliance\", \"grace_minutes\": 30}";
    static const char bad_kind[] = "{\"schema\": 1, \"kind\": \"levels\"}";
    static const char bad_json[] = "{\"schema\": 1,\n \"kind\": }";
    static const char mixed[] =
        "{\"schema\": 1, \"kind\": \"criteria\", \"name\": \"x\", \"levels\": "
        "{\"yellow\": {\"aqi_above\": 200, \"aqi_at_least\": 201, \"hours\": 1},"
        " \"orange\": {\"aqi_above\": 200, \"hours\": 1},"
        " \"red\": {\"aqi_above\": 200, \"hours\": 1}}}";
    static const char hours0[] =
        "{\"schema\": 1, \"kind\": \"criteria\", \"name\": \"x\", \"levels\": "
        "{\"yellow\": {\"all\": [{\"aqi_above\": 200, \"hours\": 0}]},"
        " \"orange\": {\"aqi_above\": 200, \"hours\": 1},"
        " \"red\": {\"aqi_above\": 200, \"hours\": 1}}}";
    struct sm_diag d = {0};

    CHECK_INT(ruleset_check_buffer("mem", ok, strlen(ok), &d), SM_OK);
    CHECK_INT(ruleset_check_buffer("mem", bad_kind, strlen(bad_kind), &d),
              SM_ERR_RULE);
    CHECK_STR(d.source, "mem");
    CHECK_STR(d.text, "/kind: unknown kind \"levels\"");
    CHECK_INT(ruleset_check_buffer("mem", bad_json, strlen(bad_json), &d),
              SM_ERR_PARSE);
    CHECK_INT(d.line, 2);
    CHECK_INT(ruleset_check_buffer("mem", mixed, strlen(mixed), &d), SM_ERR_RULE);
    CHECK_STR(d.text, "/levels/yellow: give either aqi_above or aqi_at_least, "
                      "not both");
    CHECK_INT(ruleset_check_buffer("mem", hours0, strlen(hours0), &d), SM_ERR_RULE);
    CHECK_STR(d.text, "/levels/yellow/all/0/hours: 0 is out of range 1..720");
}

/* a county may add actions to measures.json: any key of a-z0-9_ beside the
 * three required ones, with its own names and reduction_pct or limit_pct */
static void
test_measures_added_action(void)
{
    static const char fmt[] =
        "{\"schema\": 1, \"kind\": \"measures\", \"actions\": {"
        "\"halt\": {\"names\": [\"停产\", \"halt\"], \"reduction_pct\": 100},"
        "\"limit\": {\"names\": [\"限产\", \"limit\"], \"reduction\": \"limit_pct\"},"
        "\"voluntary\": {\"names\": [\"自主减排\", \"voluntary\"], \"reduction_pct\": 0}%s},"
        "\"grades\": [\"A\"]}";
    char doc[1200];
    struct sm_diag d = {0};

    snprintf(doc, sizeof(doc), fmt,
             ", \"stagger\": {\"names\": [\"错峰生产\", \"stagger\"], \"reduction_pct\": 50}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_OK);
    snprintf(doc, sizeof(doc), fmt, ", \"Stagger\": {\"names\": [\"错峰\"], \"reduction_pct\": 50}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.code, "bad_key");
    CHECK_STR(d.text, "/actions/Stagger: an action's key is 1..31 of a-z, 0-9 and _, "
                      "starting with a letter");
    /* an added action may take N% as limit does; halt and voluntary may not */
    snprintf(doc, sizeof(doc), fmt,
             ", \"stagger\": {\"names\": [\"错峰\"], \"reduction\": \"limit_pct\"}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_OK);
    snprintf(doc, sizeof(doc), fmt,
             ", \"stagger\": {\"names\": [\"错峰\"], \"reduction\": \"pct\"}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.text, "/actions/stagger: \"reduction\" must be \"limit_pct\", got \"pct\"");
    snprintf(doc, sizeof(doc), "%s",
             "{\"schema\": 1, \"kind\": \"measures\", \"actions\": {"
             "\"halt\": {\"names\": [\"停产\"], \"reduction\": \"limit_pct\"},"
             "\"limit\": {\"names\": [\"限产\"], \"reduction\": \"limit_pct\"},"
             "\"voluntary\": {\"names\": [\"自主减排\"], \"reduction_pct\": 0}},"
             "\"grades\": [\"A\"]}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.text, "/actions/halt: \"reduction\": \"limit_pct\" is for limit or an added "
                      "action, not halt or voluntary");
    snprintf(doc, sizeof(doc), fmt, ", \"stagger\": {\"names\": [\"错峰\"]}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.code, "missing_key");
    snprintf(doc, sizeof(doc), fmt,
             ", \"stagger\": {\"names\": [\"错峰;夜间\"], \"reduction_pct\": 50}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.text, "/actions/stagger/names/0: \"错峰;夜间\": a name may not hold ';', '；', "
                      "'%', tabs or line breaks, nor start or end with a space");
    snprintf(doc, sizeof(doc), fmt,
             ", \"stagger\": {\"names\": [\"halt\"], \"reduction_pct\": 50}");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.text, "/actions/stagger/names/0: \"halt\" names two measures");
}

/* reminders twice at one offset, or out of order, are refused */
static void
test_reminders_in_order(void)
{
    static const char fmt[] =
        "{\"schema\": 1, \"kind\": \"orders\", \"ack_deadline_minutes\": "
        "{\"yellow\": 60, \"orange\": 60, \"red\": 60}, \"execution_hours\": 24, "
        "\"reminder_minutes_after_deadline\": %s}";
    char doc[400];
    struct sm_diag d = {0};

    snprintf(doc, sizeof(doc), fmt, "[-30, 0, 30]");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_OK);
    snprintf(doc, sizeof(doc), fmt, "[0, 0]");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.code, "not_monotonic");
    CHECK_STR(d.text, "/reminder_minutes_after_deadline/1: 0 is not after the reminder before it (0)");
    snprintf(doc, sizeof(doc), fmt, "[30, 0]");
    CHECK_INT(ruleset_check_buffer("mem", doc, strlen(doc), &d), SM_ERR_RULE);
    CHECK_STR(d.code, "not_monotonic");
}

/* ---- criteria evaluation ---- */

#define SERIES_MAX 400

struct series {
    int aqi[SERIES_MAX];
    bool pm25[SERIES_MAX];
    size_t n;
};

static void
series_add(struct series *s, int aqi, size_t hours, bool pm25)
{
    for (size_t i = 0; i < hours && s->n < SERIES_MAX; i++) {
        s->aqi[s->n] = aqi;
        s->pm25[s->n] = pm25;
        s->n++;
    }
}

static enum level
level_of(const struct ruleset *rs, const struct series *s)
{
    return ruleset_criteria_level(rs, s->aqi, s->pm25, s->n);
}

static void
test_criteria_2024_hour_counts(void)
{
    struct ruleset *rs = ruleset_default();
    struct series s;

    memset(&s, 0, sizeof(s));
    series_add(&s, 80, 10, true);
    series_add(&s, 201, 23, true);
    series_add(&s, 80, 5, true);
    CHECK_INT(level_of(rs, &s), LEVEL_NONE); /* 23 h > 200: not yet */

    memset(&s, 0, sizeof(s));
    series_add(&s, 201, 24, true);
    CHECK_INT(level_of(rs, &s), LEVEL_YELLOW); /* 24 h > 200 */

    memset(&s, 0, sizeof(s));
    series_add(&s, 200, 100, true);
    CHECK_INT(level_of(rs, &s), LEVEL_ORANGE); /* 200 is not > 200, but > 150 for 100 h */

    memset(&s, 0, sizeof(s));
    series_add(&s, 151, 47, true);
    CHECK_INT(level_of(rs, &s), LEVEL_NONE);
    series_add(&s, 151, 1, true);
    CHECK_INT(level_of(rs, &s), LEVEL_YELLOW); /* 48 h > 150 */

    memset(&s, 0, sizeof(s));
    series_add(&s, 201, 47, true);
    CHECK_INT(level_of(rs, &s), LEVEL_YELLOW);
    series_add(&s, 201, 1, true);
    CHECK_INT(level_of(rs, &s), LEVEL_ORANGE); /* 48 h > 200 */

    memset(&s, 0, sizeof(s));
    series_add(&s, 160, 71, true);
    CHECK_INT(level_of(rs, &s), LEVEL_YELLOW);
    series_add(&s, 160, 1, true);
    CHECK_INT(level_of(rs, &s), LEVEL_ORANGE); /* 72 h > 150 */

    memset(&s, 0, sizeof(s));
    series_add(&s, 250, 49, true);
    series_add(&s, 301, 23, true);
    CHECK_INT(level_of(rs, &s), LEVEL_ORANGE); /* 72 h > 200, only 23 h > 300 */
    series_add(&s, 301, 1, true);
    CHECK_INT(level_of(rs, &s), LEVEL_RED);    /* 73 h > 200 and 24 h > 300 */

    memset(&s, 0, sizeof(s));
    series_add(&s, 301, 24, true);
    series_add(&s, 250, 47, true);
    CHECK_INT(level_of(rs, &s), LEVEL_ORANGE); /* 71 h > 200 */
    ruleset_unref(rs);
}

static void
test_criteria_pm25_only(void)
{
    struct ruleset *rs = ruleset_default();
    struct series s;

    /* an ozone-driven hour breaks the run: 12 + 12 is not 24 */
    memset(&s, 0, sizeof(s));
    series_add(&s, 210, 12, true);
    series_add(&s, 210, 1, false);
    series_add(&s, 210, 12, true);
    CHECK_INT(level_of(rs, &s), LEVEL_NONE);

    memset(&s, 0, sizeof(s));
    series_add(&s, 400, 200, false);
    CHECK_INT(level_of(rs, &s), LEVEL_NONE); /* never PM2.5: no curtailment */

    /* a missing hour (AQI < 0) breaks a run too */
    memset(&s, 0, sizeof(s));
    series_add(&s, 210, 20, true);
    series_add(&s, -1, 1, true);
    series_add(&s, 210, 20, true);
    CHECK_INT(level_of(rs, &s), LEVEL_NONE);

    CHECK_INT(ruleset_criteria_level(rs, s.aqi, s.pm25, 0), LEVEL_NONE);
    CHECK_INT(ruleset_criteria_level(rs, NULL, NULL, 5), LEVEL_NONE);
    ruleset_unref(rs);
}

static void
test_criteria_2019_and_mode_off(void)
{
    struct ruleset *rs = ruleset_default();
    const struct criteria_set *cs = ruleset_criteria_find(rs, "criteria-2019-shanxi");
    struct series s;

    CHECK(cs != NULL);
    if (!cs) {
        ruleset_unref(rs);
        return;
    }
    memset(&s, 0, sizeof(s));
    series_add(&s, 499, 1, true);
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_NONE);
    memset(&s, 0, sizeof(s));
    series_add(&s, 500, 1, true);
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_RED); /* reaches 500 */

    memset(&s, 0, sizeof(s));
    series_add(&s, 201, 47, true);
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_NONE);
    series_add(&s, 201, 1, true);
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_YELLOW);
    series_add(&s, 201, 24, true);
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_ORANGE);
    series_add(&s, 301, 24, true);
    /* 96 h > 200 but only 24 h > 300 */
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_ORANGE);
    series_add(&s, 301, 24, true);
    CHECK_INT(criteria_set_level(cs, s.aqi, s.pm25, s.n), LEVEL_RED);

    rs->local_trigger.mode = LOCAL_TRIGGER_OFF;
    CHECK_INT(ruleset_criteria_level(rs, s.aqi, s.pm25, s.n), LEVEL_NONE);
    ruleset_unref(rs);
}

CHECK_MAIN(CHECK_CASE(test_real_rules_load),
           CHECK_CASE(test_defaults_equal_bundled_files),
           CHECK_CASE(test_refcount),
           CHECK_CASE(test_bad_unknown_key),
           CHECK_CASE(test_bad_wrong_type), CHECK_CASE(test_bad_wrong_type_each_reader),
           CHECK_CASE(test_bad_out_of_range), CHECK_CASE(test_reminders_in_order),
           CHECK_CASE(test_measures_added_action),
           CHECK_CASE(test_bad_duplicate_key),
           CHECK_CASE(test_bad_syntax),
           CHECK_CASE(test_bad_cross_and_semantic),
           CHECK_CASE(test_check_buffer),
           CHECK_CASE(test_criteria_2024_hour_counts),
           CHECK_CASE(test_criteria_pm25_only),
           CHECK_CASE(test_criteria_2019_and_mode_off))
