#ifndef SM_NOTIFIERS_NOTIFIER_H
#define SM_NOTIFIERS_NOTIFIER_H

#include "base/err.h"

/* A delivery backend. Backends only send; retries, backoff and dead letters
 * belong to the engine's dispatch. */
struct notifier_ops {
    const char *name; /* "webhook", "email", "sms", "file" */
};

/* borrowed: the backend named `name`, or NULL */
const struct notifier_ops *notifier_find(const char *name);

#endif
