#ifndef SM_RULESET_RULESET_JSON_H
#define SM_RULESET_RULESET_JSON_H

/* Strict readers over jansson values: every rejection names the file, the
 * JSON path and the reason in the diag. Private to engine/ruleset. */
#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"

#define RJ_PATH_MAX 256

struct rj {
    const char *source; /* file name for diagnostics */
    struct sm_diag *diag;
};

/* Records a rule error: "PATH: message" with the given code; returns e. */
enum sm_err rj_fail(struct rj *c, enum sm_err e, const char *code,
                    const char *path, const char *fmt, ...) SM_PRINTF(5, 6);

/* out = parent + "/" + key (or + "/" + index). */
void rj_path_key(char out[RJ_PATH_MAX], const char *parent, const char *key);
void rj_path_index(char out[RJ_PATH_MAX], const char *parent, size_t i);

const char *rj_type_name(const json_t *v);

/* v must be an object whose keys are all in allowed[0..n). */
enum sm_err rj_object(struct rj *c, const json_t *v, const char *path,
                      const char *const *allowed, size_t n);

/* The member key of obj (borrowed) or NULL; a missing required member is an
 * error ("missing_key"). */
enum sm_err rj_member(struct rj *c, const json_t *obj, const char *path,
                      const char *key, bool required, json_t **out);

/* Typed members: absent and optional leaves *out unchanged (the default). */
enum sm_err rj_int(struct rj *c, const json_t *obj, const char *path,
                   const char *key, bool required, long long min,
                   long long max, int *out);
enum sm_err rj_number(struct rj *c, const json_t *obj, const char *path,
                      const char *key, bool required, double min, double max,
                      double *out);
enum sm_err rj_bool(struct rj *c, const json_t *obj, const char *path,
                    const char *key, bool required, bool *out);
/* *out is borrowed from obj; max_len in bytes, empty strings refused. */
enum sm_err rj_string(struct rj *c, const json_t *obj, const char *path,
                      const char *key, bool required, size_t max_len,
                      const char **out);
/* An array member with min..max elements (borrowed). */
enum sm_err rj_array(struct rj *c, const json_t *obj, const char *path,
                     const char *key, bool required, size_t min, size_t max,
                     json_t **out);

/* "schema": 1 and "kind": kind (when kind is NULL, any string kind is
 * returned in *kind_out). */
enum sm_err rj_header(struct rj *c, const json_t *root, const char *kind,
                      const char **kind_out);

#endif
