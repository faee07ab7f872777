/* HTTP/1.x request heads and chunked bodies (see http_parse.h). Strict
 * where leniency lets two parsers disagree on where a request ends (request
 * smuggling): one Content-Length, no Content-Length beside
 * Transfer-Encoding, no folded lines, no blank before a field's colon. */
#include "api/http_parse.h"

#include <string.h>
#include <strings.h>

/* a chunk-size line (with its extensions) and all trailer fields */
#define CHUNK_LINE_MAX 4096
#define TRAILERS_MAX 8192
/* hex digits of a chunk size: 15 keep it below 2^60 */
#define CHUNK_DIGITS_MAX 15

static bool
is_tchar(unsigned char c)
{
    /* RFC 9110 §5.6.2 token characters */
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool
name_is(const char *p, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(p, lit, n) == 0;
}

static int
method_of(const char *p, size_t n)
{
    static const struct {
        const char *name;
        int method;
    } known[] = {
        { "GET", HTTP_GET },         { "POST", HTTP_POST },   { "PUT", HTTP_PUT },
        { "DELETE", HTTP_DELETE },   { "HEAD", HTTP_HEAD },   { "OPTIONS", HTTP_OPTIONS },
        { "PATCH", HTTP_PATCH },
    };

    /* methods are case-sensitive (RFC 9110 §9.1) */
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].name) == n && memcmp(known[i].name, p, n) == 0)
            return known[i].method;
    return HTTP_OTHER;
}

/* Looks for the empty line that ends the head, from *scanned on. Returns the
 * head's length, or 0 when it has not arrived yet. */
static size_t
find_head_end(const char *p, size_t n, size_t start, size_t *scanned)
{
    size_t i = *scanned > start ? *scanned : start;

    while (i < n) {
        const char *lf = memchr(p + i, '\n', n - i);
        if (!lf)
            break;
        i = (size_t)(lf - p);
        if (i + 1 >= n)
            break; /* the next byte decides */
        if (p[i + 1] == '\n')
            return i + 2;
        if (p[i + 1] == '\r') {
            if (i + 2 >= n)
                break;
            if (p[i + 2] == '\n')
                return i + 3;
        }
        i++;
    }
    *scanned = i;
    return 0;
}

/* The line at p[*at..end): *line and its length without the line ending;
 * *at moves past the ending. A CR is only allowed right before the LF. */
static bool
next_line(char *p, size_t end, size_t *at, char **line, size_t *len)
{
    const char *lf = memchr(p + *at, '\n', end - *at);
    size_t stop;

    if (!lf)
        return false;
    stop = (size_t)(lf - p);
    *line = p + *at;
    *len = stop - *at;
    if (*len > 0 && p[stop - 1] == '\r')
        (*len)--;
    if (memchr(*line, '\r', *len))
        return false;
    *at = stop + 1;
    return true;
}

static enum sm_err
refuse(int *status, int code, struct sm_diag *diag, const char *what, const char *text)
{
    *status = code;
    sm_diag_set(diag, what, "%s", text);
    return SM_ERR_PARSE;
}

static enum sm_err
parse_request_line(const char *line, size_t len, struct http_head *h, int *status,
                   struct sm_diag *diag)
{
    const char *sp1 = memchr(line, ' ', len), *sp2;
    size_t mlen, rest;

    if (!sp1 || sp1 == line)
        return refuse(status, 400, diag, "bad_request_line",
                      "the request line is not METHOD TARGET HTTP/1.x");
    mlen = (size_t)(sp1 - line);
    for (size_t i = 0; i < mlen; i++)
        if (!is_tchar((unsigned char)line[i]))
            return refuse(status, 400, diag, "bad_method", "the method is not a token");
    h->method = method_of(line, mlen);
    rest = len - mlen - 1;
    sp2 = memchr(sp1 + 1, ' ', rest);
    if (!sp2 || sp2 == sp1 + 1)
        return refuse(status, 400, diag, "bad_request_line",
                      "the request line is not METHOD TARGET HTTP/1.x");
    h->target = sp1 + 1;
    h->target_len = (size_t)(sp2 - h->target);
    for (size_t i = 0; i < h->target_len; i++) {
        unsigned char c = (unsigned char)h->target[i];
        if (c <= ' ' || c == 0x7f)
            return refuse(status, 400, diag, "bad_target",
                          "the request target has a space or control character");
    }
    const char *v = sp2 + 1;
    size_t vlen = (size_t)(line + len - v);
    if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return refuse(status, 400, diag, "bad_version", "the protocol is not HTTP/1.x");
    if (v[5] != '1')
        return refuse(status, 505, diag, "version_not_supported",
                      "only HTTP/1.0 and HTTP/1.1 are served");
    h->minor = v[7] - '0';
    return SM_OK;
}

static enum sm_err
parse_field(char *line, size_t len, struct http_head *h, int *status,
            struct sm_diag *diag)
{
    const char *colon = memchr(line, ':', len);
    size_t nlen, vs, ve;

    if (is_blank(line[0]))
        return refuse(status, 400, diag, "folded_field",
                      "a header field continues on the next line (obsolete folding)");
    if (!colon || colon == line)
        return refuse(status, 400, diag, "bad_field", "a header line has no 'name:'");
    nlen = (size_t)(colon - line);
    for (size_t i = 0; i < nlen; i++)
        if (!is_tchar((unsigned char)line[i]))
            return refuse(status, 400, diag, "bad_field_name",
                          "a header field name has a character outside a token");
    vs = nlen + 1;
    ve = len;
    while (vs < ve && is_blank(line[vs]))
        vs++;
    while (ve > vs && is_blank(line[ve - 1]))
        ve--;
    for (size_t i = vs; i < ve; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '\0')
            line[i] = ' '; /* RFC 9110 §5.5: NUL is rejected or read as SP */
        else if ((c < ' ' && c != '\t') || c == 0x7f)
            return refuse(status, 400, diag, "bad_field_value",
                          "a header field value has a control character");
    }
    if (h->nfields == HTTP_MAX_FIELDS)
        return refuse(status, 431, diag, "too_many_fields",
                      "the request has more than 64 header fields");
    h->fields[h->nfields++] = (struct http_field){ line, line + vs, (uint32_t)nlen,
                                                   (uint32_t)(ve - vs) };
    return SM_OK;
}

/* one Content-Length value: digits only */
static bool
parse_length(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;

    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

/* true when the comma-separated list v holds token (any case) */
static bool
list_has(const char *v, size_t n, const char *token)
{
    size_t tl = strlen(token), i = 0;

    while (i < n) {
        while (i < n && (is_blank(v[i]) || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && is_blank(v[e - 1]))
            e--;
        if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
            return true;
    }
    return false;
}

static enum sm_err
read_framing(struct http_head *h, int *status, struct sm_diag *diag)
{
    bool has_length = false, has_te = false;

    h->keep_alive = h->minor >= 1;
    for (int i = 0; i < h->nfields; i++) {
        const struct http_field *f = &h->fields[i];
        if (name_is(f->name, f->name_len, "Content-Length")) {
            uint64_t v;
            if (!parse_length(f->value, f->value_len, &v))
                return refuse(status, 400, diag, "bad_content_length",
                              "Content-Length is not a number of bytes");
            if (has_length && v != h->content_length)
                return refuse(status, 400, diag, "bad_content_length",
                              "two different Content-Length fields");
            has_length = true;
            h->content_length = v;
        } else if (name_is(f->name, f->name_len, "Transfer-Encoding")) {
            if (has_te || !name_is(f->value, f->value_len, "chunked"))
                return refuse(status, 501, diag, "unsupported_transfer_coding",
                              "the only transfer coding served is 'chunked'");
            has_te = true;
        } else if (name_is(f->name, f->name_len, "Connection")) {
            if (list_has(f->value, f->value_len, "close"))
                h->keep_alive = false;
            else if (h->minor == 0 && list_has(f->value, f->value_len, "keep-alive"))
                h->keep_alive = true;
        } else if (name_is(f->name, f->name_len, "Expect")) {
            h->expect_continue = h->minor >= 1 && name_is(f->value, f->value_len, "100-continue");
        }
    }
    if (has_te && (has_length || h->minor == 0))
        return refuse(status, 400, diag, "ambiguous_framing",
                      "Transfer-Encoding with Content-Length, or in HTTP/1.0");
    h->chunked = has_te;
    return SM_OK;
}

enum sm_err
http_head_parse(char *p, size_t n, size_t max_head, size_t *scanned,
                struct http_head *h, bool *complete, int *status, struct sm_diag *diag)
{
    size_t start = 0, end, at, len;
    char *line;
    enum sm_err err;

    *complete = false;
    /* empty lines before a request are ignored (RFC 9112 §2.2) */
    while (start < n && (p[start] == '\r' || p[start] == '\n'))
        start++;
    end = find_head_end(p, n > max_head ? max_head : n, start, scanned);
    if (!end) {
        if (n >= max_head)
            return refuse(status, 431, diag, "head_too_large",
                          "the request line and header fields pass the server's limit");
        return SM_OK;
    }
    memset(h, 0, sizeof(*h));
    at = start;
    if (!next_line(p, end, &at, &line, &len) || len == 0)
        return refuse(status, 400, diag, "bad_request_line", "a bare CR in the request line");
    if ((err = parse_request_line(line, len, h, status, diag)) != SM_OK)
        return err;
    while (next_line(p, end, &at, &line, &len) && len > 0)
        if ((err = parse_field(line, len, h, status, diag)) != SM_OK)
            return err;
    if (at != end)
        return refuse(status, 400, diag, "bad_field", "a bare CR in a header line");
    if ((err = read_framing(h, status, diag)) != SM_OK)
        return err;
    h->head_len = end;
    *complete = true;
    return SM_OK;
}

const char *
http_head_field(const struct http_head *h, const char *name, size_t *len)
{
    for (int i = 0; i < h->nfields; i++)
        if (name_is(h->fields[i].name, h->fields[i].name_len, name)) {
            if (len)
                *len = h->fields[i].value_len;
            return h->fields[i].value;
        }
    return NULL;
}

enum chunk_state {
    CH_SIZE,      /* hex digits of the size */
    CH_EXT,       /* after the size: extensions, up to the LF */
    CH_DATA,
    CH_DATA_END,  /* the CRLF after a chunk's data */
    CH_DATA_LF,
    CH_TRAILER,   /* at the start of a trailer line, or of the final empty line */
    CH_TRAILER_LINE,
    CH_END_LF,
};

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static enum sm_err
bad_chunk(struct sm_diag *diag, const char *text)
{
    sm_diag_set(diag, "bad_chunk", "%s", text);
    return SM_ERR_PARSE;
}

/* the size line ended: the data, or the trailers after the last chunk */
static enum sm_err
size_line_done(struct http_chunks *c, uint64_t limit, struct sm_diag *diag)
{
    if (c->digits == 0)
        return bad_chunk(diag, "a chunk has no size");
    c->digits = 0;
    c->line = 0;
    if (c->left == 0) {
        c->state = CH_TRAILER;
        return SM_OK;
    }
    if (c->left > limit - c->out) {
        sm_diag_set(diag, "body_too_large", "the chunked body passes the limit of %llu bytes",
                    (unsigned long long)limit);
        return SM_ERR_LIMIT;
    }
    c->state = CH_DATA;
    return SM_OK;
}

enum sm_err
http_chunks_step(struct http_chunks *c, char *body, size_t n, uint64_t limit, bool *done,
                 struct sm_diag *diag)
{
    enum sm_err err;

    *done = false;
    while (c->raw < n) {
        char ch = body[c->raw];
        int d;

        switch (c->state) {
        case CH_SIZE:
            if ((d = hex_digit(ch)) >= 0) {
                if (++c->digits > CHUNK_DIGITS_MAX)
                    return bad_chunk(diag, "a chunk size has too many digits");
                c->left = c->left * 16 + (uint64_t)d;
                c->raw++;
            } else if (ch == ';' || is_blank(ch) || ch == '\r') {
                c->state = CH_EXT;
            } else if (ch == '\n') {
                c->raw++;
                if ((err = size_line_done(c, limit, diag)) != SM_OK)
                    return err;
            } else {
                return bad_chunk(diag, "a chunk size is not hexadecimal");
            }
            break;
        case CH_EXT: {
            const char *lf = memchr(body + c->raw, '\n', n - c->raw);
            size_t upto = lf ? (size_t)(lf - body) : n;
            c->line += upto - c->raw;
            if (c->line > CHUNK_LINE_MAX)
                return bad_chunk(diag, "a chunk size line is too long");
            c->raw = upto;
            if (!lf)
                break;
            c->raw++;
            if ((err = size_line_done(c, limit, diag)) != SM_OK)
                return err;
            break;
        }
        case CH_DATA: {
            size_t k = n - c->raw;
            if (k > c->left)
                k = (size_t)c->left;
            memmove(body + c->out, body + c->raw, k);
            c->out += k;
            c->raw += k;
            c->left -= k;
            if (c->left == 0)
                c->state = CH_DATA_END;
            break;
        }
        case CH_DATA_END:
        case CH_DATA_LF:
            if (ch == '\r' && c->state == CH_DATA_END) {
                c->state = CH_DATA_LF;
            } else if (ch == '\n') {
                c->state = CH_SIZE;
            } else {
                return bad_chunk(diag, "a chunk's data is longer than its size");
            }
            c->raw++;
            break;
        case CH_TRAILER:
            c->raw++;
            if (ch == '\n') {
                *done = true;
                return SM_OK;
            }
            c->state = ch == '\r' ? CH_END_LF : CH_TRAILER_LINE;
            c->trailers++;
            break;
        case CH_END_LF:
            c->raw++;
            if (ch != '\n')
                return bad_chunk(diag, "a bare CR after the last chunk");
            *done = true;
            return SM_OK;
        case CH_TRAILER_LINE: {
            const char *lf = memchr(body + c->raw, '\n', n - c->raw);
            size_t upto = lf ? (size_t)(lf - body) + 1 : n;
            c->trailers += upto - c->raw;
            if (c->trailers > TRAILERS_MAX)
                return bad_chunk(diag, "the trailer fields are too long");
            c->raw = upto;
            if (lf)
                c->state = CH_TRAILER;
            break;
        }
        default:
            return bad_chunk(diag, "chunk decoder in an unknown state");
        }
    }
    return SM_OK;
}

const char *
http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

const char *
http_method_name(int method)
{
    switch (method) {
    case HTTP_GET: return "GET";
    case HTTP_POST: return "POST";
    case HTTP_PUT: return "PUT";
    case HTTP_DELETE: return "DELETE";
    case HTTP_HEAD: return "HEAD";
    case HTTP_OPTIONS: return "OPTIONS";
    case HTTP_PATCH: return "PATCH";
    default: return "OTHER";
    }
}
