/* sms: a generic HTTP SMS gateway described by a request template.
 * Placeholders {phone}, {text} and {event_id} in the URL are URL-encoded;
 * in the body they are JSON-escaped (body_format "json", the default) or
 * URL-encoded (body_format "form"). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "curl_loop.h"
#include "notifier.h"
#include "notifier_int.h"

#define SMS_MAX_REQUEST_LEN (64 * 1024)

enum sms_encoding { SMS_ENC_URL, SMS_ENC_JSON };

struct sms {
    struct event_base *base;  /* borrowed */
    struct notifier_env *env; /* borrowed */
    char *method;
    char *url_template;
    char *body_template; /* NULL for GET */
    enum sms_encoding body_encoding;
    struct curl_slist *headers; /* from config plus the Content-Type */
    long timeout_ms;
    long connect_timeout_ms;
};

static const char *const placeholders[] = { "phone", "text", "event_id", NULL };

/* Length of a placeholder name at p (just after '{'), or 0 when p does not
 * start one: JSON braces like {"to": ...} are literal text. */
static size_t
placeholder_len(const char *p)
{
    size_t n = 0;

    while (islower((unsigned char)p[n]) || p[n] == '_')
        n++;
    return n > 0 && p[n] == '}' ? n : 0;
}

static enum sm_err
template_check(const char *tmpl, const char *key, struct sm_diag *diag)
{
    for (const char *p = tmpl; (p = strchr(p, '{')); p++) {
        size_t n = placeholder_len(p + 1);
        bool known = false;

        for (size_t i = 0; n && placeholders[i]; i++)
            known = known || (strlen(placeholders[i]) == n &&
                              strncmp(placeholders[i], p + 1, n) == 0);
        if (n && !known) {
            sm_diag_set(diag, "unknown_placeholder",
                        "unknown placeholder {%.*s} in \"%s\" at offset %zu "
                        "(known: {phone}, {text}, {event_id})",
                        (int)(n > 40 ? 40 : n), p + 1, key, (size_t)(p - tmpl));
            return SM_ERR_INVAL;
        }
    }
    return SM_OK;
}

static bool
add_json_escaped(struct buf *out, const char *s)
{
    bool ok = true;

    for (; *s && ok; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            ok = buf_printf(out, "\\%c", c);
        else if (c < 0x20)
            ok = buf_printf(out, "\\u%04x", c);
        else
            ok = buf_add(out, s, 1);
    }
    return ok;
}

static bool
add_url_encoded(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    bool ok = true;

    for (; *s && ok; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            ok = buf_add(out, s, 1);
        } else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

            ok = buf_add(out, esc, 3);
        }
    }
    return ok;
}

/* false when the request would exceed SMS_MAX_REQUEST_LEN */
static bool
template_expand(const char *tmpl, const struct notice *n, enum sms_encoding enc,
                struct buf *out)
{
    const char *p = tmpl;

    while (*p) {
        const char *brace = strchr(p, '{');
        size_t len;
        const char *value = NULL;

        if (!brace)
            return buf_addstr(out, p);
        if (!buf_add(out, p, (size_t)(brace - p)))
            return false;
        len = placeholder_len(brace + 1);
        if (len == 5 && strncmp(brace + 1, "phone", 5) == 0)
            value = n->recipient;
        else if (len == 4 && strncmp(brace + 1, "text", 4) == 0)
            value = n->text;
        else if (len == 8 && strncmp(brace + 1, "event_id", 8) == 0)
            value = n->event_id;
        if (len == 0) {
            if (!buf_add(out, "{", 1))
                return false;
            p = brace + 1;
            continue;
        }
        if (!(enc == SMS_ENC_JSON ? add_json_escaped(out, value ? value : "")
                                  : add_url_encoded(out, value ? value : "")))
            return false;
        p = brace + len + 2;
    }
    return true;
}

static void
sms_destroy(void *state)
{
    struct sms *s = state;

    if (!s)
        return;
    curl_loop_cancel_owner(s->env->curl, s);
    curl_slist_free_all(s->headers);
    free(s->method);
    free(s->url_template);
    free(s->body_template);
    free(s);
}

static bool
headers_have(const struct curl_slist *h, const char *name)
{
    size_t n = strlen(name);

    for (; h; h = h->next)
        if (strncasecmp(h->data, name, n) == 0 && h->data[n] == ':')
            return true;
    return false;
}

static enum sm_err
sms_create(struct event_base *base, struct notifier_env *env,
           const json_t *config, void **state, struct sm_diag *diag)
{
    static const char *const keys[] = { "method",
                                        "url",
                                        "headers",
                                        "body",
                                        "body_format",
                                        "timeout_ms",
                                        "connect_timeout_ms",
                                        NULL };
    static const char *const http_schemes[] = { "http", "https", NULL };
    struct sms *s = xcalloc(1, sizeof(*s));
    const char *method, *url, *body, *format;
    enum sm_err err;

    s->base = base;
    s->env = env;
    *state = NULL;
    if ((err = notifier_cfg_check_keys(config, keys, diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "method", false, &method,
                                       diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "url", true, &url, diag)) !=
            SM_OK ||
        (err = notifier_cfg_get_string(config, "body", false, &body, diag)) !=
            SM_OK ||
        (err = notifier_cfg_get_string(config, "body_format", false, &format,
                                       diag)) != SM_OK ||
        (err = notifier_cfg_get_long(
             config, "timeout_ms", NOTIFIER_DEFAULT_TIMEOUT_MS, 100,
             NOTIFIER_MAX_TIMEOUT_MS, &s->timeout_ms, diag)) != SM_OK ||
        (err = notifier_cfg_get_long(config, "connect_timeout_ms",
                                     NOTIFIER_DEFAULT_CONNECT_TIMEOUT_MS, 100,
                                     NOTIFIER_MAX_TIMEOUT_MS,
                                     &s->connect_timeout_ms, diag)) != SM_OK ||
        (err = notifier_cfg_get_headers(config, "headers", &s->headers,
                                        diag)) != SM_OK)
        goto fail;
    err = SM_ERR_INVAL;
    method = method ? method : "POST";
    if (strcmp(method, "POST") != 0 && strcmp(method, "PUT") != 0 &&
        strcmp(method, "GET") != 0) {
        sm_diag_set(diag, "bad_method", "\"method\" must be POST, PUT or GET");
        goto fail;
    }
    if (!notifier_url_has_scheme(url, http_schemes)) {
        sm_diag_set(diag, "bad_url", "\"url\" must be http:// or https://");
        goto fail;
    }
    if ((strcmp(method, "GET") == 0) != (body == NULL)) {
        sm_diag_set(
            diag, "bad_body",
            "\"body\" is required for POST and PUT and refused for GET");
        goto fail;
    }
    if (format && strcmp(format, "json") != 0 && strcmp(format, "form") != 0) {
        sm_diag_set(diag, "bad_body_format",
                    "\"body_format\" must be \"json\" or \"form\"");
        goto fail;
    }
    if ((err = template_check(url, "url", diag)) != SM_OK ||
        (body && (err = template_check(body, "body", diag)) != SM_OK))
        goto fail;
    s->body_encoding =
        format && strcmp(format, "form") == 0 ? SMS_ENC_URL : SMS_ENC_JSON;
    if (body && !headers_have(s->headers, "Content-Type"))
        s->headers = curl_slist_append(
            s->headers,
            s->body_encoding == SMS_ENC_JSON
                ? "Content-Type: application/json; charset=utf-8"
                : "Content-Type: application/x-www-form-urlencoded");
    s->method = xstrdup(method);
    s->url_template = xstrdup(url);
    s->body_template = body ? xstrdup(body) : NULL;
    *state = s;
    return SM_OK;
fail:
    sms_destroy(s);
    return err;
}

static void
sms_send(void *state, const struct notice *n, notifier_done_fn *done, void *arg)
{
    struct sms *s = state;
    struct notifier_http_request req = { 0 };
    struct notify_result r;
    struct buf url, body;

    buf_init(&url, SMS_MAX_REQUEST_LEN);
    buf_init(&body, SMS_MAX_REQUEST_LEN);
    if (!n->recipient || !n->text || !n->event_id) {
        notify_result_set(
            &r, NOTIFY_PERMANENT,
            "notice needs a phone number, a text and an event_id");
        goto fail;
    }
    if (!template_expand(s->url_template, n, SMS_ENC_URL, &url) ||
        (s->body_template &&
         !template_expand(s->body_template, n, s->body_encoding, &body))) {
        notify_result_set(&r, NOTIFY_PERMANENT, "request exceeds %d bytes",
                          SMS_MAX_REQUEST_LEN);
        goto fail;
    }
    req.method = s->method;
    req.url = url.data;
    req.timeout_ms = s->timeout_ms;
    req.connect_timeout_ms = s->connect_timeout_ms;
    for (struct curl_slist *h = s->headers; h; h = h->next)
        req.headers = curl_slist_append(req.headers, h->data);
    if (s->body_template) {
        req.body_len = body.len;
        req.body = buf_detach(&body);
    }
    notifier_http_send(s->base, s->env, s, &req, done, arg);
    buf_release(&url);
    return;
fail:
    buf_release(&url);
    buf_release(&body);
    notify_report_later(s->base, done, arg, &r);
}

const struct notifier_ops notifier_sms_ops = {
    .name = "sms",
    .create = sms_create,
    .send = sms_send,
    .destroy = sms_destroy,
};
