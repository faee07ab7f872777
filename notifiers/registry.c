/* The static registry of delivery backends and the shared result plumbing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "base/xalloc.h"
#include "notifier.h"
#include "notifier_int.h"

static const struct notifier_ops *const builtin[] = {
    &notifier_webhook_ops,
    &notifier_email_ops,
    &notifier_sms_ops,
    &notifier_file_ops,
};

const struct notifier_ops *
notifier_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < SM_ARRAY_LEN(builtin); i++)
        if (strcmp(builtin[i]->name, name) == 0)
            return builtin[i];
    return NULL;
}

enum sm_err
notifier_create(struct notifier **out, struct event_base *base,
                struct notifier_env *env, const json_t *config,
                struct sm_diag *diag)
{
    const struct notifier_ops *ops;
    const char *type;
    void *state = NULL;
    enum sm_err err;

    *out = NULL;
    if (!json_is_object(config)) {
        sm_diag_set(diag, "config_not_object",
                    "notifier config must be a JSON object");
        return SM_ERR_INVAL;
    }
    type = json_string_value(json_object_get(config, "type"));
    if (!type) {
        sm_diag_set(diag, "missing_key",
                    "notifier config needs a string \"type\"");
        return SM_ERR_INVAL;
    }
    ops = notifier_find(type);
    if (!ops) {
        sm_diag_set(diag, "unknown_notifier",
                    "unknown notifier type \"%.60s\" (known: webhook, email, "
                    "sms, file)",
                    type);
        return SM_ERR_NOTFOUND;
    }
    if (!env || !env->now_ms) {
        sm_diag_set(diag, "no_clock", "notifier env needs a clock");
        return SM_ERR_INVAL;
    }
    err = ops->create(base, env, config, &state, diag);
    if (err != SM_OK)
        return err;
    *out = xmalloc(sizeof(**out));
    (*out)->ops = ops;
    (*out)->state = state;
    return SM_OK;
}

void
notifier_free(struct notifier *nf)
{
    if (!nf)
        return;
    nf->ops->destroy(nf->state);
    free(nf);
}

const char *
notify_status_name(enum notify_status s)
{
    switch (s) {
    case NOTIFY_DELIVERED:
        return "delivered";
    case NOTIFY_TRANSIENT:
        return "transient";
    case NOTIFY_PERMANENT:
        return "permanent";
    }
    return "unknown";
}

void
notify_result_set(struct notify_result *r, enum notify_status status,
                  const char *fmt, ...)
{
    va_list ap;

    memset(r, 0, sizeof(*r));
    r->status = status;
    r->retry_after_ms = -1;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
    va_end(ap);
}

struct deferred_report {
    notifier_done_fn *done;
    void *arg;
    struct notify_result r;
};

static void
on_deferred_report(evutil_socket_t fd, short what, void *arg)
{
    struct deferred_report *d = arg;

    (void)fd;
    (void)what;
    d->done(d->arg, &d->r);
    free(d);
}

void
notify_report_later(struct event_base *base, notifier_done_fn *done, void *arg,
                    const struct notify_result *r)
{
    static const struct timeval now = { 0, 0 };
    struct deferred_report *d = xmalloc(sizeof(*d));

    d->done = done;
    d->arg = arg;
    d->r = *r;
    /* event_base_once fails only when the base cannot allocate; nothing
     * sensible is left to do then but abort, as xmalloc would. */
    if (event_base_once(base, -1, EV_TIMEOUT, on_deferred_report, d, &now) != 0)
        abort();
}
