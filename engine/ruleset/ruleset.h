#ifndef SM_RULESET_RULESET_H
#define SM_RULESET_RULESET_H

/* The rule set: every number the engine decides with, loaded from rules/
 * (JSON, see rules/README.md), validated as a whole and held as plain C
 * structs. A ruleset is immutable once built and refcounted, so a reload
 * (SIGHUP) can swap in a new one while callers finish with the old. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/level.h"

#define RULESET_LEVEL_COUNT 4          /* indexed by enum level; [LEVEL_NONE] unused */
#define RULESET_NAME_MAX 64
#define RULESET_CRITERIA_MAX 16        /* criteria files in levels/ */
#define RULESET_CLAUSE_CHILDREN_MAX 8  /* clauses in one any/all */
#define RULESET_HOURS_MAX 720          /* longest run a clause may ask for (30 days) */
#define RULESET_REMINDERS_MAX 8
#define RULESET_MEASURE_NAMES_MAX 8
#define RULESET_GRADES_MAX 16
#define RULESET_FILE_MAX_BYTES (1024 * 1024)

/* One clause of a level's criteria. A leaf holds when the longest run of
 * consecutive hours with AQI > aqi_above (strictly) lasts >= hours. An ANY
 * or ALL node combines its children (at most one nesting level). */
enum criteria_op {
    CRITERIA_LEAF,
    CRITERIA_ANY,
    CRITERIA_ALL,
};

struct criteria_clause {
    enum criteria_op op;
    int aqi_above;  /* leaf: exclusive threshold ("aqi_at_least": N is stored as N - 1) */
    int hours;      /* leaf: inclusive minimum run length */
    size_t n_children;
    struct criteria_clause *children; /* ANY/ALL only */
};

struct criteria_set {
    char name[RULESET_NAME_MAX]; /* file name without .json, e.g. "criteria-2024" */
    /* [LEVEL_YELLOW..LEVEL_RED]; [LEVEL_NONE] is an empty leaf never evaluated */
    struct criteria_clause levels[RULESET_LEVEL_COUNT];
};

enum local_trigger_mode {
    LOCAL_TRIGGER_OFF,
    LOCAL_TRIGGER_PROPOSE,
    LOCAL_TRIGGER_ACTIVATE,
};

struct local_trigger_rules {
    enum local_trigger_mode mode;
    char criteria[RULESET_NAME_MAX];
    const struct criteria_set *criteria_set; /* borrowed from the same ruleset */
    int hysteresis_hours;
    int min_stations;
    bool count_official; /* always true: low-cost sensors never count */
};

enum ruleset_pollutant {
    RULESET_POLLUTANT_SO2,
    RULESET_POLLUTANT_NOX,
    RULESET_POLLUTANT_PM,
    RULESET_POLLUTANT_VOCS,
    RULESET_POLLUTANT_COUNT,
};

struct ratio_rules {
    double required_pct[RULESET_LEVEL_COUNT][RULESET_POLLUTANT_COUNT];
};

struct order_rules {
    int ack_deadline_minutes[RULESET_LEVEL_COUNT];
    int execution_hours;
    size_t n_reminders;
    int reminder_minutes_after_deadline[RULESET_REMINDERS_MAX]; /* negative = before */
    bool notice_on_lift;
    bool notice_on_supersede;
};

/* Read by engine/compliance: see compliance_judge_line. */
struct compliance_rules {
    double halt_max_load_fraction; /* 0.10: a halted line may draw <= 10 % of power_kw */
    double limit_tolerance;        /* 1.05: a cut line may draw <= (100 - N) % x power_kw x 1.05 */
    int64_t grace_ms;              /* from effective_from */
    bool voluntary_judged;         /* always false */
    int banned_truck_stage;        /* 4: trucks of China stage <= 4 (国四 and below) are banned */
};

/* The actions every rule set has, at these indexes of measure_rules.actions;
 * measures.json may add more after them. */
enum rule_measure_action {
    MEASURE_ACTION_HALT,
    MEASURE_ACTION_LIMIT,
    MEASURE_ACTION_VOLUNTARY,
    MEASURE_ACTION_COUNT,
};

#define RULESET_MEASURE_ACTIONS_MAX 16
#define RULESET_ACTION_KEY_MAX 32 /* key bytes + NUL: [a-z][a-z0-9_]* */

struct measure_action_rule {
    char key[RULESET_ACTION_KEY_MAX];       /* "halt", "limit", "voluntary" or an added one */
    size_t n_names;
    char *names[RULESET_MEASURE_NAMES_MAX]; /* "停产", "halt", ...; names[0] is the canonical one */
    bool takes_limit_pct;                   /* limit or an added one: reduction is the N of NAME N% */
    double reduction_pct;                   /* halt 100, voluntary 0 */
};

struct measure_rules {
    size_t n_actions; /* >= MEASURE_ACTION_COUNT */
    struct measure_action_rule actions[RULESET_MEASURE_ACTIONS_MAX];
    size_t n_grades;
    char *grades[RULESET_GRADES_MAX];
};

/* borrowed: the action whose key is key ("halt", "limit", an added one),
 * or NULL (also for NULL rules or key) */
const struct measure_action_rule *measure_rules_find(const struct measure_rules *rules,
                                                     const char *key);

struct ruleset {
    atomic_int refcount; /* use ruleset_ref/ruleset_unref; atomic so any thread may drop its reference */
    size_t n_criteria;
    struct criteria_set criteria[RULESET_CRITERIA_MAX];
    struct local_trigger_rules local_trigger;
    struct ratio_rules ratios;
    struct order_rules orders;
    struct compliance_rules compliance;
    struct measure_rules measures;
};

/* Loads and validates every rule file under dir (see rules/README.md) into
 * a new ruleset (refcount 1) in *out. Strict: unknown keys, wrong types,
 * out-of-range values, duplicate keys, unknown or missing files are errors;
 * diag names the file, the JSON path and the reason. On error *out is
 * untouched. Returns SM_ERR_PARSE (malformed JSON), SM_ERR_RULE (a rule
 * breaks a check), SM_ERR_IO (missing or unreadable file), SM_ERR_LIMIT. */
enum sm_err ruleset_load_dir(const char *dir, struct ruleset **out,
                             struct sm_diag *diag);

/* Parses one rule file from memory (its "kind" decides the format) and
 * validates it alone, without the cross-file checks, keeping nothing.
 * source names it in diag. For fuzzing and for checking a single file. */
enum sm_err ruleset_check_buffer(const char *source, const char *data,
                                 size_t len, struct sm_diag *diag);

/* A new ruleset (refcount 1) with the built-in defaults, equal to the
 * bundled rules/ files. */
struct ruleset *ruleset_default(void);

/* Adds a reference to rs (borrowed in, same pointer out). */
struct ruleset *ruleset_ref(struct ruleset *rs);
/* Drops a reference; frees at zero. NULL is a no-op. */
void ruleset_unref(struct ruleset *rs);

/* The criteria set named name, or NULL (borrowed). */
const struct criteria_set *ruleset_criteria_find(const struct ruleset *rs,
                                                 const char *name);

/* The highest level whose criteria hold on an hourly AQI series (oldest
 * first; n hours) under the local trigger's criteria set. Runs are counted
 * only over consecutive hours where pm25_primary[i] is true; any other hour
 * (or an AQI < 0, "missing") breaks the run. Returns LEVEL_NONE when the
 * trigger is off or nothing holds. */
enum level ruleset_criteria_level(const struct ruleset *rs,
                                  const int *hourly_aqi,
                                  const bool *pm25_primary, size_t n);

/* The same on an explicit criteria set (borrowed). */
enum level criteria_set_level(const struct criteria_set *cs,
                              const int *hourly_aqi, const bool *pm25_primary,
                              size_t n);

const char *local_trigger_mode_name(enum local_trigger_mode m);
const char *ruleset_pollutant_name(enum ruleset_pollutant p);

#endif
