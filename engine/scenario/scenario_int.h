#ifndef SM_SCENARIO_SCENARIO_INT_H
#define SM_SCENARIO_SCENARIO_INT_H

/* Inside the scenario module: checks that name the path and line. */
#include "base/compat.h"
#include "scenario/scenario.h"

struct scn_check {
    struct scenario *sc;
    struct sm_diag *diag;
};

/* Fills diag at the line of path and returns SM_ERR_INVAL. */
enum sm_err scn_fail(struct scn_check *c, const char *path, const char *code, const char *fmt,
                     ...) SM_PRINTF(4, 5);
/* v must be an object whose keys are all in allowed (NULL-terminated). */
enum sm_err scn_object(struct scn_check *c, json_t *v, const char *path,
                       const char *const *allowed);
/* obj[key] as a non-empty string; *out NULL when absent and not required. */
enum sm_err scn_string(struct scn_check *c, json_t *obj, const char *path, const char *key,
                       bool required, const char **out);
/* obj[key] as an ISO 8601 duration ("PT10M"); *out untouched when absent. */
enum sm_err scn_duration(struct scn_check *c, json_t *obj, const char *path, const char *key,
                         bool required, int64_t *out);
/* A time: "+PT2H" (after start) or RFC 3339 with an offset. */
enum sm_err scn_time(struct scn_check *c, json_t *v, const char *path, int64_t start_ms,
                     int64_t *out);
/* A non-negative integer. */
enum sm_err scn_count(struct scn_check *c, json_t *obj, const char *path, const char *key,
                      json_int_t *out);
/* An array of valid USCCs (may be empty). */
enum sm_err scn_uscc_array(struct scn_check *c, json_t *v, const char *path);
/* A level name (none, yellow, orange, red). */
enum sm_err scn_level(struct scn_check *c, json_t *obj, const char *path, const char *key,
                      bool required);

/* Validates step arg of kind k at path ("steps[3].ack"); fills step fields
 * that are derived from it. */
enum sm_err scn_step_validate(struct scn_check *c, struct scenario_step *st, const char *path);

#endif
