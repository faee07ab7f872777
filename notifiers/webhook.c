/* webhook: the notice's JSON payload POSTed to a URL, signed with
 * HMAC-SHA256 so the receiver can check origin and freshness. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/xalloc.h"
#include "curl_loop.h"
#include "notifier.h"
#include "notifier_int.h"

struct webhook {
    struct event_base *base;  /* borrowed */
    struct notifier_env *env; /* borrowed */
    char *url;                /* NULL: post to the notice's recipient */
    char *secret;             /* never logged */
    struct curl_slist *extra_headers;
    long timeout_ms;
    long connect_timeout_ms;
};

static const char *const http_schemes[] = { "http", "https", NULL };

static void
webhook_destroy(void *state)
{
    struct webhook *wh = state;

    if (!wh)
        return;
    curl_loop_cancel_owner(wh->env->curl, wh);
    curl_slist_free_all(wh->extra_headers);
    free(wh->url);
    free(wh->secret);
    free(wh);
}

static enum sm_err
webhook_create(struct event_base *base, struct notifier_env *env,
               const json_t *config, void **state, struct sm_diag *diag)
{
    static const char *const keys[] = { "url",        "secret",
                                        "timeout_ms", "connect_timeout_ms",
                                        "headers",    NULL };
    struct webhook *wh = xcalloc(1, sizeof(*wh));
    const char *url, *secret;
    enum sm_err err;

    wh->base = base;
    wh->env = env;
    *state = NULL;
    if ((err = notifier_cfg_check_keys(config, keys, diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "url", false, &url, diag)) !=
            SM_OK ||
        (err = notifier_cfg_get_string(config, "secret", true, &secret,
                                       diag)) != SM_OK ||
        (err = notifier_cfg_get_long(
             config, "timeout_ms", NOTIFIER_DEFAULT_TIMEOUT_MS, 100,
             NOTIFIER_MAX_TIMEOUT_MS, &wh->timeout_ms, diag)) != SM_OK ||
        (err = notifier_cfg_get_long(config, "connect_timeout_ms",
                                     NOTIFIER_DEFAULT_CONNECT_TIMEOUT_MS, 100,
                                     NOTIFIER_MAX_TIMEOUT_MS,
                                     &wh->connect_timeout_ms, diag)) != SM_OK ||
        (err = notifier_cfg_get_headers(config, "headers", &wh->extra_headers,
                                        diag)) != SM_OK)
        goto fail;
    if (url && !notifier_url_has_scheme(url, http_schemes)) {
        sm_diag_set(diag, "bad_url", "\"url\" must be http:// or https://");
        err = SM_ERR_INVAL;
        goto fail;
    }
    wh->url = url ? xstrdup(url) : NULL;
    wh->secret = xstrdup(secret);
    *state = wh;
    return SM_OK;
fail:
    webhook_destroy(wh);
    return err;
}

static void
webhook_send(void *state, const struct notice *n, notifier_done_fn *done,
             void *arg)
{
    struct webhook *wh = state;
    struct notifier_http_request req = { 0 };
    struct notify_result r;
    const char *url = wh->url ? wh->url : n->recipient;
    int64_t ts = wh->env->now_ms(wh->env->clock) / 1000;
    char hex[SM_SHA256_HEX_LEN + 1], *signed_text, *line;

    if (!url || !notifier_url_has_scheme(url, http_schemes)) {
        notify_result_set(&r, NOTIFY_PERMANENT,
                          "no http(s) URL configured or in the recipient");
        goto fail;
    }
    if (!n->event_id || notifier_has_line_break(n->event_id) || !n->json) {
        notify_result_set(&r, NOTIFY_PERMANENT,
                          "notice needs a one-line event_id and a JSON body");
        goto fail;
    }
    req.method = "POST";
    req.url = url;
    req.timeout_ms = wh->timeout_ms;
    req.connect_timeout_ms = wh->connect_timeout_ms;
    req.body = xstrdup(n->json);
    req.body_len = strlen(req.body);

    /* v1 = HMAC-SHA256(secret, "<timestamp>.<body>"): the timestamp inside
     * the MAC lets the receiver refuse replays outside its tolerance. */
    signed_text = xasprintf("%" PRId64 ".%s", ts, req.body);
    sm_hmac_sha256_hex(wh->secret, strlen(wh->secret), signed_text,
                       strlen(signed_text), hex);
    free(signed_text);

    for (struct curl_slist *h = wh->extra_headers; h; h = h->next)
        req.headers = curl_slist_append(req.headers, h->data);
    req.headers =
        curl_slist_append(req.headers, "Content-Type: application/json");
    line = xasprintf("X-Smogd-Event: %s", n->event_id);
    req.headers = curl_slist_append(req.headers, line);
    free(line);
    if (n->kind && !notifier_has_line_break(n->kind)) {
        line = xasprintf("X-Smogd-Kind: %s", n->kind);
        req.headers = curl_slist_append(req.headers, line);
        free(line);
    }
    line = xasprintf("X-Smogd-Timestamp: %" PRId64, ts);
    req.headers = curl_slist_append(req.headers, line);
    free(line);
    line = xasprintf("X-Smogd-Signature: v1=%s", hex);
    req.headers = curl_slist_append(req.headers, line);
    free(line);

    notifier_http_send(wh->base, wh->env, wh, &req, done, arg);
    return;
fail:
    notify_report_later(wh->base, done, arg, &r);
}

const struct notifier_ops notifier_webhook_ops = {
    .name = "webhook",
    .create = webhook_create,
    .send = webhook_send,
    .destroy = webhook_destroy,
};
