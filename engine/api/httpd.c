/* The HTTP/1.1 connection layer (see httpd.h). */
#include "api/httpd.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "base/xalloc.h"

#define LOG_MODULE "http"

#define IN_FIRST 4096          /* a connection's first input buffer */
#define IN_KEEP (64 * 1024)    /* larger buffers are given back after their request */
#define REPLY_FIELDS_MAX 2048  /* header fields a handler adds to one reply */
#define LINGER_MS 2000         /* reading what a refused client still sends */
#define SWEEP_MS 1000

enum conn_state {
    C_READING, /* a request is arriving (or none yet) */
    C_BUSY,    /* the handler has the request */
    C_WRITING, /* the reply did not fit the socket: the rest waits for EV_WRITE */
    C_LINGER,  /* refused: output shut, input read and dropped until EOF */
};

struct httpd_req {
    struct conn *c;
    struct http_head head;
    const char *body;
    size_t body_len;
    bool too_large;
    size_t declared, limit;
    char fields[REPLY_FIELDS_MAX]; /* the reply's added header fields */
    size_t fields_len;
};

struct conn {
    struct httpd *srv;
    struct conn *prev, *next;
    evutil_socket_t fd;
    struct event *rd, *wr;
    struct sockaddr_storage peer;
    enum conn_state state;
    /* input: the current request starts at in[0] */
    char *in;
    size_t in_len, in_cap; /* in_cap keeps one byte for a NUL */
    size_t scanned;        /* how far the head's end was looked for */
    bool have_head, chunked_done;
    struct http_chunks chunks;
    size_t consumed;       /* bytes of in[] the dispatched request took */
    bool saved;            /* in[saved_at] was overwritten by the body's NUL */
    size_t saved_at;
    char saved_byte;
    int64_t started_ms, last_io_ms;
    bool keep_alive, dead, read_paused, in_process, head_only;
    /* output: out[out_off..out_len), then body[body_off..body_len) */
    char *out;
    size_t out_len, out_off, out_cap;
    const char *body;
    size_t body_len, body_off;
    enum httpd_body body_how;
    struct httpd_req req;
};

struct httpd {
    struct event_base *base;
    struct httpd_config cfg;
    struct conn *conns;
    size_t nconns;
    uint64_t accepted, refused;
    struct event *sweep;
    int64_t date_s;
    char date[64]; /* "Date: ...\r\n" of date_s */
};

static int64_t
now_ms(struct httpd *h)
{
    struct timeval tv;

    if (event_base_gettimeofday_cached(h->base, &tv) != 0)
        return 0;
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void
conn_free(struct conn *c)
{
    struct httpd *h = c->srv;

    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->nconns--;
    if (c->body_how == HTTPD_BODY_TAKE)
        free((void *)c->body);
    free(c->in);
    free(c->out);
    free(c);
}

static void
conn_shut(struct conn *c)
{
    if (c->dead)
        return;
    event_free(c->rd);
    event_free(c->wr);
    close(c->fd);
    c->dead = true;
}

/* The memory of a dead connection goes unless a handler still holds its
 * request (freed when that reply comes) or process() is on the stack
 * (freed when it returns). */
static void
conn_release(struct conn *c)
{
    if (c->dead && c->state != C_BUSY && !c->in_process)
        conn_free(c);
}

static void
conn_close(struct conn *c)
{
    conn_shut(c);
    conn_release(c);
}

/* Resizes the input buffer to cap bytes; the parsed head's pointers follow. */
static void
resize_in(struct conn *c, size_t cap)
{
    struct http_head *hd = &c->req.head;
    size_t target = 0, names[HTTP_MAX_FIELDS], values[HTTP_MAX_FIELDS];

    if (c->have_head) {
        target = (size_t)(hd->target - c->in);
        for (int i = 0; i < hd->nfields; i++) {
            names[i] = (size_t)(hd->fields[i].name - c->in);
            values[i] = (size_t)(hd->fields[i].value - c->in);
        }
    }
    c->in = xrealloc(c->in, cap);
    c->in_cap = cap;
    if (c->have_head) {
        hd->target = c->in + target;
        for (int i = 0; i < hd->nfields; i++) {
            hd->fields[i].name = c->in + names[i];
            hd->fields[i].value = c->in + values[i];
        }
    }
}

/* How large the input buffer may grow for the request being read. */
static size_t
in_allowed(const struct conn *c)
{
    const struct http_head *hd = &c->req.head;

    if (c->state != C_READING)
        return c->in_cap;
    if (!c->have_head)
        return c->srv->cfg.max_head + 2; /* enough to see the head is too long */
    if (c->req.too_large)
        return c->in_cap;
    if (hd->chunked) /* the decoded body, a size line and the trailers */
        return hd->head_len + c->req.limit + 16384 + 1;
    return hd->head_len + (size_t)hd->content_length + 1;
}
static void
out_reserve(struct conn *c, size_t n)
{
    if (c->out_len + n <= c->out_cap)
        return;
    size_t cap = c->out_cap ? c->out_cap : 1024;
    while (cap < c->out_len + n)
        cap *= 2;
    c->out = xrealloc(c->out, cap);
    c->out_cap = cap;
}

static void
out_add(struct conn *c, const char *s, size_t n)
{
    out_reserve(c, n);
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

static void
out_str(struct conn *c, const char *s)
{
    out_add(c, s, strlen(s));
}

static void
out_num(struct conn *c, int64_t v)
{
    char tmp[24];

    out_add(c, tmp, jsonw_fmt_int(tmp, v));
}

/* reading again once the reply is out (it stopped while the next request
 * filled the buffer) */
static void
resume_reading(struct conn *c)
{
    if (c->read_paused) {
        event_add(c->rd, NULL);
        c->read_paused = false;
    }
}

/* "Date: <IMF-fixdate>\r\n", formatted once per second */
static const char *
date_field(struct httpd *h)
{
    int64_t s = now_ms(h) / 1000;

    if (s != h->date_s) {
        /* IMF-fixdate's English names whatever the locale (strftime's %a/%b
         * follow LC_TIME) */
        static const char days[] = "SunMonTueWedThuFriSat";
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        time_t t = (time_t)s;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(h->date, sizeof(h->date), "Date: %.3s, %02d %.3s %04d %02d:%02d:%02d GMT\r\n",
                 days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon, tm.tm_year + 1900,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        h->date_s = s;
    }
    return h->date;
}

/* After the reply is out: the next request, or the end of the connection. */
static void
request_done(struct conn *c)
{
    struct httpd *h = c->srv;

    if (c->body_how == HTTPD_BODY_TAKE)
        free((void *)c->body);
    c->body = NULL;
    c->body_len = c->body_off = 0;
    c->out_len = c->out_off = 0;
    c->state = C_READING;
    if (c->dead) {
        conn_release(c);
        return;
    }
    if (!c->keep_alive) {
        c->state = C_READING;
        if (c->req.too_large || c->consumed == 0) {
            /* the client may still be sending what we did not read: give it
             * time to see the reply before the socket resets */
            shutdown(c->fd, SHUT_WR);
            c->state = C_LINGER;
            c->started_ms = now_ms(h);
            c->in_len = 0;
            resume_reading(c);
            return;
        }
        conn_close(c);
        return;
    }
    /* the next request, if the client sent it already, moves to in[0] */
    if (c->saved)
        c->in[c->saved_at] = c->saved_byte;
    c->saved = false;
    c->in_len -= c->consumed;
    if (c->in_len)
        memmove(c->in, c->in + c->consumed, c->in_len);
    c->consumed = 0;
    c->have_head = false;
    if (c->in_cap > IN_KEEP && c->in_len < IN_FIRST)
        resize_in(c, IN_FIRST);
    c->scanned = 0;
    memset(&c->chunks, 0, sizeof(c->chunks));
    c->state = C_READING;
    c->started_ms = c->last_io_ms = now_ms(h);
    resume_reading(c);
    /* a handler answering later must not run the next request inside its
     * own call: the next loop turn does */
    if (c->in_len && !c->in_process)
        event_active(c->rd, EV_READ, 0);
}

/* Writes what is pending; true when all of it is out (or the connection
 * died). */
static bool
flush_out(struct conn *c)
{
    while (c->out_off < c->out_len || c->body_off < c->body_len) {
        struct iovec iov[2];
        int n = 0;
        if (c->out_off < c->out_len)
            iov[n++] = (struct iovec){ c->out + c->out_off, c->out_len - c->out_off };
        if (c->body_off < c->body_len)
            iov[n++] = (struct iovec){ (void *)(c->body + c->body_off), c->body_len - c->body_off };
        ssize_t w = writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return false;
            conn_shut(c); /* the peer went away: nothing more can be said to it */
            return true;
        }
        size_t left = (size_t)w;
        size_t a = c->out_len - c->out_off;
        if (left >= a) {
            c->out_off = c->out_len;
            left -= a;
            c->body_off += left;
        } else {
            c->out_off += left;
        }
        c->last_io_ms = now_ms(c->srv);
    }
    return true;
}

static void
send_out(struct conn *c)
{
    if (flush_out(c)) {
        request_done(c);
        return;
    }
    c->state = C_WRITING;
    event_add(c->wr, NULL);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;

    (void)fd;
    (void)what;
    if (!flush_out(c))
        return;
    if (!c->dead)
        event_del(c->wr);
    request_done(c);
}

/* A refusal from this layer (the request could not be framed): a JSON
 * error, then the connection ends. */
static void
refuse(struct conn *c, int status, const struct sm_diag *d)
{
    struct buf body;

    /* the same error shape as every other reply (api_reply_error) */
    buf_init(&body, 0);
    if (!buf_addlit(&body, "{\"error\":{\"code\":") ||
        !jsonw_str(&body, d->code[0] ? d->code : "malformed_request") ||
        !buf_addlit(&body, ",\"message\":") || !jsonw_str(&body, d->text) ||
        !buf_addlit(&body, "}}"))
        abort(); /* an uncapped buffer only fails as memory does */
    log_debug("refused a request (%d %s): %s", status, d->code, d->text);
    c->srv->refused++;
    c->state = C_BUSY;
    c->keep_alive = false;
    c->consumed = 0; /* marks the input as not read through: linger */
    c->req.fields_len = 0;
    c->head_only = false;
    httpd_reply_header(&c->req, "Content-Type", "application/json; charset=utf-8");
    httpd_reply(&c->req, status, body.data, body.len, HTTPD_BODY_COPY);
    buf_release(&body);
}

static void
continue_if_expected(struct conn *c)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

    if (!c->req.head.expect_continue)
        return;
    c->req.head.expect_continue = false;
    /* 25 bytes into an empty socket buffer; if it does not go, the client
     * sends the body anyway after its own wait */
    if (write(c->fd, cont, sizeof(cont) - 1) < 0)
        log_debug("cannot send 100 Continue: %s", strerror(errno));
}

/* The head has arrived: how large may the body be? */
static void
head_arrived(struct conn *c)
{
    struct httpd *h = c->srv;
    struct http_head *hd = &c->req.head;
    size_t limit = h->cfg.max_body;

    c->have_head = true;
    c->req.too_large = false;
    c->req.declared = (size_t)hd->content_length;
    if ((hd->chunked || hd->content_length > limit) && h->cfg.allows_big &&
        h->cfg.allows_big(hd->method, hd->target, hd->target_len, h->cfg.arg))
        limit = h->cfg.max_big_body;
    c->req.limit = limit;
    /* the buffer grows as the body arrives, not on the client's word */
    c->req.too_large = !hd->chunked && hd->content_length > limit;
}

/* NUL-terminates the head's strings in place: every one is followed by a
 * delimiter inside the head (' ', ':', CR, LF or a blank). */
static void
terminate_strings(struct http_head *hd)
{
    ((char *)hd->target)[hd->target_len] = '\0';
    for (int i = 0; i < hd->nfields; i++) {
        ((char *)hd->fields[i].name)[hd->fields[i].name_len] = '\0';
        ((char *)hd->fields[i].value)[hd->fields[i].value_len] = '\0';
    }
}

static void
dispatch(struct conn *c)
{
    struct httpd *h = c->srv;
    struct httpd_req *q = &c->req;
    size_t head_len = q->head.head_len;

    terminate_strings(&q->head);
    c->keep_alive = q->head.keep_alive && !q->too_large;
    if (q->too_large) {
        q->body = c->in + head_len;
        q->body_len = 0;
        c->consumed = head_len;
    } else if (q->head.chunked) {
        q->body = c->in + head_len;
        q->body_len = c->chunks.out;
        c->consumed = head_len + c->chunks.raw;
    } else {
        q->body = c->in + head_len;
        q->body_len = (size_t)q->head.content_length;
        c->consumed = head_len + q->body_len;
    }
    /* the NUL after the body may fall on the next request's first byte */
    size_t end = head_len + q->body_len;
    c->saved = end < c->in_len;
    c->saved_at = end;
    if (c->saved)
        c->saved_byte = c->in[end];
    c->in[end] = '\0';
    q->fields_len = 0;
    c->head_only = q->head.method == HTTP_HEAD;
    c->state = C_BUSY;
    h->cfg.handler(q, h->cfg.arg);
}

/* Frames and hands over every complete request in the input, one at a time. */
static void
process(struct conn *c)
{
    struct httpd *h = c->srv;

    c->in_process = true;
    while (c->state == C_READING && !c->dead && c->in_len) {
        struct sm_diag d = { 0 };
        int status = 400;
        enum sm_err err;

        if (!c->have_head) {
            bool complete;
            err = http_head_parse(c->in, c->in_len, h->cfg.max_head, &c->scanned, &c->req.head,
                                  &complete, &status, &d);
            if (err) {
                refuse(c, status, &d);
                break;
            }
            if (!complete)
                break;
            head_arrived(c);
        }
        if (!c->req.too_large && c->req.head.chunked) {
            bool done;
            size_t head_len = c->req.head.head_len;
            char *body = c->in + head_len;
            err = http_chunks_step(&c->chunks, body, c->in_len - head_len, c->req.limit, &done,
                                   &d);
            if (err == SM_ERR_LIMIT) {
                c->req.too_large = true;
            } else if (err) {
                refuse(c, 400, &d);
                break;
            } else if (!done) {
                /* keep only the decoded body and the undecoded rest */
                size_t gap = c->chunks.raw - c->chunks.out;
                if (gap) {
                    memmove(body + c->chunks.out, body + c->chunks.raw,
                            c->in_len - head_len - c->chunks.raw);
                    c->in_len -= gap;
                    c->chunks.raw = c->chunks.out;
                }
                continue_if_expected(c);
                break;
            }
        } else if (!c->req.too_large &&
                   c->in_len - c->req.head.head_len < c->req.head.content_length) {
            continue_if_expected(c);
            break;
        }
        dispatch(c);
    }
    c->in_process = false;
    conn_release(c);
}

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    struct httpd *h = c->srv;

    (void)what;
    for (;;) {
        if (c->in_cap - 1 - c->in_len == 0) {
            size_t allowed = in_allowed(c);
            if (c->state == C_READING && c->in_cap < allowed) {
                resize_in(c, c->in_cap * 2 < allowed ? c->in_cap * 2 : allowed);
            } else if (c->state == C_READING) {
                break; /* the request is complete or refused: process() decides */
            } else if (c->state == C_LINGER) {
                c->in_len = 0;
            } else {
                /* a request is in hand and the next one fills the buffer:
                 * wait until the reply is out */
                event_del(c->rd);
                c->read_paused = true;
                break;
            }
        }
        size_t room = c->in_cap - 1 - c->in_len;
        ssize_t n = read(fd, c->in + c->in_len, room);
        if (n > 0) {
            if (c->state == C_READING && c->in_len == 0 && !c->have_head)
                c->started_ms = now_ms(h);
            c->in_len += (size_t)n;
            c->last_io_ms = now_ms(h);
            if (c->state == C_LINGER)
                c->in_len = 0;
            if ((size_t)n < room)
                break; /* drained */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        /* EOF or error */
        if (c->state == C_BUSY || c->state == C_WRITING) {
            if (n < 0) {
                conn_close(c); /* a reset: the reply has nowhere to go */
                return;
            }
            /* a half-close: the reply still goes out, then the end */
            c->keep_alive = false;
            event_del(c->rd);
            return;
        }
        conn_close(c);
        return;
    }
    if (c->state == C_READING)
        process(c);
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct httpd *h = arg;
    int64_t now = now_ms(h), tmo = (int64_t)h->cfg.timeout_s * 1000;
    struct conn *next;

    (void)fd;
    (void)what;
    for (struct conn *c = h->conns; c; c = next) {
        next = c->next;
        switch (c->state) {
        case C_READING:
            if (c->in_len == 0 && !c->have_head) {
                if (now - c->last_io_ms > tmo)
                    conn_close(c); /* idle keep-alive */
            } else if ((!c->have_head && now - c->started_ms > tmo) ||
                       now - c->last_io_ms > tmo) {
                struct sm_diag d = { 0 };
                sm_diag_set(&d, "request_timeout", "the request did not arrive within %d s",
                            h->cfg.timeout_s);
                refuse(c, 408, &d);
            }
            break;
        case C_WRITING:
            if (now - c->last_io_ms > tmo)
                conn_close(c); /* the client stopped reading */
            break;
        case C_LINGER:
            if (now - c->started_ms > LINGER_MS)
                conn_close(c);
            break;
        case C_BUSY:
            break;
        }
    }
}

struct httpd *
httpd_new(struct event_base *base, const struct httpd_config *cfg)
{
    struct httpd *h = xcalloc(1, sizeof(*h));
    const struct timeval every = { SWEEP_MS / 1000, (SWEEP_MS % 1000) * 1000 };

    h->base = base;
    h->cfg = *cfg;
    h->date_s = -1;
    h->sweep = event_new(base, -1, EV_PERSIST, on_sweep, h);
    event_add(h->sweep, &every);
    return h;
}

void
httpd_free(struct httpd *h)
{
    struct conn *next;

    if (!h)
        return;

    for (struct conn *c = h->conns; c; c = next) {
        next = c->next;
        conn_shut(c);
        conn_free(c);
    }
    event_free(h->sweep);
    free(h);
}

void
httpd_accept(struct httpd *h, evutil_socket_t fd, const struct sockaddr *peer,
             socklen_t peer_len)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    int one = 1;

    /* a reply is one write: nothing to gain from Nagle's delay */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->srv = h;
    c->fd = fd;
    c->req.c = c;
    if (peer_len > 0 && (size_t)peer_len <= sizeof(c->peer))
        memcpy(&c->peer, peer, (size_t)peer_len);
    c->in = xmalloc(IN_FIRST);
    c->in_cap = IN_FIRST;
    c->started_ms = c->last_io_ms = now_ms(h);
    c->rd = event_new(h->base, fd, EV_READ | EV_PERSIST, on_readable, c);
    c->wr = event_new(h->base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->nconns++;
    h->accepted++;
    event_add(c->rd, NULL);
}

void
httpd_stats(const struct httpd *h, struct httpd_stats *out)
{
    out->open = h->nconns;
    out->accepted = h->accepted;
    out->refused = h->refused;
}

int
httpd_req_method(const struct httpd_req *q)
{
    return q->head.method;
}

const char *
httpd_req_target(const struct httpd_req *q)
{
    return q->head.target;
}

const char *
httpd_req_header(const struct httpd_req *q, const char *name)
{
    return http_head_field(&q->head, name, NULL);
}

const char *
httpd_req_body(const struct httpd_req *q, size_t *len)
{
    *len = q->body_len;
    return q->body;
}

bool
httpd_req_body_too_large(const struct httpd_req *q, size_t *declared, size_t *limit)
{
    *declared = q->declared;
    *limit = q->limit;
    return q->too_large;
}

const struct sockaddr *
httpd_req_peer(const struct httpd_req *q)
{
    return (const struct sockaddr *)&q->c->peer;
}

void
httpd_reply_header(struct httpd_req *q, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);

    if (q->fields_len + nl + vl + 4 > sizeof(q->fields)) {
        log_err("reply header field %s dropped: the reply's fields pass %d bytes", name,
                REPLY_FIELDS_MAX);
        return;
    }
    memcpy(q->fields + q->fields_len, name, nl);
    q->fields_len += nl;
    memcpy(q->fields + q->fields_len, ": ", 2);
    q->fields_len += 2;
    memcpy(q->fields + q->fields_len, value, vl);
    q->fields_len += vl;
    memcpy(q->fields + q->fields_len, "\r\n", 2);
    q->fields_len += 2;
}

void
httpd_reply(struct httpd_req *q, int status, const char *body, size_t len, enum httpd_body how)
{
    struct conn *c = q->c;
    const char *reason = http_reason(status);

    if (c->dead) {
        if (how == HTTPD_BODY_TAKE)
            free((void *)body);
        c->state = C_READING;
        conn_release(c);
        return;
    }
    c->out_len = c->out_off = 0;
    out_str(c, "HTTP/1.1 ");
    out_num(c, status);
    out_add(c, " ", 1);
    out_str(c, reason[0] ? reason : "Status");
    out_add(c, "\r\n", 2);
    out_add(c, q->fields, q->fields_len);
    out_str(c, date_field(c->srv));
    out_str(c, "Content-Length: ");
    out_num(c, (int64_t)len);
    out_add(c, "\r\n", 2);
    if (!c->keep_alive)
        out_str(c, "Connection: close\r\n");
    else if (q->head.minor == 0)
        out_str(c, "Connection: keep-alive\r\n");
    out_add(c, "\r\n", 2);
    if (c->head_only)
        len = 0;
    if (how != HTTPD_BODY_TAKE && len <= 16384) {
        out_add(c, body, len); /* one buffer, one write */
        c->body = NULL;
        c->body_len = c->body_off = 0;
        c->body_how = HTTPD_BODY_STATIC;
    } else if (how == HTTPD_BODY_COPY) {
        char *copy = xmalloc(len ? len : 1);
        memcpy(copy, body, len);
        c->body = copy;
        c->body_len = len;
        c->body_off = 0;
        c->body_how = HTTPD_BODY_TAKE;
    } else {
        c->body = body;
        c->body_len = len;
        c->body_off = 0;
        c->body_how = how;
    }
    if (how == HTTPD_BODY_TAKE && c->head_only) {
        free((void *)body);
        c->body = NULL;
        c->body_how = HTTPD_BODY_STATIC;
    }
    send_out(c);
}
