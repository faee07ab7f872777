/* libcurl multi_socket on libevent: the classic integration (curl's
 * hiperfifo/ghiper examples), with transfers tracked so they can be
 * cancelled when their backend goes away. */
#include "curl_loop.h"

#include <stdlib.h>

#include <event2/event.h>

#include "base/xalloc.h"

#define LOG_MODULE "notify"
#include "base/log.h"

struct transfer {
    struct transfer *prev, *next;
    CURL *easy;
    const void *owner;
    curl_loop_done_fn *done;
    void *arg;
};

struct curl_loop {
    struct event_base *base; /* borrowed */
    CURLM *multi;
    struct event *timer;
    struct transfer *transfers; /* in flight, doubly linked */
    int active;
};

static void
transfer_unlink(struct curl_loop *loop, struct transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        loop->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    loop->active--;
}

/* Hands every finished transfer to its owner. The callback may start new
 * transfers; curl allows adding handles between socket_action calls. */
static void
collect_finished(struct curl_loop *loop)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(loop->multi, &left))) {
        struct transfer *t = NULL;
        CURL *easy;
        CURLcode rc;

        if (msg->msg != CURLMSG_DONE)
            continue;
        easy = msg->easy_handle;
        rc = msg->data.result;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
        curl_multi_remove_handle(loop->multi, easy);
        if (!t)
            continue;
        transfer_unlink(loop, t);
        t->done(t->arg, easy, rc, false);
        free(t);
    }
}

static void
on_socket_ready(evutil_socket_t fd, short what, void *arg)
{
    struct curl_loop *loop = arg;
    int flags = 0, running = 0;

    if (what & EV_READ)
        flags |= CURL_CSELECT_IN;
    if (what & EV_WRITE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(loop->multi, fd, flags, &running);
    collect_finished(loop);
    if (running <= 0)
        evtimer_del(loop->timer);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct curl_loop *loop = arg;
    int running = 0;

    (void)fd;
    (void)what;
    curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    collect_finished(loop);
}

/* CURLMOPT_SOCKETFUNCTION: watch, re-watch or forget one socket. */
static int
on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp,
               void *socketp)
{
    struct curl_loop *loop = userp;
    struct event *ev = socketp;
    short kind = EV_PERSIST;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (ev) {
            event_free(ev);
            curl_multi_assign(loop->multi, s, NULL);
        }
        return 0;
    }
    if (what & CURL_POLL_IN)
        kind |= EV_READ;
    if (what & CURL_POLL_OUT)
        kind |= EV_WRITE;
    if (ev) {
        event_del(ev);
        event_assign(ev, loop->base, s, kind, on_socket_ready, loop);
    } else {
        ev = event_new(loop->base, s, kind, on_socket_ready, loop);
        if (!ev)
            abort();
        curl_multi_assign(loop->multi, s, ev);
    }
    event_add(ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: -1 stops the timer; 0 means "as soon as possible",
 * which we also route through the loop instead of calling socket_action from
 * inside a curl callback. */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct curl_loop *loop = userp;
    struct timeval tv;

    (void)multi;
    if (timeout_ms < 0) {
        evtimer_del(loop->timer);
        return 0;
    }
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    evtimer_add(loop->timer, &tv);
    return 0;
}

enum sm_err
curl_loop_new(struct curl_loop **out, struct event_base *base)
{
    struct curl_loop *loop;

    *out = NULL;
    /* curl counts these calls itself; each loop pairs one with a cleanup. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_err("curl_global_init failed");
        return SM_ERR_IO;
    }
    loop = xcalloc(1, sizeof(*loop));
    loop->base = base;
    loop->multi = curl_multi_init();
    loop->timer = evtimer_new(base, on_timer, loop);
    if (!loop->multi || !loop->timer) {
        curl_loop_free(loop);
        return SM_ERR_NOMEM;
    }
    curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop);
    curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop);
    *out = loop;
    return SM_OK;
}

static void
transfer_cancel(struct curl_loop *loop, struct transfer *t)
{
    curl_multi_remove_handle(loop->multi, t->easy);
    transfer_unlink(loop, t);
    t->done(t->arg, t->easy, CURLE_ABORTED_BY_CALLBACK, true);
    free(t);
}

void
curl_loop_cancel_owner(struct curl_loop *loop, const void *owner)
{
    struct transfer *t = loop->transfers, *next;

    for (; t; t = next) {
        next = t->next;
        if (t->owner == owner)
            transfer_cancel(loop, t);
    }
}

void
curl_loop_free(struct curl_loop *loop)
{
    if (!loop)
        return;
    while (loop->transfers)
        transfer_cancel(loop, loop->transfers); /* NOLINT(clang-analyzer-unix.Malloc): transfer_cancel unlinks before it frees */
    if (loop->multi)
        curl_multi_cleanup(loop->multi);
    if (loop->timer)
        event_free(loop->timer);
    free(loop);
    curl_global_cleanup();
}

enum sm_err
curl_loop_add(struct curl_loop *loop, CURL *easy, const void *owner,
              curl_loop_done_fn *done, void *arg)
{
    struct transfer *t = xcalloc(1, sizeof(*t));

    t->easy = easy;
    t->owner = owner;
    t->done = done;
    t->arg = arg;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    /* The handle must not raise signals: the daemon owns signal handling. */
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (curl_multi_add_handle(loop->multi, easy) != CURLM_OK) {
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        free(t);
        return SM_ERR_IO;
    }
    t->next = loop->transfers;
    if (t->next)
        t->next->prev = t;
    loop->transfers = t;
    loop->active++;
    return SM_OK;
}

int
curl_loop_active(const struct curl_loop *loop)
{
    return loop->active;
}
