#ifndef SM_API_HTTP_PARSE_H
#define SM_API_HTTP_PARSE_H

/* HTTP/1.x request framing, pure: the request head (RFC 9112 §2-7) and
 * chunked bodies. No I/O, no allocation: every result points into the
 * caller's bytes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* request methods, one bit each so that a route can name a set */
enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_POST = 1 << 1,
    HTTP_PUT = 1 << 2,
    HTTP_DELETE = 1 << 3,
    HTTP_HEAD = 1 << 4,
    HTTP_OPTIONS = 1 << 5,
    HTTP_PATCH = 1 << 6,
    HTTP_OTHER = 1 << 7, /* a well-formed method this server has no use for */
};

/* header fields a request may carry; more is refused with 431 */
#define HTTP_MAX_FIELDS 64

struct http_field {
    const char *name; /* not NUL-terminated: name_len bytes */
    const char *value; /* trimmed of surrounding blanks: value_len bytes */
    uint32_t name_len, value_len;
};

struct http_head {
    int method;               /* enum http_method */
    const char *target;       /* the request target as sent: target_len bytes */
    size_t target_len;
    int minor;                /* HTTP/1.<minor> */
    struct http_field fields[HTTP_MAX_FIELDS];
    int nfields;
    size_t head_len;          /* bytes through the empty line that ends the head */
    /* framing and connection handling, from the fields */
    bool chunked;             /* Transfer-Encoding: chunked */
    uint64_t content_length;  /* 0 when absent */
    bool keep_alive;          /* the connection may carry another request */
    bool expect_continue;     /* Expect: 100-continue */
};

/* Parses the head at p[0..n) (a NUL in a field value becomes a space, as
 * RFC 9110 §5.5 allows). Returns SM_OK with *complete and h filled
 * when the head is complete, SM_OK without *complete when more bytes are
 * needed. On a malformed or oversized head returns
 * SM_ERR_PARSE with *status the HTTP status to answer (400, 431, 501, 505)
 * and diag saying what and where. max_head bounds the head's length.
 * *scanned (in/out, 0 at first) remembers how far the end was looked for,
 * so that a head arriving byte by byte is not searched from the start
 * each time. */
enum sm_err http_head_parse(char *p, size_t n, size_t max_head, size_t *scanned,
                            struct http_head *h, bool *complete, int *status,
                            struct sm_diag *diag);

/* borrowed: the first field named name (any case), or NULL; *len its length */
const char *http_head_field(const struct http_head *h, const char *name, size_t *len);

/* The chunked body decoder. The decoded bytes are written over the raw
 * ones, in place: body[0..out) is the body so far. */
struct http_chunks {
    int state;
    uint64_t left;   /* bytes of the current chunk still to come */
    size_t out;      /* decoded bytes so far */
    size_t raw;      /* raw bytes consumed so far */
    unsigned digits; /* of the size being read */
    size_t line;     /* length of the size line's extensions so far */
    size_t trailers; /* bytes of trailer fields so far */
};

/* Decodes body[c->raw..n) in place. Returns SM_OK with *done when the last
 * chunk and the trailers have arrived (c->raw is then the raw length);
 * SM_OK without *done when more bytes are needed; SM_ERR_LIMIT when the
 * decoded body would pass limit; SM_ERR_PARSE on a malformed chunk (diag). */
enum sm_err http_chunks_step(struct http_chunks *c, char *body, size_t n, uint64_t limit,
                             bool *done, struct sm_diag *diag);

/* "OK", "Not Found", ... for a status code ("" when unknown) */
const char *http_reason(int status);
/* "GET", ... for an enum http_method ("OTHER" otherwise) */
const char *http_method_name(int method);

#endif
