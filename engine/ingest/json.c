/* The contract's JSON warning form -> struct warning_msg, held to the same
 * field rules as CAP (ingest_int.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "ingest/ingest_int.h"
#include "ingest/warning.h"

static const char *const known_keys[] = {
    "identifier", "sender", "sent", "msg_type", "status", "references",
    "level", "onset", "effective", "expires", "area", "headline",
    "description", "primary_pollutant", "forecast", NULL
};

static enum sm_err
wrong_type(struct sm_diag *diag, const char *path, const char *want)
{
    sm_diag_set(diag, "wrong_type", "field '%s' must be %s", path, want);
    return SM_ERR_INVAL;
}

/* new: a string field's value; NULL (SM_OK) when absent and not required. */
static enum sm_err
get_string(json_t *root, const char *key, bool required, char **out,
           struct sm_diag *diag)
{
    json_t *v = json_object_get(root, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required)
            return SM_OK;
        sm_diag_set(diag, "missing_field", "field '%s' is required", key);
        return SM_ERR_INVAL;
    }
    if (!json_is_string(v))
        return wrong_type(diag, key, "a string");
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        sm_diag_set(diag, "wrong_type", "field '%s' contains a NUL character",
                    key);
        return SM_ERR_INVAL;
    }
    *out = xstrdup(json_string_value(v));
    return SM_OK;
}

static enum sm_err
get_time(json_t *root, const char *key, bool required, int64_t *ms,
         struct sm_diag *diag)
{
    char *s;
    enum sm_err rc;
    struct sm_diag d = { 0 };

    *ms = 0;
    rc = get_string(root, key, required, &s, diag);
    if (rc != SM_OK || !s)
        return rc;
    /* The JSON form is RFC 3339 only: the 14-digit Chinese profile is CAP's. */
    rc = sm_time_parse(s, ms, &d);
    if (rc != SM_OK) {
        bool no_offset = strcmp(d.code, "time_without_offset") == 0;
        sm_diag_set(diag, no_offset ? "time_without_offset" : "bad_time",
                    "field '%s': %s", key, d.text);
        rc = no_offset ? SM_ERR_PARSE : SM_ERR_INVAL;
    }
    free(s);
    return rc;
}

/* Case-insensitive lookup of s in names; -1 when absent. */
static int
enum_index(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return -1;
}

static enum sm_err
get_enum(json_t *root, const char *key, const char *const *names, int *idx,
         const char *allowed, struct sm_diag *diag)
{
    char *s;
    enum sm_err rc = get_string(root, key, true, &s, diag);

    if (rc != SM_OK)
        return rc;
    *idx = enum_index(s, names);
    if (*idx < 0) {
        sm_diag_set(diag, "bad_enumeration", "field '%s': '%.64s' is not %s",
                    key, s, allowed);
        rc = SM_ERR_INVAL;
    }
    free(s);
    return rc;
}

static enum sm_err
read_references(struct warning_msg *m, json_t *root, struct sm_diag *diag)
{
    json_t *a = json_object_get(root, "references"), *v;
    size_t i;
    char path[48];

    if (!a || json_is_null(a))
        return SM_OK;
    if (!json_is_array(a))
        return wrong_type(diag, "references", "an array of identifiers");
    if (json_array_size(a) > INGEST_MAX_REFERENCES) {
        sm_diag_set(diag, "too_many_references",
                    "field 'references' names more than %d messages",
                    INGEST_MAX_REFERENCES);
        return SM_ERR_LIMIT;
    }
    json_array_foreach(a, i, v) {
        snprintf(path, sizeof(path), "references[%zu]", i);
        if (!json_is_string(v))
            return wrong_type(diag, path, "a string");
        if (ingest_check_id(json_string_value(v), path, diag) != SM_OK)
            return SM_ERR_INVAL;
        ingest_ref_add(m, "", json_string_value(v), 0);
    }
    return SM_OK;
}

static enum sm_err
read_areas(struct warning_msg *m, json_t *root, struct sm_diag *diag)
{
    json_t *a = json_object_get(root, "area"), *v;
    size_t i;
    char path[48];

    if (!a || json_is_null(a))
        return SM_OK;
    if (!json_is_array(a))
        return wrong_type(diag, "area", "an array of area codes");
    if (json_array_size(a) > INGEST_MAX_AREAS) {
        sm_diag_set(diag, "too_many_areas", "field 'area' has more than %d codes",
                    INGEST_MAX_AREAS);
        return SM_ERR_LIMIT;
    }
    m->has_area = json_array_size(a) > 0;
    json_array_foreach(a, i, v) {
        snprintf(path, sizeof(path), "area[%zu]", i);
        if (!json_is_string(v))
            return wrong_type(diag, path, "a string");
        if (!ingest_geocode_valid(json_string_value(v))) {
            sm_diag_set(diag, "bad_geocode",
                        "field '%s': '%.32s' is not a 6 to 12 digit area code",
                        path, json_string_value(v));
            return SM_ERR_INVAL;
        }
        ingest_area_add(m, "", json_string_value(v));
    }
    return SM_OK;
}

static enum sm_err
read_forecast(struct warning_msg *m, json_t *root, struct sm_diag *diag)
{
    json_t *a = json_object_get(root, "forecast"), *v;
    size_t i, n;
    char path[48];

    if (!a || json_is_null(a))
        return SM_OK;
    if (!json_is_array(a))
        return wrong_type(diag, "forecast", "an array of daily AQI values");
    n = json_array_size(a);
    if (n == 0 || n > INGEST_MAX_FORECAST) {
        sm_diag_set(diag, "bad_forecast",
                    "field 'forecast' must have 1 to %d daily values",
                    INGEST_MAX_FORECAST);
        return SM_ERR_INVAL;
    }
    m->forecast_aqi = xcalloc(n, sizeof(int));
    m->forecast_count = n;
    json_array_foreach(a, i, v) {
        snprintf(path, sizeof(path), "forecast[%zu]", i);
        if (!json_is_integer(v))
            return wrong_type(diag, path, "a whole number");
        if (json_integer_value(v) < 0 ||
            json_integer_value(v) > INGEST_MAX_AQI) {
            sm_diag_set(diag, "bad_forecast",
                        "field '%s': AQI %lld is outside 0..%d", path,
                        (long long)json_integer_value(v), INGEST_MAX_AQI);
            return SM_ERR_INVAL;
        }
        m->forecast_aqi[i] = (int)json_integer_value(v);
    }
    return SM_OK;
}

static const char *const msg_type_names[] = { "alert", "update", "cancel",
                                              NULL };
static const char *const status_names[] = { "actual", "exercise", "system",
                                            "test", "draft", NULL };

static enum sm_err
read_object(struct warning_msg *m, json_t *root, struct sm_diag *diag)
{
    const char *key;
    json_t *v;
    char *s = NULL;
    int idx;
    enum sm_err rc;

    json_object_foreach(root, key, v) {
        bool known = false;
        for (size_t i = 0; known_keys[i]; i++)
            known = known || strcmp(key, known_keys[i]) == 0;
        if (!known) {
            sm_diag_set(diag, "unknown_field", "unknown field '%.64s'", key);
            return SM_ERR_INVAL;
        }
    }

    if ((rc = get_string(root, "identifier", true, &s, diag)) != SM_OK)
        return rc;
    free(m->identifier);
    m->identifier = s;
    if ((rc = ingest_check_id(m->identifier, "identifier", diag)) != SM_OK)
        return rc;
    if ((rc = get_string(root, "sender", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        free(m->sender);
        m->sender = s;
        if ((rc = ingest_check_id(m->sender, "sender", diag)) != SM_OK)
            return rc;
    }
    if ((rc = get_time(root, "sent", true, &m->sent_ms, diag)) != SM_OK)
        return rc;
    if ((rc = get_enum(root, "msg_type", msg_type_names, &idx,
                       "alert, update or cancel", diag)) != SM_OK)
        return rc;
    m->msg_type = (enum warning_msg_type)idx;
    if ((rc = get_enum(root, "status", status_names, &idx,
                       "actual, exercise, system, test or draft", diag)) != SM_OK)
        return rc;
    m->status = (enum warning_status)idx;
    if ((rc = read_references(m, root, diag)) != SM_OK)
        return rc;

    /* level: required except on a cancel, where it defaults to none */
    if ((rc = get_string(root, "level", m->msg_type != WARNING_MSG_CANCEL, &s,
                         diag)) != SM_OK)
        return rc;
    if (s) {
        bool ok = ingest_level_parse(s, &m->level);
        if (!ok)
            sm_diag_set(diag, "bad_enumeration",
                        "field 'level': '%.64s' is not none, yellow, orange or red",
                        s);
        free(s);
        if (!ok)
            return SM_ERR_INVAL;
        m->level_from_parameter = true;
    }

    if ((rc = get_time(root, "onset", false, &m->onset_ms, diag)) ||
        (rc = get_time(root, "effective", false, &m->effective_ms, diag)) ||
        (rc = get_time(root, "expires", false, &m->expires_ms, diag)))
        return rc;
    int64_t start = m->onset_ms ? m->onset_ms : m->effective_ms;
    if (m->expires_ms && start && m->expires_ms <= start) {
        sm_diag_set(diag, "expires_before_onset",
                    "field 'expires' is not after 'onset'/'effective'");
        return SM_ERR_INVAL;
    }
    if ((rc = read_areas(m, root, diag)) != SM_OK)
        return rc;
    if ((rc = get_string(root, "headline", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        free(m->headline);
        m->headline = s;
    }
    if ((rc = get_string(root, "description", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        free(m->description);
        m->description = s;
    }
    if ((rc = get_string(root, "primary_pollutant", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        free(m->primary_pollutant);
        m->primary_pollutant = ingest_pollutant_normalise(s);
        free(s);
    }
    return read_forecast(m, root, diag);
}

enum sm_err
warning_parse_json(const char *data, size_t len, struct warning_msg **out,
                   struct sm_diag *diag)
{
    json_error_t err;
    json_t *root;
    struct warning_msg *m;
    enum sm_err rc;

    *out = NULL;
    if (len > INGEST_MAX_BYTES) {
        sm_diag_set(diag, "too_large", "document is %zu bytes; the limit is %d",
                    len, INGEST_MAX_BYTES);
        return SM_ERR_LIMIT;
    }
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        sm_diag_at(diag, err.line > 0 ? err.line : 0,
                   err.column > 0 ? err.column : 0, "malformed_json",
                   "malformed JSON: %s", err.text);
        return SM_ERR_PARSE;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return wrong_type(diag, "(top level)", "an object");
    }
    m = warning_msg_new("json", data, len);
    rc = read_object(m, root, diag);
    json_decref(root);
    if (rc != SM_OK) {
        warning_msg_free(m);
        return rc;
    }
    *out = m;
    return SM_OK;
}
