/* Strict, path-naming readers over jansson values for the rule loader. */
#include "ruleset/ruleset_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ruleset/ruleset.h"

enum sm_err
rj_fail(struct rj *c, enum sm_err e, const char *code, const char *path,
        const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->diag) {
        snprintf(c->diag->source, sizeof(c->diag->source), "%s", c->source);
        c->diag->line = 0;
        c->diag->column = 0;
        sm_diag_set(c->diag, code, "%s: %s", path[0] ? path : "/", msg);
    }
    return e;
}

void
rj_path_key(char out[RJ_PATH_MAX], const char *parent, const char *key)
{
    /* the root is "" so that children read "/key" */
    snprintf(out, RJ_PATH_MAX, "%s/%s", parent, key);
}

void
rj_path_index(char out[RJ_PATH_MAX], const char *parent, size_t i)
{
    snprintf(out, RJ_PATH_MAX, "%s/%zu", parent, i);
}

const char *
rj_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "a value";
}

enum sm_err
rj_object(struct rj *c, const json_t *v, const char *path,
          const char *const *allowed, size_t n)
{
    const char *key;
    json_t *val;

    if (!json_is_object(v))
        return rj_fail(c, SM_ERR_RULE, "wrong_type", path,
                       "expected an object, got %s", rj_type_name(v));
    json_object_foreach((json_t *)v, key, val) {
        bool known = false;

        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known)
            return rj_fail(c, SM_ERR_RULE, "unknown_key", path,
                           "unknown key '%s'", key);
    }
    return SM_OK;
}

enum sm_err
rj_member(struct rj *c, const json_t *obj, const char *path, const char *key,
          bool required, json_t **out)
{
    *out = json_object_get(obj, key);
    if (!*out && required)
        return rj_fail(c, SM_ERR_RULE, "missing_key", path,
                       "missing required key '%s'", key);
    return SM_OK;
}

/* Whether v has the type want stands for: JSON_INTEGER an integer,
 * JSON_REAL any number, JSON_TRUE true or false, else exactly want. */
static bool
type_ok(const json_t *v, json_type want)
{
    switch (want) {
    case JSON_INTEGER:
        return json_is_integer(v);
    case JSON_REAL:
        return json_is_number(v);
    case JSON_TRUE:
    case JSON_FALSE:
        return json_is_boolean(v);
    default:
        return json_typeof(v) == want;
    }
}

/* borrowed (*v): obj's member key checked for the type want (type_ok;
 * expected says it in words); NULL and SM_OK when absent and optional.
 * p receives the member's path, for the caller's range checks. */
static enum sm_err
rj_typed(struct rj *c, const json_t *obj, const char *path, const char *key, bool required,
         json_type want, const char *expected, char p[RJ_PATH_MAX], json_t **v)
{
    enum sm_err e = rj_member(c, obj, path, key, required, v);

    if (e || !*v)
        return e;
    rj_path_key(p, path, key);
    if (!type_ok(*v, want))
        return rj_fail(c, SM_ERR_RULE, "wrong_type", p, "expected %s, got %s", expected,
                       rj_type_name(*v));
    return SM_OK;
}

enum sm_err
rj_int(struct rj *c, const json_t *obj, const char *path, const char *key,
       bool required, long long min, long long max, int *out)
{
    char p[RJ_PATH_MAX];
    json_t *v;
    enum sm_err e = rj_typed(c, obj, path, key, required, JSON_INTEGER, "an integer", p, &v);
    long long x;

    if (e || !v)
        return e;
    x = json_integer_value(v);
    if (x < min || x > max)
        return rj_fail(c, SM_ERR_RULE, "out_of_range", p,
                       "%lld is out of range %lld..%lld", x, min, max);
    *out = (int)x;
    return SM_OK;
}

enum sm_err
rj_number(struct rj *c, const json_t *obj, const char *path, const char *key,
          bool required, double min, double max, double *out)
{
    char p[RJ_PATH_MAX];
    json_t *v;
    enum sm_err e = rj_typed(c, obj, path, key, required, JSON_REAL, "a number", p, &v);
    double x;

    if (e || !v)
        return e;
    x = json_number_value(v);
    if (!isfinite(x) || x < min || x > max)
        return rj_fail(c, SM_ERR_RULE, "out_of_range", p,
                       "%g is out of range %g..%g", x, min, max);
    *out = x;
    return SM_OK;
}

enum sm_err
rj_bool(struct rj *c, const json_t *obj, const char *path, const char *key,
        bool required, bool *out)
{
    char p[RJ_PATH_MAX];
    json_t *v;
    enum sm_err e = rj_typed(c, obj, path, key, required, JSON_TRUE, "true or false", p, &v);

    if (e || !v)
        return e;
    *out = json_is_true(v);
    return SM_OK;
}

enum sm_err
rj_string(struct rj *c, const json_t *obj, const char *path, const char *key,
          bool required, size_t max_len, const char **out)
{
    char p[RJ_PATH_MAX];
    json_t *v;
    enum sm_err e = rj_typed(c, obj, path, key, required, JSON_STRING, "a string", p, &v);

    if (e || !v)
        return e;
    if (json_string_length(v) == 0 || json_string_length(v) > max_len)
        return rj_fail(c, SM_ERR_RULE, "out_of_range", p,
                       "string length must be 1..%zu bytes", max_len);
    *out = json_string_value(v);
    return SM_OK;
}

enum sm_err
rj_array(struct rj *c, const json_t *obj, const char *path, const char *key,
         bool required, size_t min, size_t max, json_t **out)
{
    char p[RJ_PATH_MAX];
    json_t *v;
    enum sm_err e = rj_typed(c, obj, path, key, required, JSON_ARRAY, "an array", p, &v);

    if (e || !v)
        return e;
    if (json_array_size(v) < min || json_array_size(v) > max)
        return rj_fail(c, SM_ERR_RULE, "out_of_range", p,
                       "expected %zu..%zu elements, got %zu", min, max,
                       json_array_size(v));
    *out = v;
    return SM_OK;
}

enum sm_err
rj_header(struct rj *c, const json_t *root, const char *kind,
          const char **kind_out)
{
    json_t *v;
    const char *k = NULL;
    enum sm_err e;

    if (!json_is_object(root))
        return rj_fail(c, SM_ERR_RULE, "wrong_type", "",
                       "expected an object, got %s", rj_type_name(root));
    if ((e = rj_member(c, root, "", "schema", true, &v)))
        return e;
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        return rj_fail(c, SM_ERR_RULE, "unsupported_schema", "/schema",
                       "only schema 1 is known");
    if ((e = rj_string(c, root, "", "kind", true, RULESET_NAME_MAX - 1, &k)))
        return e;
    if (kind && (!k || strcmp(k, kind) != 0))
        return rj_fail(c, SM_ERR_RULE, "wrong_kind", "/kind",
                       "expected \"%s\" for this file, got \"%s\"", kind, k);
    if (kind_out)
        *kind_out = k;
    return SM_OK;
}
