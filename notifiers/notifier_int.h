#ifndef SM_NOTIFIERS_NOTIFIER_INT_H
#define SM_NOTIFIERS_NOTIFIER_INT_H

/* Shared by the backends inside notifiers/: config reading and the HTTP
 * request and result mapping used by webhook and sms. */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "notifier.h"

#define NOTIFIER_DEFAULT_TIMEOUT_MS         10000L
#define NOTIFIER_DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define NOTIFIER_MAX_TIMEOUT_MS             600000L

/* ---- config (notifier_config.c) ---- */

/* Refuses keys outside allowed (NULL-terminated); "type" and "name" are
 * always allowed. SM_ERR_INVAL with diag code "unknown_key". */
SM_NODISCARD enum sm_err notifier_cfg_check_keys(const json_t *cfg,
                                                 const char *const *allowed,
                                                 struct sm_diag *diag);
/* borrowed (*out, from cfg): a string value; NULL when absent and optional. */
SM_NODISCARD enum sm_err notifier_cfg_get_string(const json_t *cfg,
                                                 const char *key, bool required,
                                                 const char **out,
                                                 struct sm_diag *diag);
/* An integer in [min, max]; def when absent. */
SM_NODISCARD enum sm_err notifier_cfg_get_long(const json_t *cfg,
                                               const char *key, long def,
                                               long min, long max, long *out,
                                               struct sm_diag *diag);
/* new (*out): "Name: value" lines from an object of strings; NULL if absent.
 * Header names must be tokens and values must hold no CR or LF. */
SM_NODISCARD enum sm_err notifier_cfg_get_headers(const json_t *cfg,
                                                  const char *key,
                                                  struct curl_slist **out,
                                                  struct sm_diag *diag);
/* true when s starts with one of the schemes ("http", "https") and "://" */
bool notifier_url_has_scheme(const char *s, const char *const *schemes);
/* true when s holds a CR, LF or NUL-free control that could split a header */
bool notifier_has_line_break(const char *s);

/* ---- HTTP (http_send.c) ---- */

struct notifier_http_request {
    const char *method;         /* "POST", "PUT" or "GET" */
    const char *url;            /* borrowed */
    struct curl_slist *headers; /* taken */
    char *body;                 /* taken; NULL for none */
    size_t body_len;
    long timeout_ms;
    long connect_timeout_ms;
};

/* Starts req on env->curl and reports through done() from the loop:
 * 2xx delivered; 408, 429, 5xx, timeouts and connection errors transient
 * (retry_after_ms from Retry-After); 3xx and other 4xx permanent. owner is
 * the backend state (for curl_loop_cancel_owner). */
void notifier_http_send(struct event_base *base, struct notifier_env *env,
                        const void *owner, struct notifier_http_request *req,
                        notifier_done_fn *done, void *arg);

/* Retry-After as ms from now: delta-seconds or an HTTP-date; -1 when
 * unparsable. Capped at one day. */
int64_t notifier_http_retry_after_ms(const char *value, int64_t now_ms);

/* The status class of a finished HTTP exchange (rc, status) into r. */
void notifier_http_classify(CURLcode rc, long status, const char *errbuf,
                            long timeout_ms, struct notify_result *r);

/* Whether a curl error means "do not retry" (bad URL, TLS verify, ...). */
bool notifier_curl_error_is_permanent(CURLcode rc);

/* ---- e-mail (email.c) ---- */

/* s as an RFC 2047 header value (UTF-8, "B" encoding) unless it is plain
 * printable ASCII; false when out's cap is hit. */
SM_NODISCARD bool notifier_email_encode_subject(const char *s, struct buf *out);

#endif
