/* file: one JSON line per notice appended to a local file; delivered once
 * the line is on disk (fdatasync). Useful as an audit trail and for drills.
 * The lines sent during one loop turn are appended together and flushed
 * once, after the turn's callbacks: short blocking writes, the one
 * exception to "send never blocks", acceptable for a local file. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "notifier.h"
#include "notifier_int.h"

/* A line waiting for its turn's write and flush. */
struct queued {
    char *line; /* with its '\n'; NULL when the notice was refused */
    size_t len;
    notifier_done_fn *done;
    void *arg;
};

struct file_notifier {
    struct event_base *base;  /* borrowed */
    struct notifier_env *env; /* borrowed */
    char *path;
    bool is_sync; /* fdatasync before a line counts as delivered (default true) */
    struct event *flush; /* flush_turn, activated by the turn's first send */
    struct queued *q;    /* the lines of this turn */
    size_t nq, capq;
    uint64_t flushes;
};

static void flush_turn(evutil_socket_t fd_unused, short what, void *arg);

static void
file_destroy(void *state)
{
    struct file_notifier *f = state;

    if (!f)
        return;
    /* lines not yet flushed are abandoned, like sends in flight */
    for (size_t i = 0; i < f->nq; i++)
        free(f->q[i].line);
    free(f->q);
    if (f->flush)
        event_free(f->flush);
    free(f->path);
    free(f);
}

static enum sm_err
file_create(struct event_base *base, struct notifier_env *env,
            const json_t *config, void **state, struct sm_diag *diag)
{
    static const char *const keys[] = { "path", "sync", NULL };
    const char *path;
    json_t *sync = json_object_get(config, "sync");
    enum sm_err err;

    *state = NULL;
    if ((err = notifier_cfg_check_keys(config, keys, diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "path", true, &path, diag)) !=
            SM_OK)
        return err;
    if (sync && !json_is_boolean(sync)) {
        sm_diag_set(diag, "bad_type", "\"sync\" must be true or false");
        return SM_ERR_INVAL;
    }
    struct file_notifier *f = xcalloc(1, sizeof(*f));
    f->base = base;
    f->env = env;
    f->path = xstrdup(path);
    f->is_sync = !sync || json_is_true(sync);
    f->flush = event_new(base, -1, 0, flush_turn, f);
    *state = f;
    return SM_OK;
}

/* new: the line for n, or NULL when the notice is unusable */
static char *
file_line(const struct notice *n, int64_t now_ms)
{
    json_t *o = json_object(), *payload = NULL;
    char when[32];
    char *line;

    if (n->json)
        payload =
            json_loads(n->json, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (n->json && !payload)
        payload = json_string(n->json); /* kept verbatim, never dropped */
    json_object_set_new(o, "event_id", json_string(n->event_id));
    json_object_set_new(o, "kind",
                        n->kind ? json_string(n->kind) : json_null());
    json_object_set_new(o, "recipient",
                        n->recipient ? json_string(n->recipient) : json_null());
    json_object_set_new(o, "subject",
                        n->subject ? json_string(n->subject) : json_null());
    json_object_set_new(o, "text",
                        n->text ? json_string(n->text) : json_null());
    json_object_set_new(o, "payload", payload ? payload : json_null());
    json_object_set_new(
        o, "written_at",
        json_string(sm_time_format(now_ms, SM_TZ_SHANGHAI_MIN, when)));
    /* json_string returns NULL for invalid UTF-8: refuse such notices. */
    if (!json_object_get(o, "event_id") || !json_object_get(o, "text") ||
        !json_object_get(o, "subject") || !json_object_get(o, "recipient")) {
        json_decref(o);
        return NULL;
    }
    line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return line;
}

static void
report(struct queued *q, enum notify_status st, const char *why)
{
    struct notify_result r;

    notify_result_set(&r, st, "%s", why);
    q->done(q->arg, &r);
}

/* Appends every line queued during this loop turn, then one fdatasync for
 * all of them: a burst of notices (every order of a decision) costs one
 * flush per turn instead of one per notice, on the loop that also answers
 * acknowledgements. */
static void
flush_turn(evutil_socket_t fd_unused, short what, void *arg)
{
    struct file_notifier *f = arg;
    struct queued *q = f->q;
    size_t n = f->nq, written = 0;
    char why[512] = "";
    int fd;

    (void)fd_unused;
    (void)what;
    f->q = NULL;
    f->nq = f->capq = 0;
    fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        snprintf(why, sizeof(why), "open %s: %s", f->path, strerror(errno));
    /* O_APPEND puts each write at the end; one write per line keeps lines
     * whole when several writers share the file. */
    for (size_t i = 0; fd >= 0 && !why[0] && i < n; i++) {
        size_t off = 0;
        while (q[i].line && off < q[i].len) {
            ssize_t w = write(fd, q[i].line + off, q[i].len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                snprintf(why, sizeof(why), "write %s: %s", f->path,
                         w < 0 ? strerror(errno) : "no progress");
                break;
            }
            off += (size_t)w;
        }
        if (!why[0])
            written = i + 1;
    }
    if (fd >= 0 && written && f->is_sync && fdatasync(fd) != 0) {
        snprintf(why, sizeof(why), "fdatasync %s: %s", f->path, strerror(errno));
        written = 0; /* none of them is known to be on disk */
    }
    if (fd >= 0)
        close(fd);
    f->flushes++;
    char appended[512];
    snprintf(appended, sizeof(appended), "appended to %s", f->path);
    for (size_t i = 0; i < n; i++) {
        if (!q[i].line)
            report(&q[i], NOTIFY_PERMANENT, "notice needs an event_id and valid UTF-8 text");
        else if (i < written)
            report(&q[i], NOTIFY_DELIVERED, appended);
        else
            report(&q[i], NOTIFY_TRANSIENT, why);
        free(q[i].line);
    }
    free(q);
}

static void
file_send(void *state, const struct notice *n, notifier_done_fn *done,
          void *arg)
{
    struct file_notifier *f = state;
    char *line = n->event_id ? file_line(n, f->env->now_ms(f->env->clock)) : NULL;
    size_t len = 0;

    if (line) {
        len = strlen(line);
        line[len++] = '\n'; /* replaces the NUL; written by length */
    }
    if (f->nq == f->capq) {
        f->capq = f->capq ? f->capq * 2 : 16;
        f->q = xrealloc(f->q, f->capq * sizeof(*f->q));
    }
    f->q[f->nq++] = (struct queued){ line, len, done, arg };
    /* the flush runs after the callbacks of this turn, so every notice
     * sent in the turn shares it */
    if (f->nq == 1)
        event_active(f->flush, EV_TIMEOUT, 1);
}

const struct notifier_ops notifier_file_ops = {
    .name = "file",
    .create = file_create,
    .send = file_send,
    .destroy = file_destroy,
};

uint64_t
notifier_file_flushes(const struct notifier *nf)
{
    if (!nf || nf->ops != &notifier_file_ops)
        return 0;
    return ((const struct file_notifier *)nf->state)->flushes;
}
