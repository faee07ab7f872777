#ifndef SM_API_HTTPD_H
#define SM_API_HTTPD_H

/* The HTTP/1.1 connection layer of the API: accepted sockets, requests
 * read and framed (http_parse.h), replies written, keep-alive, timeouts.
 * One request per connection at a time; a request may be answered later
 * (after a group commit) while the connection waits. The read event stays
 * armed from accept to close and a reply is written at once, so a request
 * costs one read and one write: the event set changes only when a reply
 * does not fit the socket's buffer. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "api/http_parse.h"

struct httpd;
struct httpd_req;

/* Called once per complete request; must lead to exactly one httpd_reply,
 * now or later. */
typedef void httpd_handler_fn(struct httpd_req *q, void *arg);
/* May this request carry a body up to max_big_body (instead of max_body)? */
typedef bool httpd_big_body_fn(int method, const char *target, size_t target_len, void *arg);

struct httpd_config {
    size_t max_head;     /* request line and header fields */
    size_t max_body;     /* bodies larger get 413 … */
    size_t max_big_body; /* … unless allows_big says yes, up to this */
    int timeout_s;       /* idle keep-alive, a head's arrival, a stalled write */
    httpd_handler_fn *handler;
    httpd_big_body_fn *allows_big;
    void *arg;
};

/* new: a server on base; free with httpd_free */
struct httpd *httpd_new(struct event_base *base, const struct httpd_config *cfg);
/* Closes every connection (requests still waiting for their reply are
 * dropped: answer them first) and frees h. */
void httpd_free(struct httpd *h);
/* Takes an accepted, non-blocking socket. */
void httpd_accept(struct httpd *h, evutil_socket_t fd, const struct sockaddr *peer,
                  socklen_t peer_len);
/* counts since start, for the metrics */
struct httpd_stats {
    size_t open;       /* connections open now */
    uint64_t accepted; /* connections accepted */
    uint64_t refused;  /* requests answered by this layer: not framed (400, 431, 501,
                        * 505) or not arrived in time (408) */
};
void httpd_stats(const struct httpd *h, struct httpd_stats *out);

/* ---- the request (borrowed; valid until its reply has been handed over) ---- */
int httpd_req_method(const struct httpd_req *q); /* enum http_method */
/* the request target as sent ("/v1/orders?status=issued"), NUL-terminated */
const char *httpd_req_target(const struct httpd_req *q);
/* the first header field of that name (any case), NUL-terminated, or NULL */
const char *httpd_req_header(const struct httpd_req *q, const char *name);
/* the body, NUL-terminated (*len bytes before the NUL) */
const char *httpd_req_body(const struct httpd_req *q, size_t *len);
/* the body was larger than allowed: it was not read; *declared its length
 * (0 for a chunked body). The reply should be 413. */
bool httpd_req_body_too_large(const struct httpd_req *q, size_t *declared, size_t *limit);
const struct sockaddr *httpd_req_peer(const struct httpd_req *q);

/* ---- the reply ---- */
enum httpd_body {
    HTTPD_BODY_COPY,   /* copied now */
    HTTPD_BODY_TAKE,   /* malloc'd: freed once written */
    HTTPD_BODY_STATIC, /* lives as long as the program */
};
/* Adds a header field to the reply (before httpd_reply). Content-Length,
 * Date and Connection are added by httpd_reply. */
void httpd_reply_header(struct httpd_req *q, const char *name, const char *value);
/* Sends the one reply of q: status, the fields added, body (len bytes).
 * q is no longer valid afterwards. */
void httpd_reply(struct httpd_req *q, int status, const char *body, size_t len,
                 enum httpd_body how);

#endif
