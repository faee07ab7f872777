/* Reading backend configs: strict keys, types and ranges, each refusal
 * naming the key. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "notifier_int.h"

enum sm_err
notifier_cfg_check_keys(const json_t *cfg, const char *const *allowed,
                        struct sm_diag *diag)
{
    const char *key;
    json_t *value;

    json_object_foreach((json_t *)cfg, key, value)
    {
        bool known = strcmp(key, "type") == 0 || strcmp(key, "name") == 0;

        (void)value;
        for (size_t i = 0; !known && allowed[i]; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known) {
            sm_diag_set(diag, "unknown_key",
                        "unknown key \"%.60s\" in %.20s notifier config", key,
                        json_string_value(json_object_get(cfg, "type")));
            return SM_ERR_INVAL;
        }
    }
    return SM_OK;
}

enum sm_err
notifier_cfg_get_string(const json_t *cfg, const char *key, bool required,
                        const char **out, struct sm_diag *diag)
{
    json_t *v = json_object_get(cfg, key);

    *out = NULL;
    if (!v) {
        if (!required)
            return SM_OK;
        sm_diag_set(diag, "missing_key", "notifier config needs \"%s\"", key);
        return SM_ERR_INVAL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        sm_diag_set(diag, "bad_type",
                    "\"%s\" must be a non-empty string without NUL", key);
        return SM_ERR_INVAL;
    }
    *out = json_string_value(v);
    return SM_OK;
}

enum sm_err
notifier_cfg_get_long(const json_t *cfg, const char *key, long def, long min,
                      long max, long *out, struct sm_diag *diag)
{
    json_t *v = json_object_get(cfg, key);
    json_int_t i;

    *out = def;
    if (!v)
        return SM_OK;
    if (!json_is_integer(v)) {
        sm_diag_set(diag, "bad_type", "\"%s\" must be an integer", key);
        return SM_ERR_INVAL;
    }
    i = json_integer_value(v);
    if (i < min || i > max) {
        sm_diag_set(diag, "out_of_range",
                    "\"%s\" is %lld, must be in [%ld, %ld]", key, (long long)i,
                    min, max);
        return SM_ERR_INVAL;
    }
    *out = (long)i;
    return SM_OK;
}

bool
notifier_has_line_break(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return true;
    return false;
}

static bool
is_header_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return false;
    return true;
}

enum sm_err
notifier_cfg_get_headers(const json_t *cfg, const char *key,
                         struct curl_slist **out, struct sm_diag *diag)
{
    json_t *obj = json_object_get(cfg, key), *v;
    const char *name;

    *out = NULL;
    if (!obj)
        return SM_OK;
    if (!json_is_object(obj)) {
        sm_diag_set(diag, "bad_type", "\"%s\" must be an object of strings",
                    key);
        return SM_ERR_INVAL;
    }
    json_object_foreach(obj, name, v)
    {
        char *line;

        if (!is_header_token(name) || !json_is_string(v) ||
            notifier_has_line_break(json_string_value(v))) {
            sm_diag_set(diag, "bad_header",
                        "header \"%.60s\" in \"%s\" needs a token name and a "
                        "one-line string value",
                        name, key);
            curl_slist_free_all(*out);
            *out = NULL;
            return SM_ERR_INVAL;
        }
        line = xasprintf("%s: %s", name, json_string_value(v));
        *out = curl_slist_append(*out, line);
        free(line);
    }
    return SM_OK;
}

bool
notifier_url_has_scheme(const char *s, const char *const *schemes)
{
    for (size_t i = 0; schemes[i]; i++) {
        size_t n = strlen(schemes[i]);

        if (strncasecmp(s, schemes[i], n) == 0 &&
            strncmp(s + n, "://", 3) == 0 && s[n + 3])
            return true;
    }
    return false;
}
