/* Shapes of contact data: enough to refuse typos and header injection, not
 * a full RFC parser (the relay and the gateway judge the rest). Pure. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "dispatch/dispatch.h"
#include "store/store_dispatch.h"

#define CONTACT_MAX_LEN   2048
#define CONTACT_MAX_ITEMS 16

static bool
all_graphic(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

bool
contact_url_ok(const char *s)
{
    size_t skip;

    if (!s || strlen(s) > CONTACT_MAX_LEN || !all_graphic(s))
        return false;
    if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else
        return false;
    /* a host must follow: not empty, not starting with '/', '?' or '#' */
    return s[skip] && !strchr("/?#@:", s[skip]);
}

bool
contact_email_ok(const char *s)
{
    const char *at, *dot;

    if (!s || strlen(s) > 254 || !all_graphic(s) || strpbrk(s, "<>()[],;:\\\""))
        return false;
    at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return false;
    dot = strrchr(at + 1, '.');
    /* the domain needs a dot with something on both sides */
    return dot && dot > at + 1 && dot[1] && at[1] != '.';
}

bool
contact_phone_ok(const char *s)
{
    size_t digits = 0;

    if (!s)
        return false;
    if (*s == '+')
        s++;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        digits++;
    }
    return digits >= 5 && digits <= 20;
}

bool
contact_uscc_shape_ok(const char *s)
{
    if (!s || strlen(s) != 18)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && !(*s >= 'A' && *s <= 'Z'))
            return false;
    return true;
}

/* ---- the JSON form used by the API ---- */

static enum sm_err
string_or_null(const json_t *body, const char *key, char **out, struct sm_diag *diag)
{
    json_t *v = json_object_get(body, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return SM_OK;
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v) || json_string_length(v) > 2048) {
        sm_diag_set(diag, "bad_type", "\"%s\" must be a non-empty string or null", key);
        return SM_ERR_INVAL;
    }
    *out = xstrdup(json_string_value(v));
    return SM_OK;
}

static enum sm_err
string_list(const json_t *body, const char *key, bool (*ok)(const char *), const char *code,
            char **out, struct sm_diag *diag)
{
    json_t *v = json_object_get(body, key), *e;
    size_t i;

    *out = NULL;
    if (!v || json_is_null(v)) {
        *out = xstrdup("[]");
        return SM_OK;
    }
    if (!json_is_array(v) || json_array_size(v) > CONTACT_MAX_ITEMS) {
        sm_diag_set(diag, "bad_type", "\"%s\" must be an array of at most %d strings", key,
                    CONTACT_MAX_ITEMS);
        return SM_ERR_INVAL;
    }
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) || !ok(json_string_value(e))) {
            sm_diag_set(diag, code, "%s[%zu] is not valid: %.80s", key, i,
                        json_is_string(e) ? json_string_value(e) : "(not a string)");
            return SM_ERR_INVAL;
        }
    }
    *out = json_dumps(v, JSON_COMPACT);
    return SM_OK;
}

enum sm_err
contact_from_json(const json_t *body, const char *uscc, int64_t now_ms, struct contact_rec *out,
                  struct sm_diag *diag)
{
    static const char *const keys[] = { "webhook_url", "webhook_secret", "emails", "phones",
                                        "uscc", NULL };
    const char *key;
    json_t *v;
    enum sm_err err;

    memset(out, 0, sizeof(*out));
    json_object_foreach((json_t *)body, key, v)
    {
        bool known = false;
        for (size_t i = 0; keys[i] && !known; i++)
            known = strcmp(key, keys[i]) == 0;
        if (!known) {
            sm_diag_set(diag, "unknown_key", "unknown key \"%.60s\" in contacts", key);
            return SM_ERR_INVAL;
        }
    }
    v = json_object_get(body, "uscc");
    if (v && (!json_is_string(v) || strcmp(json_string_value(v), uscc) != 0)) {
        sm_diag_set(diag, "uscc_mismatch", "\"uscc\" in the body differs from the path");
        return SM_ERR_INVAL;
    }
    out->uscc = xstrdup(uscc);
    out->updated_ms = now_ms;
    if ((err = string_or_null(body, "webhook_url", &out->webhook_url, diag)) ||
        (err = string_or_null(body, "webhook_secret", &out->webhook_secret, diag)) ||
        (err = string_list(body, "emails", contact_email_ok, "bad_email", &out->emails, diag)) ||
        (err = string_list(body, "phones", contact_phone_ok, "bad_phone", &out->phones, diag)))
        goto fail;
    if (out->webhook_url && !contact_url_ok(out->webhook_url)) {
        sm_diag_set(diag, "bad_url", "webhook_url must be an http:// or https:// URL with a host");
        err = SM_ERR_INVAL;
        goto fail;
    }
    return SM_OK;
fail:
    contact_rec_release(out);
    return err;
}

json_t *
contact_to_json(const struct contact_rec *c, int tz_min)
{
    json_t *o = json_object();
    char t[32];

    json_object_set_new(o, "uscc", json_string(c->uscc));
    json_object_set_new(o, "webhook_url", c->webhook_url ? json_string(c->webhook_url) : json_null());
    json_object_set_new(o, "webhook_secret_set", json_boolean(c->webhook_secret != NULL));
    json_object_set_new(o, "emails", json_loads(c->emails ? c->emails : "[]", 0, NULL));
    json_object_set_new(o, "phones", json_loads(c->phones ? c->phones : "[]", 0, NULL));
    json_object_set_new(o, "updated_at", json_string(sm_time_format(c->updated_ms, tz_min, t)));
    return o;
}
