/* file: one JSON line per notice appended to a local file; delivered once
 * the line is on disk (fdatasync). Useful as an audit trail and for drills.
 * The append is a short blocking write: the one exception to "send never
 * blocks", acceptable for a local file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "notifier.h"
#include "notifier_int.h"

struct file_notifier {
    struct event_base *base;  /* borrowed */
    struct notifier_env *env; /* borrowed */
    char *path;
    bool is_sync; /* fdatasync after each line (default true) */
};

static void
file_destroy(void *state)
{
    struct file_notifier *f = state;

    if (!f)
        return;
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
file_send(void *state, const struct notice *n, notifier_done_fn *done,
          void *arg)
{
    struct file_notifier *f = state;
    struct notify_result r;
    char *line = NULL;
    size_t len, off = 0;
    int fd = -1;

    if (!n->event_id || !(line = file_line(n, f->env->now_ms(f->env->clock)))) {
        notify_result_set(&r, NOTIFY_PERMANENT,
                          "notice needs an event_id and valid UTF-8 text");
        goto out;
    }
    len = strlen(line);
    line[len++] = '\n'; /* replaces the NUL; written by length */
    fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        notify_result_set(&r, NOTIFY_TRANSIENT, "open %s: %s", f->path,
                          strerror(errno));
        goto out;
    }
    /* O_APPEND puts each write at the end; one write per line keeps lines
     * whole when several writers share the file. */
    while (off < len) {
        ssize_t w = write(fd, line + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            notify_result_set(&r, NOTIFY_TRANSIENT, "write %s: %s", f->path,
                              w < 0 ? strerror(errno) : "no progress");
            goto out;
        }
        off += (size_t)w;
    }
    if (f->is_sync && fdatasync(fd) != 0) {
        notify_result_set(&r, NOTIFY_TRANSIENT, "fdatasync %s: %s", f->path,
                          strerror(errno));
        goto out;
    }
    notify_result_set(&r, NOTIFY_DELIVERED, "appended to %s", f->path);
out:
    if (fd >= 0)
        close(fd);
    free(line);
    notify_report_later(f->base, done, arg, &r);
}

const struct notifier_ops notifier_file_ops = {
    .name = "file",
    .create = file_create,
    .send = file_send,
    .destroy = file_destroy,
};
