/* The import pipeline: pick the reader, map header columns, validate each
 * row, add it to the report and hand it to the caller. Pure: bytes come
 * through a read callback (see source.c for the file). */
#include "list/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "list/sink.h"

void
list_import_opts_init(struct list_import_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->format = LIST_FORMAT_AUTO;
    list_required_shares_default(&o->required);
    o->max_bytes = LIST_IMPORT_MAX_BYTES;
    o->max_part_bytes = LIST_IMPORT_MAX_PART_BYTES;
    o->max_listed = LIST_DIAGS_MAX_LISTED;
}

long
list_reader_read(struct list_reader *r, void *buf, size_t cap)
{
    long n;

    if (r->pending_len) {
        size_t k = r->pending_len < cap ? r->pending_len : cap;
        memcpy(buf, r->pending, k);
        r->pending += k;
        r->pending_len -= k;
        return (long)k;
    }
    if (r->limit_hit || r->io_error)
        return -1;
    n = r->read(r->ctx, buf, cap);
    if (n < 0) {
        r->io_error = true;
        return -1;
    }
    r->total += (size_t)n;
    if (r->max_bytes && r->total > r->max_bytes) {
        r->limit_hit = true;
        return -1;
    }
    return n;
}

/* ---- the sink ---------------------------------------------------------- */

const char *
list_sink_label(const struct list_sink *s, size_t i)
{
    return s->has_header && i < s->field_count ? s->labels[i] : NULL;
}

bool
list_sink_stopped(const struct list_sink *s)
{
    return s->cb_err != SM_OK || s->header_bad;
}

void
list_sink_year(struct list_sink *s, int line, int year)
{
    if (s->opts->year && year != s->opts->year) {
        list_diags_error(s->diags, line, "year", "year_mismatch",
                         "the file is the list of %d, the import is for %d",
                         year, s->opts->year);
        return;
    }
    s->rep->year = year;
}

static bool
record_blank(char **fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        for (const char *p = fields[i]; *p; p++) {
            if (*p != ' ' && *p != '\t')
                return false;
        }
    }
    return true;
}

static enum sm_err
sink_header(struct list_sink *s, int line, char **fields, size_t count)
{
    int seen[LIST_COL_COUNT];

    for (int c = 0; c < LIST_COL_COUNT; c++)
        seen[c] = -1;
    s->has_header = true;
    s->field_count = count;
    s->col_of = xcalloc(count, sizeof(*s->col_of));
    s->labels = xcalloc(count, sizeof(*s->labels));
    for (size_t i = 0; i < count; i++) {
        int c = list_column_lookup(fields[i]);

        s->labels[i] = fields[i][0] ? xstrdup(fields[i])
                                    : xasprintf("column %zu", i + 1);
        s->col_of[i] = c;
        if (c < 0)
            continue;
        if (seen[c] >= 0) {
            list_diags_error(s->diags, line, s->labels[i], "column_duplicate",
                             "column %s appears twice (also column %d)",
                             list_column_key((enum list_column)c), seen[c] + 1);
            s->col_of[i] = -1;
            s->header_bad = true;
            continue;
        }
        seen[c] = (int)i;
    }
    for (int c = 0; c < LIST_COL_COUNT; c++) {
        if (seen[c] >= 0)
            continue;
        list_diags_error(s->diags, line, list_column_key((enum list_column)c),
                         "column_missing", "required column missing (%s)",
                         list_column_zh((enum list_column)c));
        s->header_bad = true;
    }
    return s->header_bad ? SM_ERR_INVAL : SM_OK;
}

enum sm_err
list_sink_fields(struct list_sink *s, const struct list_fields *f)
{
    struct list_row row;
    enum sm_err err = SM_OK;

    list_row_init(&row);
    if (list_validate_row(&s->val, f, &row, s->diags)) {
        list_report_add_row(s->rep, &row);
        if (s->cb) {
            err = s->cb(s->cb_arg, &row);
            if (err != SM_OK)
                s->cb_err = err;
        }
    }
    list_row_release(&row);
    return err;
}

enum sm_err
list_sink_record(struct list_sink *s, int line, char **fields, size_t count)
{
    struct list_fields f;
    struct list_note notes[LIST_MAX_FIELDS];
    size_t used = count;

    if (list_sink_stopped(s))
        return SM_ERR_INVAL;
    if (record_blank(fields, count))
        return SM_OK;
    if (!s->has_header)
        return sink_header(s, line, fields, count);
    /* trailing empty cells beyond the header are spreadsheet noise */
    while (used > s->field_count && fields[used - 1][0] == '\0')
        used--;
    if (used != s->field_count) {
        list_diags_error(s->diags, line, NULL, "field_count",
                         "%zu fields, the header has %zu", used,
                         s->field_count);
        return SM_OK;
    }
    memset(&f, 0, sizeof(f));
    f.line = line;
    f.notes = notes;
    for (size_t i = 0; i < s->field_count && i < LIST_MAX_FIELDS; i++) {
        int c = s->col_of[i];
        if (c >= 0) {
            f.value[c] = fields[i];
            f.label[c] = s->labels[i];
        } else if (fields[i][0]) {
            notes[f.note_count].key = s->labels[i];
            notes[f.note_count].value = fields[i];
            f.note_count++;
        }
    }
    list_sink_fields(s, &f);
    return s->cb_err;
}

static void
sink_release(struct list_sink *s)
{
    for (size_t i = 0; i < s->field_count; i++)
        free(s->labels[i]);
    free(s->labels);
    free(s->col_of);
    list_validator_release(&s->val);
}

/* ---- format choice and the entry points -------------------------------- */

static enum list_format
format_from_name(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;

    if (!dot)
        return LIST_FORMAT_AUTO;
    if (strcasecmp(dot, ".csv") == 0 || strcasecmp(dot, ".txt") == 0)
        return LIST_FORMAT_CSV;
    if (strcasecmp(dot, ".xml") == 0)
        return LIST_FORMAT_XML;
    if (strcasecmp(dot, ".xlsx") == 0)
        return LIST_FORMAT_XLSX;
    return LIST_FORMAT_AUTO;
}

static enum list_format
format_from_bytes(const unsigned char *p, size_t n)
{
    size_t i = 0;

    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
        return LIST_FORMAT_XLSX;
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i < n && p[i] == '<' ? LIST_FORMAT_XML : LIST_FORMAT_CSV;
}

enum sm_err
list_import_stream(list_read_fn *read, void *ctx, const char *name,
                   const struct list_import_opts *o, list_row_fn *cb,
                   void *arg, struct list_report *rep,
                   struct list_diags *diags)
{
    struct list_import_opts defaults;
    struct list_reader in;
    struct list_sink s;
    unsigned char head[512];
    enum list_format fmt;
    enum sm_err err = SM_OK;
    long n = 0;

    if (!o) {
        list_import_opts_init(&defaults);
        o = &defaults;
    }
    list_report_init(rep, &o->required);
    rep->year = o->year;
    list_diags_init(diags, name, o->max_listed);
    memset(&in, 0, sizeof(in));
    in.read = read;
    in.ctx = ctx;
    in.max_bytes = o->max_bytes;
    memset(&s, 0, sizeof(s));
    s.opts = o;
    s.diags = diags;
    s.rep = rep;
    s.cb = cb;
    s.cb_arg = arg;
    list_validator_init(&s.val, o->county, o->measures);

    fmt = o->format != LIST_FORMAT_AUTO ? o->format : format_from_name(name);
    if (fmt == LIST_FORMAT_AUTO) {
        /* read ahead enough to recognise a zip or an XML document */
        size_t got = 0;
        while (got < sizeof(head) &&
               (n = list_reader_read(&in, head + got, sizeof(head) - got)) > 0)
            got += (size_t)n;
        in.pending = head;
        in.pending_len = got;
        fmt = format_from_bytes(head, got);
    }
    switch (fmt) {
    case LIST_FORMAT_XLSX: err = list_xlsx_read(&in, &s); break;
    case LIST_FORMAT_XML: err = list_xml_read(&in, &s); break;
    case LIST_FORMAT_CSV:
    case LIST_FORMAT_AUTO: err = list_csv_read(&in, &s); break;
    }
    if (in.limit_hit) {
        list_diags_error(diags, 0, NULL, "input_too_large",
                         "the list is larger than %zu bytes", o->max_bytes);
        s.limited = true;
    } else if (in.io_error) {
        list_diags_error(diags, 0, NULL, "read_failed", "cannot read the list");
        err = SM_ERR_IO;
    }
    if (!s.has_header && fmt != LIST_FORMAT_XML && diags->error_total == 0) {
        list_diags_error(diags, 0, NULL, "empty", "the list has no header row");
    }
    if (rep->rows == 0 && diags->error_total == 0) {
        list_diags_error(diags, 0, NULL, "empty", "the list has no rows");
    }

    if (s.cb_err != SM_OK)
        err = s.cb_err;
    else if (err == SM_ERR_IO)
        ;
    else if (s.limited)
        err = SM_ERR_LIMIT;
    else if (s.malformed)
        err = SM_ERR_PARSE;
    else if (diags->error_total)
        err = SM_ERR_INVAL;
    else
        err = SM_OK;
    sink_release(&s);
    return err;
}

struct mem_src {
    const unsigned char *p;
    size_t left;
};

static long
mem_read(void *ctx, void *buf, size_t cap)
{
    struct mem_src *m = ctx;
    size_t k = m->left < cap ? m->left : cap;

    if (k)
        memcpy(buf, m->p, k);
    m->p += k;
    m->left -= k;
    return (long)k;
}

enum sm_err
list_import_memory(const void *data, size_t len, const char *name,
                   const struct list_import_opts *o, list_row_fn *cb,
                   void *arg, struct list_report *rep,
                   struct list_diags *diags)
{
    struct mem_src m = { data, len };

    return list_import_stream(mem_read, &m, name, o, cb, arg, rep, diags);
}

enum sm_err
list_doc_collect(void *arg, const struct list_row *row)
{
    list_doc_add(arg, row);
    return SM_OK;
}
