/* RFC 4180 CSV as a byte-at-a-time state machine over chunks: quoted
 * fields, doubled quotes, newlines inside quotes, CRLF, LF or CR line ends,
 * an optional UTF-8 BOM. Each record goes to the sink with the line it
 * starts on; malformed records are reported and skipped, and reading goes
 * on so that every error of the file is listed. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "list/sink.h"

#define CSV_MAX_RECORD_BYTES (1u << 20)
#define CSV_CHUNK            65536
#define BOM                  "\xef\xbb\xbf"

enum csv_state {
    CSV_FIELD_START,
    CSV_UNQUOTED,
    CSV_QUOTED,
    CSV_QUOTED_QUOTE, /* a quote inside a quoted field: end or doubled */
};

struct csv {
    struct list_sink *sink;
    enum csv_state state;
    int line;          /* current physical line, 1-based */
    bool prev_cr;      /* the last byte was a CR (a following LF is the same line end) */
    bool quoted_cr;    /* a CR inside quotes not yet written (dropped before LF) */
    struct buf rec;    /* the record's fields, NUL-separated */
    size_t offs[LIST_MAX_FIELDS];
    int field_line[LIST_MAX_FIELDS];
    bool field_quoted[LIST_MAX_FIELDS];
    size_t nfields;
    int rec_line;
    bool rec_bad;      /* an error was reported for this record */
    bool rec_limited;
};

static const char *
label(struct csv *c, size_t i, char *tmp, size_t cap)
{
    const char *l = list_sink_label(c->sink, i);

    if (l)
        return l;
    snprintf(tmp, cap, "column %zu", i + 1);
    return tmp;
}

static void
csv_error(struct csv *c, int line, const char *code, const char *fmt_text)
{
    char tmp[32];

    list_diags_error(c->sink->diags, line, label(c, c->nfields - 1, tmp, sizeof(tmp)),
                     code, "%s", fmt_text);
    c->rec_bad = true;
    c->sink->malformed = true;
}

static void
field_begin(struct csv *c)
{
    if (c->nfields == LIST_MAX_FIELDS) {
        if (!c->rec_limited) {
            list_diags_error(c->sink->diags, c->rec_line, NULL, "csv_limit",
                             "more than %d fields", LIST_MAX_FIELDS);
            c->rec_limited = c->rec_bad = true;
            c->sink->limited = true;
        }
        return;
    }
    if (c->nfields && !buf_add(&c->rec, "", 1))
        c->rec_limited = true; /* reported in put() */
    c->offs[c->nfields] = c->rec.len;
    c->field_line[c->nfields] = c->line;
    c->field_quoted[c->nfields] = false;
    c->nfields++;
}

static void
put(struct csv *c, char ch)
{
    if (c->rec_limited)
        return;
    if (ch == '\0') {
        csv_error(c, c->line, "utf8_invalid", "NUL byte in field");
        return;
    }
    if (!buf_add(&c->rec, &ch, 1)) {
        list_diags_error(c->sink->diags, c->rec_line, NULL, "csv_limit",
                         "record longer than %u bytes", CSV_MAX_RECORD_BYTES);
        c->rec_limited = c->rec_bad = true;
        c->sink->limited = true;
    }
}

static void
record_reset(struct csv *c)
{
    buf_reset(&c->rec);
    c->nfields = 0;
    c->rec_bad = false;
    c->rec_limited = false;
    c->rec_line = c->line;
    field_begin(c);
}

/* the line of byte `off` of field i: its start line plus the newlines before */
static int
line_in_field(const struct csv *c, size_t i, size_t off)
{
    const char *f = c->rec.data + c->offs[i];
    int line = c->field_line[i];

    for (size_t k = 0; k < off; k++) {
        if (f[k] == '\n' || (f[k] == '\r' && f[k + 1] != '\n'))
            line++;
    }
    return line;
}

static enum sm_err
record_end(struct csv *c)
{
    char *fields[LIST_MAX_FIELDS];
    enum sm_err err = SM_OK;
    char tmp[32];

    if (!c->rec.data && !buf_add(&c->rec, "", 0))
        c->rec_bad = true;
    for (size_t i = 0; i < c->nfields && !c->rec_bad; i++) {
        const char *f = c->rec.data + c->offs[i];
        size_t bad = 0;
        if (!list_utf8_valid((const unsigned char *)f, strlen(f), &bad)) {
            list_diags_error(c->sink->diags, line_in_field(c, i, bad),
                             label(c, i, tmp, sizeof(tmp)), "utf8_invalid",
                             "invalid UTF-8 (byte 0x%02X)",
                             (unsigned char)f[bad]);
            c->sink->malformed = true;
            c->rec_bad = true;
        }
    }
    if (!c->rec_bad) {
        for (size_t i = 0; i < c->nfields; i++)
            fields[i] = c->rec.data + c->offs[i];
        err = list_sink_record(c->sink, c->rec_line, fields, c->nfields);
    }
    record_reset(c);
    return err;
}

static void
newline(struct csv *c, char ch)
{
    if (ch == '\r' || !c->prev_cr)
        c->line++;
}

static enum sm_err
feed(struct csv *c, const unsigned char *p, size_t n)
{
    enum sm_err err = SM_OK;

    for (size_t i = 0; i < n && !list_sink_stopped(c->sink); i++) {
        char ch = (char)p[i];
        bool was_cr = c->prev_cr;

        if (c->state != CSV_QUOTED && ch == '\n' && was_cr) {
            /* the LF of a CRLF that already ended the record */
            c->prev_cr = false;
            continue;
        }
        switch (c->state) {
        case CSV_FIELD_START:
            if (ch == '"') {
                c->field_quoted[c->nfields - 1] = true;
                c->state = CSV_QUOTED;
                break;
            }
            c->state = CSV_UNQUOTED;
            /* fall through */
        case CSV_UNQUOTED:
            if (ch == ',') {
                field_begin(c);
                c->state = CSV_FIELD_START;
            } else if (ch == '\r' || ch == '\n') {
                newline(c, ch);
                c->state = CSV_FIELD_START;
                err = record_end(c);
            } else if (ch == '"') {
                if (!c->rec_bad)
                    csv_error(c, c->line, "csv_quote",
                              "'\"' inside an unquoted field (quote the whole field and double the '\"')");
                put(c, ch);
            } else {
                put(c, ch);
            }
            break;
        case CSV_QUOTED:
            if (c->quoted_cr) {
                c->quoted_cr = false;
                if (ch != '\n')
                    put(c, '\r');
            }
            if (ch == '"') {
                c->state = CSV_QUOTED_QUOTE;
            } else if (ch == '\r') {
                newline(c, ch);
                c->quoted_cr = true;
            } else {
                if (ch == '\n')
                    newline(c, ch);
                put(c, ch);
            }
            break;
        case CSV_QUOTED_QUOTE:
            if (ch == '"') {
                put(c, '"');
                c->state = CSV_QUOTED;
            } else if (ch == ',') {
                field_begin(c);
                c->state = CSV_FIELD_START;
            } else if (ch == '\r' || ch == '\n') {
                newline(c, ch);
                c->state = CSV_FIELD_START;
                err = record_end(c);
            } else {
                if (!c->rec_bad)
                    csv_error(c, c->line, "csv_quote",
                              "text after the closing '\"' of a quoted field");
                put(c, ch);
                c->state = CSV_UNQUOTED;
            }
            break;
        }
        c->prev_cr = ch == '\r';
        if (err != SM_OK && list_sink_stopped(c->sink))
            return err;
    }
    return SM_OK;
}

enum sm_err
list_csv_read(struct list_reader *in, struct list_sink *s)
{
    struct csv c;
    unsigned char *chunk = xmalloc(CSV_CHUNK);
    size_t head = 0;
    enum sm_err err = SM_OK;
    long n;

    memset(&c, 0, sizeof(c));
    c.sink = s;
    c.state = CSV_FIELD_START;
    c.line = 1;
    buf_init(&c.rec, CSV_MAX_RECORD_BYTES);
    record_reset(&c);
    while ((n = list_reader_read(in, chunk, CSV_CHUNK)) > 0) {
        const unsigned char *p = chunk;
        size_t len = (size_t)n;

        /* a BOM is only a BOM at the very start; it may span chunks */
        while (head < 3 && len) {
            if (*p != (unsigned char)BOM[head]) {
                if (head) /* a partial match was text after all */
                    err = feed(&c, (const unsigned char *)BOM, head);
                head = 3;
                break;
            }
            head++, p++, len--;
        }
        if (err == SM_OK)
            err = feed(&c, p, len);
        if (err != SM_OK || list_sink_stopped(s))
            break;
    }
    if (head > 0 && head < 3 && err == SM_OK)
        err = feed(&c, (const unsigned char *)BOM, head);
    if (err == SM_OK && !list_sink_stopped(s) && !in->limit_hit &&
        !in->io_error) {
        if (c.state == CSV_QUOTED) {
            list_diags_error(s->diags, c.field_line[c.nfields - 1],
                             label(&c, c.nfields - 1, (char[32]){ 0 }, 32),
                             "csv_unterminated",
                             "quoted field is not closed before the end of the file");
            s->malformed = true;
        } else if (c.nfields > 1 || c.rec.len > 0 ||
                   c.state == CSV_QUOTED_QUOTE) {
            err = record_end(&c); /* last record without a line end */
        }
    }
    buf_release(&c.rec);
    free(chunk);
    return err;
}
