#ifndef SM_NOTIFIERS_NOTIFIER_H
#define SM_NOTIFIERS_NOTIFIER_H

/* Delivery backends behind one small vtable.
 *
 * The contract every backend keeps (the engine's dispatch relies on it):
 * - send() never blocks the event loop (file appends are the one short,
 *   local exception);
 * - done() is called exactly once per send(), always later from the event
 *   loop, never synchronously from inside send() (results known at once are
 *   deferred with event_base_once);
 * - the notice is borrowed: a backend copies what it keeps;
 * - a backend only classifies the outcome (delivered, transient, permanent).
 *   Retries, backoff, deduplication and dead letters belong to dispatch.
 * - destroy() abandons sends still in flight: their done() is not called
 *   (the outbox still holds them and redelivers them after a restart). */
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

struct event_base;
struct curl_loop;

/* One message to one recipient. Every string is borrowed for the duration of
 * send(); NULL means absent. */
struct notice {
    const char *event_id;  /* "order:42:v2": receivers deduplicate on it */
    const char *kind;      /* "order_issued", "order_superseded", ... */
    const char *recipient; /* URL, e-mail address, phone number or path */
    const char *subject;   /* one line, UTF-8 */
    const char *text;      /* plain-text body for people (Chinese, UTF-8) */
    const char *json;      /* the machine payload, serialized JSON */
    const char *attachment_name; /* e-mail attachment file name */
};

enum notify_status {
    NOTIFY_DELIVERED = 0,
    NOTIFY_TRANSIENT, /* worth retrying: timeout, refused, 408/429/5xx, SMTP 4xx
                       */
    NOTIFY_PERMANENT, /* not worth retrying: other 4xx, SMTP 5xx, bad config */
};

struct notify_result {
    enum notify_status status;
    int64_t
        retry_after_ms; /* from Retry-After; -1 when the receiver gave none */
    int http_status;    /* 0 when not HTTP or no response came */
    int smtp_code;      /* 0 when not SMTP or no reply came */
    char detail[256];   /* for people and logs: "HTTP 503", "timeout ..." */
};

/* r is borrowed for the duration of the call. */
typedef void notifier_done_fn(void *arg, const struct notify_result *r);

/* What the application lends to every backend instance. */
struct notifier_env {
    struct curl_loop *curl;         /* borrowed: shared transfer driver */
    int64_t (*now_ms)(void *clock); /* wall clock, ms since the epoch, UTC */
    void *clock;
};

struct notifier_ops {
    const char *name; /* "webhook", "email", "sms", "file" */
    /* Validates config (a JSON object; unknown keys are refused) and builds
     * the backend's state. base and env are borrowed and must outlive it. */
    enum sm_err (*create)(struct event_base *base, struct notifier_env *env,
                          const json_t *config, void **state,
                          struct sm_diag *diag);
    void (*send)(void *state, const struct notice *n, notifier_done_fn *done,
                 void *arg);
    void (*destroy)(void *state);
};

/* One configured backend instance. */
struct notifier {
    const struct notifier_ops *ops; /* borrowed: static table */
    void *state;                    /* owned through ops->destroy */
};

extern const struct notifier_ops notifier_webhook_ops;
extern const struct notifier_ops notifier_email_ops;
extern const struct notifier_ops notifier_sms_ops;
extern const struct notifier_ops notifier_file_ops;

/* borrowed: the backend named `name`, or NULL */
const struct notifier_ops *notifier_find(const char *name);

/* new (*out): an instance from {"type": "webhook", ...backend keys}.
 * SM_ERR_NOTFOUND for an unknown type; SM_ERR_INVAL / SM_ERR_PARSE with diag
 * (code and field) for a bad config. */
SM_NODISCARD enum sm_err notifier_create(struct notifier **out,
                                         struct event_base *base,
                                         struct notifier_env *env,
                                         const json_t *config,
                                         struct sm_diag *diag);
/* NULL is a no-op; sends in flight are abandoned (see above). */
void notifier_free(struct notifier *nf);
/* a file notifier's flushes so far (one per loop turn that sent lines); 0 for
 * another kind */
uint64_t notifier_file_flushes(const struct notifier *nf);

static inline void
notifier_send(struct notifier *nf, const struct notice *n,
              notifier_done_fn *done, void *arg)
{
    nf->ops->send(nf->state, n, done, arg);
}

const char *notify_status_name(enum notify_status s);

/* For backends: fills r (retry_after_ms -1, codes 0) with a formatted
 * detail. */
void notify_result_set(struct notify_result *r, enum notify_status status,
                       const char *fmt, ...) SM_PRINTF(3, 4);

/* For backends: reports r through done() on the next loop iteration (r is
 * copied). The way to answer from inside send(). */
void notify_report_later(struct event_base *base, notifier_done_fn *done,
                         void *arg, const struct notify_result *r);

#endif
