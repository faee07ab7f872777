/* What officers write into a report: remarks, lessons (summary) and the
 * action taken on each violation. */
#include <string.h>

#include "cityreport/cityreport.h"

static enum sm_err
text_field(json_t *report, const json_t *body, const char *key, int strict, struct sm_diag *diag)
{
    json_t *v = json_object_get(body, key);

    if (!v)
        return SM_OK;
    if (!json_is_string(v) || json_string_length(v) > CITYREPORT_TEXT_MAX) {
        if (!strict)
            return SM_OK;
        sm_diag_set(diag, json_is_string(v) ? "too_long" : "bad_type",
                    "%s: must be a text of at most %d bytes", key, CITYREPORT_TEXT_MAX);
        return SM_ERR_INVAL;
    }
    json_object_set(report, key, v);
    return SM_OK;
}

static json_t *
find_violation(json_t *report, json_int_t order_id, const char *line)
{
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(report, "violations"), i, v) {
        const char *l = json_string_value(json_object_get(v, "line"));
        if (json_integer_value(json_object_get(v, "order_id")) == order_id && l &&
            strcmp(l, line) == 0)
            return v;
    }
    return NULL;
}

static enum sm_err
actions_field(json_t *report, const json_t *actions, int strict, struct sm_diag *diag)
{
    json_t *a;
    size_t i;

    if (!json_is_array(actions) || json_array_size(actions) > CITYREPORT_ACTIONS_MAX) {
        if (!strict)
            return SM_OK;
        sm_diag_set(diag, "bad_type", "actions: must be an array of at most %d objects",
                    CITYREPORT_ACTIONS_MAX);
        return SM_ERR_INVAL;
    }
    json_array_foreach(actions, i, a) {
        json_t *id = json_object_get(a, "order_id"), *line = json_object_get(a, "line");
        json_t *text = json_object_get(a, "action"), *v;

        if (!json_is_integer(id) || !json_is_string(line) || !json_is_string(text) ||
            json_string_length(text) > CITYREPORT_TEXT_MAX || json_object_size(a) != 3) {
            if (!strict)
                continue;
            sm_diag_set(diag, "bad_type",
                        "actions[%zu]: needs exactly \"order_id\" (integer), \"line\" and "
                        "\"action\" (text of at most %d bytes)",
                        i, CITYREPORT_TEXT_MAX);
            return SM_ERR_INVAL;
        }
        v = find_violation(report, json_integer_value(id), json_string_value(line));
        if (!v) {
            if (!strict)
                continue;
            sm_diag_set(diag, "not_a_violation",
                        "actions[%zu]: order %lld line '%.100s' is not among the report's "
                        "violations",
                        i, (long long)json_integer_value(id), json_string_value(line));
            return SM_ERR_INVAL;
        }
        json_object_set(v, "action_taken", text);
    }
    return SM_OK;
}

enum sm_err
cityreport_apply_remarks(json_t *report, const json_t *body, int strict, struct sm_diag *diag)
{
    const char *key, *kind = json_string_value(json_object_get(report, "kind"));
    json_t *v;
    enum sm_err err;

    if (!json_is_object(body)) {
        sm_diag_set(diag, "bad_type", "the body must be a JSON object");
        return SM_ERR_INVAL;
    }
    json_object_foreach((json_t *)body, key, v) {
        (void)v;
        if (strict && strcmp(key, "remarks") != 0 && strcmp(key, "lessons") != 0 &&
            strcmp(key, "actions") != 0) {
            sm_diag_set(diag, "unknown_key",
                        "%.60s: unknown key (remarks, lessons, actions)", key);
            return SM_ERR_INVAL;
        }
    }
    if (json_object_get(body, "lessons") && (!kind || strcmp(kind, "summary") != 0)) {
        if (strict) {
            sm_diag_set(diag, "lessons_only_in_summary",
                        "lessons: only the episode summary has lessons; a daily report has "
                        "remarks");
            return SM_ERR_INVAL;
        }
    } else if ((err = text_field(report, body, "lessons", strict, diag))) {
        return err;
    }
    if ((err = text_field(report, body, "remarks", strict, diag)))
        return err;
    if (json_object_get(body, "actions"))
        return actions_field(report, json_object_get(body, "actions"), strict, diag);
    return SM_OK;
}
