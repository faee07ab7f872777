/* One asynchronous HTTP request for webhook and sms, and the mapping of its
 * outcome to delivered / transient / permanent. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "base/xalloc.h"
#include "curl_loop.h"
#include "notifier_int.h"

struct http_exchange {
    struct event_base *base;  /* borrowed */
    struct notifier_env *env; /* borrowed */
    notifier_done_fn *done;
    void *arg;
    struct curl_slist *headers;
    char *body;
    long timeout_ms;
    char retry_after[64]; /* the final response's Retry-After, trimmed */
    char errbuf[CURL_ERROR_SIZE];
};

static void
exchange_free(struct http_exchange *x)
{
    curl_slist_free_all(x->headers);
    free(x->body);
    free(x);
}

/* Keeps only Retry-After; a new status line (after 100 Continue) resets. */
static size_t
on_header(char *line, size_t size, size_t count, void *arg)
{
    struct http_exchange *x = arg;
    size_t n = size * count;
    static const char name[] = "retry-after:";

    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        x->retry_after[0] = '\0';
    } else if (n > sizeof(name) - 1 &&
               strncasecmp(line, name, sizeof(name) - 1) == 0) {
        const char *v = line + sizeof(name) - 1, *end = line + n;
        size_t len;

        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && isspace((unsigned char)end[-1]))
            end--;
        len = (size_t)(end - v);
        if (len >= sizeof(x->retry_after))
            len = sizeof(x->retry_after) - 1;
        memcpy(x->retry_after, v, len);
        x->retry_after[len] = '\0';
    }
    return n;
}

/* The reply body is not needed: receivers answer with a status. */
static size_t
on_body(char *data, size_t size, size_t count, void *arg)
{
    (void)data;
    (void)arg;
    return size * count;
}

int64_t
notifier_http_retry_after_ms(const char *value, int64_t now_ms)
{
    const int64_t cap_ms = 86400000LL;
    int64_t ms;

    if (!value || !*value)
        return -1;
    if (isdigit((unsigned char)value[0])) {
        int64_t s = 0;

        for (const char *p = value; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            if (s < cap_ms)
                s = s * 10 + (*p - '0');
        }
        ms = s * 1000;
    } else {
        time_t t = curl_getdate(value, NULL);

        if (t == (time_t)-1)
            return -1;
        ms = (int64_t)t * 1000 - now_ms;
        if (ms < 0)
            ms = 0;
    }
    return ms > cap_ms ? cap_ms : ms;
}

bool
notifier_curl_error_is_permanent(CURLcode rc)
{
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_USE_SSL_FAILED:
    case CURLE_LOGIN_DENIED:
    case CURLE_TOO_MANY_REDIRECTS:
        return true;
    default:
        return false;
    }
}

void
notifier_http_classify(CURLcode rc, long status, const char *errbuf,
                       long timeout_ms, struct notify_result *r)
{
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        notify_result_set(r, NOTIFY_TRANSIENT, "timeout after %ld ms",
                          timeout_ms);
    } else if (rc != CURLE_OK) {
        notify_result_set(
            r,
            notifier_curl_error_is_permanent(rc) ? NOTIFY_PERMANENT
                                                 : NOTIFY_TRANSIENT,
            "%s: %s", curl_easy_strerror(rc), errbuf && *errbuf ? errbuf : "-");
    } else if (status >= 200 && status <= 299) {
        notify_result_set(r, NOTIFY_DELIVERED, "HTTP %ld", status);
    } else if (status == 408 || status == 429 ||
               (status >= 500 && status <= 599)) {
        notify_result_set(r, NOTIFY_TRANSIENT, "HTTP %ld", status);
    } else if (status >= 300 && status <= 399) {
        notify_result_set(r, NOTIFY_PERMANENT,
                          "HTTP %ld: redirects are not followed", status);
    } else {
        notify_result_set(r, NOTIFY_PERMANENT, "HTTP %ld", status);
    }
    r->http_status = (int)status;
}

static void
on_http_done(void *arg, CURL *easy, CURLcode rc, bool cancelled)
{
    struct http_exchange *x = arg;
    notifier_done_fn *done = x->done;
    void *done_arg = x->arg;
    struct notify_result r;
    long status = 0;

    if (!cancelled) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        notifier_http_classify(rc, status, x->errbuf, x->timeout_ms, &r);
        if (r.status == NOTIFY_TRANSIENT && status > 0)
            r.retry_after_ms = notifier_http_retry_after_ms(
                x->retry_after, x->env->now_ms(x->env->clock));
    }
    curl_easy_cleanup(easy);
    exchange_free(x);
    if (!cancelled)
        done(done_arg, &r);
}

void
notifier_http_send(struct event_base *base, struct notifier_env *env,
                   const void *owner, struct notifier_http_request *req,
                   notifier_done_fn *done, void *arg)
{
    struct http_exchange *x = xcalloc(1, sizeof(*x));
    struct notify_result r;
    CURL *easy = curl_easy_init();

    x->base = base;
    x->env = env;
    x->done = done;
    x->arg = arg;
    x->headers = req->headers;
    x->body = req->body;
    x->timeout_ms = req->timeout_ms;
    req->headers = NULL;
    req->body = NULL;
    if (!easy) {
        notify_result_set(&r, NOTIFY_TRANSIENT, "curl_easy_init failed");
        goto fail;
    }
    curl_easy_setopt(easy, CURLOPT_URL, req->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "smogd/" SMOGD_VERSION);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    /* No "Expect: 100-continue" round trip for small bodies. */
    x->headers = curl_slist_append(x->headers, "Expect:");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, x->body ? x->body : "");
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(x->body ? req->body_len : 0));
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (curl_loop_add(env->curl, easy, owner, on_http_done, x) != SM_OK) {
        notify_result_set(&r, NOTIFY_TRANSIENT, "cannot start transfer");
        goto fail;
    }
    return;
fail:
    if (easy)
        curl_easy_cleanup(easy);
    exchange_free(x);
    notify_report_later(base, done, arg, &r);
}
