/* Small validators shared by the scenario parser: each names the JSON path
 * and the line of what it refuses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/level.h"
#include "base/timeutil.h"
#include "list/uscc.h"
#include "scenario/scenario_int.h"

enum sm_err
scn_fail(struct scn_check *c, const char *path, const char *code, const char *fmt, ...)
{
    char text[400];
    int line = 0, col = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    scenario_locate(c->sc, path, &line, &col);
    sm_diag_at(c->diag, line, col, code, "%s%s%s", path, path[0] ? ": " : "", text);
    if (c->diag)
        snprintf(c->diag->source, sizeof(c->diag->source), "%s", c->sc->name);
    return SM_ERR_INVAL;
}

enum sm_err
scn_object(struct scn_check *c, json_t *v, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *val;

    if (!json_is_object(v))
        return scn_fail(c, path, "not_an_object", "must be an object");
    json_object_foreach(v, key, val) {
        size_t i;
        for (i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                break;
        if (!allowed[i]) {
            char p[300];
            char known[300] = "";
            size_t n = 0;
            for (i = 0; allowed[i] && n < sizeof(known); i++)
                n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "",
                                      allowed[i]);
            snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "." : "", key);
            return scn_fail(c, p, "unknown_key", "unknown key (expected one of: %s)", known);
        }
    }
    return SM_OK;
}

static void
member_path(char *out, size_t cap, const char *path, const char *key)
{
    snprintf(out, cap, "%s%s%s", path, path[0] ? "." : "", key);
}

enum sm_err
scn_string(struct scn_check *c, json_t *obj, const char *path, const char *key, bool required,
           const char **out)
{
    json_t *v = json_object_get(obj, key);
    char p[300];

    member_path(p, sizeof(p), path, key);
    *out = NULL;
    if (!v) {
        if (required)
            return scn_fail(c, path, "missing_key", "missing \"%s\"", key);
        return SM_OK;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return scn_fail(c, p, "not_a_string", "must be a non-empty string");
    *out = json_string_value(v);
    return SM_OK;
}

enum sm_err
scn_duration(struct scn_check *c, json_t *obj, const char *path, const char *key, bool required,
             int64_t *out)
{
    const char *s;
    char p[300];
    enum sm_err err = scn_string(c, obj, path, key, required, &s);

    if (err || !s)
        return err;
    member_path(p, sizeof(p), path, key);
    if (!sm_duration_parse(s, out) || *out < 0)
        return scn_fail(c, p, "bad_duration", "'%s' is not an ISO 8601 duration like PT10M", s);
    return SM_OK;
}

enum sm_err
scn_time(struct scn_check *c, json_t *v, const char *path, int64_t start_ms, int64_t *out)
{
    const char *s = json_string_value(v);
    struct sm_diag d = { 0 };
    int64_t ms;

    if (!s)
        return scn_fail(c, path, "not_a_time",
                        "must be a time: \"+PT2H\" (after start) or RFC 3339 with an offset");
    if (s[0] == '+') {
        if (!sm_duration_parse(s + 1, &ms))
            return scn_fail(c, path, "bad_duration",
                            "'%s' is not '+' and an ISO 8601 duration like +PT2H", s);
        *out = start_ms + ms;
        return SM_OK;
    }
    if (sm_time_parse(s, &ms, &d) != SM_OK)
        return scn_fail(c, path, d.code[0] ? d.code : "bad_time", "'%s': %s", s, d.text);
    *out = ms;
    return SM_OK;
}

enum sm_err
scn_count(struct scn_check *c, json_t *obj, const char *path, const char *key, json_int_t *out)
{
    json_t *v = json_object_get(obj, key);
    char p[300];

    member_path(p, sizeof(p), path, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return scn_fail(c, p, "not_a_count", "must be a whole number >= 0");
    *out = json_integer_value(v);
    return SM_OK;
}

enum sm_err
scn_uscc_array(struct scn_check *c, json_t *v, const char *path)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v))
        return scn_fail(c, path, "not_an_array", "must be an array of USCCs");
    json_array_foreach(v, i, e) {
        char p[300];
        struct sm_diag d = { 0 };
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (!json_is_string(e))
            return scn_fail(c, p, "not_a_string", "must be a USCC string");
        if (!uscc_valid(json_string_value(e), &d))
            return scn_fail(c, p, d.code, "'%s': %s", json_string_value(e), d.text);
    }
    return SM_OK;
}

enum sm_err
scn_level(struct scn_check *c, json_t *obj, const char *path, const char *key, bool required)
{
    const char *s;
    enum level l;
    char p[300];
    enum sm_err err = scn_string(c, obj, path, key, required, &s);

    if (err || !s)
        return err;
    member_path(p, sizeof(p), path, key);
    if (!level_parse(s, &l))
        return scn_fail(c, p, "bad_level", "'%s' is not none, yellow, orange or red", s);
    return SM_OK;
}
