/* http_parse: request heads (complete, partial, refused with the right
 * status) and chunked bodies decoded in place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http_parse.h"
#include "check.h"

struct parsed {
    enum sm_err err;
    bool complete;
    int status;
    struct http_head h;
    struct sm_diag d;
    char buf[4096];
};

static struct parsed *
parse_n(const char *text, size_t n, size_t max_head)
{
    static struct parsed p;
    size_t scanned = 0;

    memset(&p, 0, sizeof(p));
    memcpy(p.buf, text, n);
    p.err = http_head_parse(p.buf, n, max_head, &scanned, &p.h, &p.complete, &p.status, &p.d);
    return &p;
}

static struct parsed *
parse(const char *text)
{
    return parse_n(text, strlen(text), 8192);
}

static void
field_is(const struct http_head *h, const char *name, const char *want)
{
    size_t len = 0;
    const char *v = http_head_field(h, name, &len);

    CHECK(v != NULL);
    if (v) {
        CHECK_INT((long)len, (long)strlen(want));
        CHECK(strncmp(v, want, len) == 0);
    }
}

static void
test_request_head(void)
{
    const char *req = "POST /v1/orders/7/ack?x=1 HTTP/1.1\r\nHost: a\r\n"
                      "Content-Length:  12 \r\nIdempotency-Key:\tk-1\r\n\r\n{\"note\":\"\"}x";
    struct parsed *p = parse(req);

    CHECK_INT(p->err, SM_OK);
    CHECK(p->complete);
    CHECK_INT(p->h.method, HTTP_POST);
    CHECK_INT((long)p->h.target_len, 20);
    CHECK(strncmp(p->h.target, "/v1/orders/7/ack?x=1 ", 21) == 0);
    CHECK_INT(p->h.minor, 1);
    CHECK_INT(p->h.nfields, 3);
    CHECK_INT((long)p->h.content_length, 12);
    CHECK(p->h.keep_alive);
    CHECK(!p->h.chunked);
    CHECK_INT((long)p->h.head_len, (long)(strstr(req, "\r\n\r\n") - req + 4));
    field_is(&p->h, "content-length", "12");
    field_is(&p->h, "IDEMPOTENCY-KEY", "k-1");
    CHECK(http_head_field(&p->h, "Authorization", NULL) == NULL);
}

static void
test_partial_and_bare_lf(void)
{
    const char *req = "GET /healthz HTTP/1.0\nConnection: keep-alive\n\n";
    size_t n = strlen(req), scanned = 0;
    struct parsed p;

    /* every prefix is incomplete, never refused; the scan hint only grows */
    for (size_t i = 0; i < n; i++) {
        size_t before = scanned;
        memset(&p.h, 0, sizeof(p.h));
        memcpy(p.buf, req, i);
        p.err = http_head_parse(p.buf, i, 8192, &scanned, &p.h, &p.complete, &p.status, &p.d);
        CHECK_INT(p.err, SM_OK);
        CHECK(!p.complete);
        CHECK(scanned >= before);
    }
    memcpy(p.buf, req, n);
    p.err = http_head_parse(p.buf, n, 8192, &scanned, &p.h, &p.complete, &p.status, &p.d);
    CHECK_INT(p.err, SM_OK);
    CHECK(p.complete);
    CHECK_INT(p.h.minor, 0);
    CHECK(p.h.keep_alive); /* HTTP/1.0 only with keep-alive asked for */
    CHECK_INT((long)p.h.head_len, (long)n);
    CHECK(!parse("GET / HTTP/1.0\r\n\r\n")->h.keep_alive);
    CHECK(!parse("GET / HTTP/1.1\r\nConnection: TE, close\r\n\r\n")->h.keep_alive);
    /* blank lines before a request are skipped */
    p = *parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    CHECK(p.complete);
    CHECK_INT(p.h.method, HTTP_GET);
}

static void
refused(const char *req, int status, const char *code)
{
    struct parsed *p = parse(req);

    CHECK_INT(p->err, SM_ERR_PARSE);
    CHECK_INT(p->status, status);
    CHECK_STR(p->d.code, code);
    CHECK(p->d.text[0] != '\0');
}

static void
test_refused_heads(void)
{
    refused("GET\r\n\r\n", 400, "bad_request_line");
    refused("GET /a\r\n\r\n", 400, "bad_request_line");
    refused("G(T / HTTP/1.1\r\n\r\n", 400, "bad_method");
    refused("GET /a\x01 HTTP/1.1\r\n\r\n", 400, "bad_target");
    refused("GET / HTTP/2.0\r\n\r\n", 505, "version_not_supported");
    refused("GET / HTTX/1.1\r\n\r\n", 400, "bad_version");
    refused("GET / HTTP/1.1\r\nHost a\r\n\r\n", 400, "bad_field");
    refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "bad_field_name");
    refused("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400, "folded_field");
    refused("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400, "bad_field_value");
    refused("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400, "bad_field");
    refused("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "bad_content_length");
    refused("POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", 400, "bad_content_length");
    refused("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
            "bad_content_length");
    refused("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
            "unsupported_transfer_coding");
    refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400,
            "ambiguous_framing");
    refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "ambiguous_framing");

    /* the same Content-Length twice is one length */
    CHECK_INT((long)parse("POST / HTTP/1.1\r\nContent-Length: 4\r\ncontent-length: 4\r\n\r\n")
                  ->h.content_length,
              4);
    /* a NUL in a value is read as a space */
    static const char nul[] = "GET / HTTP/1.1\r\nA: x\0y\r\n\r\n";
    struct parsed *p = parse_n(nul, sizeof(nul) - 1, 8192);
    CHECK_INT(p->err, SM_OK);
    field_is(&p->h, "A", "x y");
    CHECK_INT(parse("PURGE / HTTP/1.1\r\n\r\n")->h.method, HTTP_OTHER);
    CHECK(parse("POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")->h.expect_continue);
}

static void
test_head_limits(void)
{
    char big[4096];
    struct parsed *p;
    int n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX: %0900d", 0);

    /* no end within the limit: 431, whether or not more is on its way */
    p = parse_n(big, (size_t)n, 512);
    CHECK_INT(p->err, SM_ERR_PARSE);
    CHECK_INT(p->status, 431);
    CHECK_STR(p->d.code, "head_too_large");
    p = parse_n(big, 100, 512);
    CHECK_INT(p->err, SM_OK);
    CHECK(!p->complete);
    /* 64 fields pass, 65 do not */
    size_t len = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 64; i++)
        len += (size_t)snprintf(big + len, sizeof(big) - len, "H%d: v\r\n", i);
    memcpy(big + len, "\r\n", 3);
    p = parse(big);
    CHECK_INT(p->err, SM_OK);
    CHECK_INT(p->h.nfields, 64);
    snprintf(big + len, sizeof(big) - len, "H64: v\r\n\r\n");
    p = parse(big);
    CHECK_INT(p->err, SM_ERR_PARSE);
    CHECK_INT(p->status, 431);
}

/* decodes raw in pieces of `step` bytes, as they would arrive, keeping
 * only the body so far and what is still undecoded (as the layer does) */
static enum sm_err
decode(const char *raw, size_t step, uint64_t limit, char *out, size_t *out_len, bool *done)
{
    char buf[1024] = { 0 };
    struct http_chunks c = { 0 };
    struct sm_diag d = { 0 };
    size_t n = strlen(raw), fed = 0, total = 0;
    enum sm_err err = SM_OK;

    *done = false;
    while (fed < n && !*done) {
        size_t k = n - fed < step ? n - fed : step;
        memcpy(buf + total, raw + fed, k);
        total += k;
        fed += k;
        err = http_chunks_step(&c, buf, total, limit, done, &d);
        if (err)
            return err;
        if (!*done) {
            memmove(buf + c.out, buf + c.raw, total - c.raw);
            total -= c.raw - c.out;
            c.raw = c.out;
        }
    }
    memcpy(out, buf, c.out);
    *out_len = c.out;
    return err;
}

static void
test_chunks(void)
{
    const char *raw = "5;ext=1\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
    char out[256];
    size_t len = 0;
    bool done;

    for (size_t step = 1; step <= strlen(raw); step++) {
        CHECK_INT(decode(raw, step, 100, out, &len, &done), SM_OK);
        CHECK(done);
        CHECK_INT((long)len, 12);
        CHECK(memcmp(out, "hello, world", 12) == 0);
    }
    CHECK_INT(decode("a\r\n0123456789\r\n0\r\n\r\n", 64, 9, out, &len, &done), SM_ERR_LIMIT);
    CHECK_INT(decode("zz\r\n", 64, 100, out, &len, &done), SM_ERR_PARSE);
    CHECK_INT(decode(";x\r\n", 64, 100, out, &len, &done), SM_ERR_PARSE);
    CHECK_INT(decode("2\r\nabc\r\n", 64, 100, out, &len, &done), SM_ERR_PARSE);
    CHECK_INT(decode("1234567890abcdef0\r\n", 64, UINT64_MAX, out, &len, &done), SM_ERR_PARSE);
    /* incomplete: not done, no error */
    CHECK_INT(decode("3\r\nab", 64, 100, out, &len, &done), SM_OK);
    CHECK(!done);
}

static void
test_names(void)
{
    CHECK_STR(http_reason(413), "Content Too Large");
    CHECK_STR(http_reason(599), "");
    CHECK_STR(http_method_name(HTTP_DELETE), "DELETE");
    CHECK_STR(http_method_name(HTTP_OTHER), "OTHER");
}

CHECK_MAIN(CHECK_CASE(test_request_head), CHECK_CASE(test_partial_and_bare_lf),
           CHECK_CASE(test_refused_heads), CHECK_CASE(test_head_limits), CHECK_CASE(test_chunks),
           CHECK_CASE(test_names))
