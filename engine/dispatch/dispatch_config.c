/* The notifiers file: channels, officers' contacts, retry settings. Read
 * strictly: unknown keys and bad values are refused, naming them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "dispatch/dispatch_int.h"
#include "notice_render.h"

#define NOTIFIERS_FILE_MAX (1024 * 1024)

static const char *const channel_names[CH_COUNT] = { "webhook", "email", "sms", "file" };

const char *
dispatch_channel_name(enum dispatch_channel ch)
{
    return ch < CH_COUNT ? channel_names[ch] : "?";
}

bool
dispatch_channel_parse(const char *name, enum dispatch_channel *out)
{
    for (int i = 0; name && i < CH_COUNT; i++)
        if (strcmp(name, channel_names[i]) == 0) {
            *out = (enum dispatch_channel)i;
            return true;
        }
    return false;
}

static enum sm_err
check_keys(const json_t *obj, const char *where, const char *const *allowed, const char *source,
           struct sm_diag *diag)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj)) {
        sm_diag_set(diag, "bad_type", "%s: \"%s\" must be an object", source, where);
        return SM_ERR_INVAL;
    }
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;

        (void)v;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known) {
            sm_diag_set(diag, "unknown_key", "%s: unknown key \"%.60s\" in %s", source, key, where);
            return SM_ERR_INVAL;
        }
    }
    return SM_OK;
}

static enum sm_err
get_int(const json_t *obj, const char *key, const char *where, int64_t min, int64_t max,
        int64_t *out, const char *source, struct sm_diag *diag)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return SM_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        sm_diag_set(diag, "out_of_range", "%s: %s.%s must be an integer in [%lld, %lld]", source,
                    where, key, (long long)min, (long long)max);
        return SM_ERR_INVAL;
    }
    *out = json_integer_value(v);
    return SM_OK;
}

static enum sm_err
get_list(const json_t *officers, const char *key, bool (*ok)(const char *), const char **out,
         int *n, const char *source, struct sm_diag *diag)
{
    json_t *arr = json_object_get(officers, key), *v;
    size_t i;

    *n = 0;
    if (!arr)
        return SM_OK;
    if (!json_is_array(arr) || json_array_size(arr) > DISPATCH_MAX_OFFICER_CONTACTS) {
        sm_diag_set(diag, "bad_type", "%s: officers.%s must be an array of at most %d strings",
                    source, key, DISPATCH_MAX_OFFICER_CONTACTS);
        return SM_ERR_INVAL;
    }
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !ok(json_string_value(v))) {
            sm_diag_set(diag, "bad_contact", "%s: officers.%s[%zu] is not a valid %s", source, key,
                        i, strcmp(key, "emails") == 0 ? "e-mail address" : "phone number");
            return SM_ERR_INVAL;
        }
        out[(*n)++] = json_string_value(v);
    }
    return SM_OK;
}

static const char *
default_templates_dir(void)
{
    static const char *const candidates[] = { SMOGD_DATA_DIR "/templates",
                                              SMOGD_SOURCE_DIR "/notifiers/templates" };

    for (size_t i = 0; i < SM_ARRAY_LEN(candidates); i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return "templates";
}

static enum sm_err
read_officers(struct dispatch_config *c, const json_t *o, const char *source, struct sm_diag *diag)
{
    static const char *const keys[] = { "emails", "phones", "webhook_url", "file", NULL };
    json_t *v;
    enum sm_err err;

    if ((err = check_keys(o, "officers", keys, source, diag)) ||
        (err = get_list(o, "emails", contact_email_ok, c->officer_emails, &c->n_officer_emails,
                        source, diag)) ||
        (err = get_list(o, "phones", contact_phone_ok, c->officer_phones, &c->n_officer_phones,
                        source, diag)))
        return err;
    if ((v = json_object_get(o, "webhook_url"))) {
        if (!json_is_string(v) || !contact_url_ok(json_string_value(v))) {
            sm_diag_set(diag, "bad_contact", "%s: officers.webhook_url must be an http(s) URL",
                        source);
            return SM_ERR_INVAL;
        }
        c->officer_webhook = json_string_value(v);
    }
    if ((v = json_object_get(o, "file"))) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            sm_diag_set(diag, "bad_type", "%s: officers.file must be a path", source);
            return SM_ERR_INVAL;
        }
        c->officer_file = json_string_value(v);
    }
    return SM_OK;
}

static enum sm_err
read_city(struct dispatch_config *c, const json_t *o, const char *source, struct sm_diag *diag)
{
    static const char *const keys[] = { "emails", "webhook_url", NULL };
    json_t *v, *arr = json_object_get(o, "emails");
    size_t i;
    enum sm_err err;

    if ((err = check_keys(o, "city", keys, source, diag)))
        return err;
    if (arr && (!json_is_array(arr) || json_array_size(arr) > DISPATCH_MAX_OFFICER_CONTACTS)) {
        sm_diag_set(diag, "bad_type", "%s: city.emails must be an array of at most %d strings",
                    source, DISPATCH_MAX_OFFICER_CONTACTS);
        return SM_ERR_INVAL;
    }
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v) || !contact_email_ok(json_string_value(v))) {
            sm_diag_set(diag, "bad_contact", "%s: city.emails[%zu] is not a valid e-mail address",
                        source, i);
            return SM_ERR_INVAL;
        }
        c->city_emails[c->n_city_emails++] = json_string_value(v);
    }
    if ((v = json_object_get(o, "webhook_url"))) {
        if (!json_is_string(v) || !contact_url_ok(json_string_value(v))) {
            sm_diag_set(diag, "bad_contact", "%s: city.webhook_url must be an http(s) URL", source);
            return SM_ERR_INVAL;
        }
        c->city_webhook = json_string_value(v);
    }
    return SM_OK;
}

static enum sm_err
read_channels(struct dispatch_config *c, json_t *chans, const char *source, struct sm_diag *diag)
{
    const char *key;
    json_t *v;

    if (!json_is_object(chans)) {
        sm_diag_set(diag, "bad_type", "%s: \"channels\" must be an object", source);
        return SM_ERR_INVAL;
    }
    json_object_foreach(chans, key, v)
    {
        enum dispatch_channel ch;
        json_t *type;

        if (!dispatch_channel_parse(key, &ch)) {
            sm_diag_set(diag, "unknown_channel",
                        "%s: unknown channel \"%.60s\" (webhook, email, sms, file)", source, key);
            return SM_ERR_INVAL;
        }
        if (!json_is_object(v)) {
            sm_diag_set(diag, "bad_type", "%s: channels.%s must be an object", source, key);
            return SM_ERR_INVAL;
        }
        type = json_object_get(v, "type");
        if (type && (!json_is_string(type) || strcmp(json_string_value(type), key) != 0)) {
            sm_diag_set(diag, "bad_type", "%s: channels.%s.type must be \"%s\" or absent", source,
                        key, key);
            return SM_ERR_INVAL;
        }
        if (!type)
            json_object_set_new(v, "type", json_string(key));
        c->channel[ch] = v;
    }
    return SM_OK;
}

enum sm_err
dispatch_config_parse(struct dispatch_config *c, const char *text, const char *source,
                      const char *db_path, struct sm_diag *diag)
{
    static const char *const keys[] = { "channels", "officers", "retry", "deadline_minutes",
                                        "templates", "city", NULL };
    static const char *const retry_keys[] = { "base_ms", "cap_ms", "max_attempts", NULL };
    json_error_t je;
    json_t *v;
    int64_t n;
    enum sm_err err;

    memset(c, 0, sizeof(*c));
    c->base_ms = DISPATCH_DEFAULT_BASE_MS;
    c->cap_ms = DISPATCH_DEFAULT_CAP_MS;
    c->max_attempts = DISPATCH_DEFAULT_MAX_ATTEMPTS;
    c->deadline_ms = (int64_t)DISPATCH_DEFAULT_DEADLINE_MIN * 60000;
    if (text) {
        c->root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
        if (!c->root) {
            /* FILE:LINE:COLUMN: why, as a template's errors read */
            sm_diag_at(diag, je.line, je.column, "bad_json", "%s", je.text);
            if (diag)
                snprintf(diag->source, sizeof(diag->source), "%s", source);
            return SM_ERR_PARSE;
        }
    } else {
        char *path = xasprintf("%s.notices.jsonl", db_path ? db_path : "smogd.db");
        c->root = json_pack("{s:{s:{s:s,s:s}}}", "channels", "file", "type", "file", "path", path);
        free(path);
    }
    if ((err = check_keys(c->root, "the top level", keys, source, diag)))
        goto fail;
    if ((v = json_object_get(c->root, "channels")) && (err = read_channels(c, v, source, diag)))
        goto fail;
    if ((v = json_object_get(c->root, "officers")) && (err = read_officers(c, v, source, diag)))
        goto fail;
    if ((v = json_object_get(c->root, "city")) && (err = read_city(c, v, source, diag)))
        goto fail;
    if ((v = json_object_get(c->root, "retry"))) {
        n = c->max_attempts;
        if ((err = check_keys(v, "retry", retry_keys, source, diag)) ||
            (err = get_int(v, "base_ms", "retry", 1, 3600000, &c->base_ms, source, diag)) ||
            (err = get_int(v, "cap_ms", "retry", 1, 86400000, &c->cap_ms, source, diag)) ||
            (err = get_int(v, "max_attempts", "retry", 1, 1000, &n, source, diag)))
            goto fail;
        c->max_attempts = (int)n;
        if (c->cap_ms < c->base_ms) {
            sm_diag_set(diag, "out_of_range", "%s: retry.cap_ms must be >= retry.base_ms", source);
            err = SM_ERR_INVAL;
            goto fail;
        }
    }
    n = DISPATCH_DEFAULT_DEADLINE_MIN;
    if ((err = get_int(c->root, "deadline_minutes", "the top level", 1, 7 * 24 * 60, &n, source,
                       diag)))
        goto fail;
    c->deadline_ms = n * 60000;
    v = json_object_get(c->root, "templates");
    if (v && (!json_is_string(v) || json_string_length(v) == 0)) {
        sm_diag_set(diag, "bad_type", "%s: \"templates\" must be a directory path", source);
        err = SM_ERR_INVAL;
        goto fail;
    }
    c->templates_dir = xstrdup(v ? json_string_value(v) : default_templates_dir());
    if ((err = dispatch_templates_load(c->templates_dir, &c->templates, diag)))
        goto fail;
    return SM_OK;
fail:
    dispatch_config_release(c);
    return err;
}

enum sm_err
dispatch_config_load(struct dispatch_config *c, const char *path, const char *db_path,
                     struct sm_diag *diag)
{
    struct stat sb;
    FILE *f;
    char *text;
    size_t got;
    enum sm_err err;

    if (!path)
        return dispatch_config_parse(c, NULL, "default notifiers", db_path, diag);
    memset(c, 0, sizeof(*c));
    f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &sb) != 0) {
        sm_diag_set(diag, "notifiers_unreadable", "notifiers file %s cannot be read", path);
        if (f)
            fclose(f);
        return SM_ERR_IO;
    }
    if (sb.st_size > NOTIFIERS_FILE_MAX) {
        fclose(f);
        sm_diag_set(diag, "too_large", "notifiers file %s is over %d bytes", path,
                    NOTIFIERS_FILE_MAX);
        return SM_ERR_LIMIT;
    }
    text = xmalloc((size_t)sb.st_size + 1);
    got = fread(text, 1, (size_t)sb.st_size, f);
    text[got] = '\0';
    fclose(f);
    err = dispatch_config_parse(c, text, path, db_path, diag);
    free(text);
    return err;
}

void
dispatch_config_release(struct dispatch_config *c)
{
    json_decref(c->root);
    free(c->templates_dir);
    notice_templates_free(c->templates);
    memset(c, 0, sizeof(*c));
}

enum sm_err
dispatch_config_reload_templates(struct dispatch_config *c, struct sm_diag *diag)
{
    struct notice_templates *fresh = NULL;
    enum sm_err err = dispatch_templates_load(c->templates_dir, &fresh, diag);

    if (err)
        return err;
    notice_templates_free(c->templates);
    c->templates = fresh;
    return SM_OK;
}
