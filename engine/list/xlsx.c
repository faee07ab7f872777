/* Excel workbooks (.xlsx, Office Open XML): a zip of XML parts. The first
 * sheet of xl/workbook.xml is found through xl/_rels/workbook.xml.rels;
 * its cells (shared strings, inline strings, numbers, booleans) become
 * positional records exactly like CSV lines, numbered by sheet row. Each
 * part is streamed out of the zip with its uncompressed size capped, so a
 * zip bomb stops at the cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "list/sink.h"

#define XLSX_MAX_COLUMNS        LIST_MAX_FIELDS
#define XLSX_MAX_SHARED_STRINGS (16u << 20)
#define XLSX_CELL_MAX_BYTES     (64u << 10)

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

struct part {
    zip_file_t *zf;
    size_t read, cap;
    bool over_cap;
};

struct xlsx {
    struct list_sink *sink;
    zip_t *za;
    size_t part_cap;
    char **sst; /* shared strings */
    size_t sst_count, sst_cap;
};

static int
part_read_cb(void *ctx, char *buf, int len)
{
    struct part *p = ctx;
    zip_int64_t n;

    if (p->read >= p->cap) {
        /* one more byte tells a part of exactly cap bytes from a bigger one */
        char probe;
        if (zip_fread(p->zf, &probe, 1) > 0) {
            p->over_cap = true;
            return -1;
        }
        return 0;
    }
    if ((size_t)len > p->cap - p->read)
        len = (int)(p->cap - p->read);
    n = zip_fread(p->zf, buf, (zip_uint64_t)len);
    if (n < 0)
        return -1;
    p->read += (size_t)n;
    return (int)n;
}

static int
part_close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

static void
xlsx_error(struct xlsx *x, int line, const char *code, const char *fmt_text,
           const char *arg)
{
    list_diags_error(x->sink->diags, line, NULL, code, fmt_text, arg);
    x->sink->malformed = true;
}

/* a streaming reader over the part `name`; NULL (and *absent) when the
 * zip has no such part */
static xmlTextReaderPtr
part_open(struct xlsx *x, const char *name, struct part *p, bool *absent)
{
    xmlTextReaderPtr r;

    memset(p, 0, sizeof(*p));
    p->cap = x->part_cap;
    *absent = false;
    p->zf = zip_fopen(x->za, name, 0);
    if (!p->zf) {
        *absent = true;
        return NULL;
    }
    r = xmlReaderForIO(part_read_cb, part_close_cb, p, name, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR |
                           XML_PARSE_NOWARNING);
    if (!r) {
        zip_fclose(p->zf);
        p->zf = NULL;
    }
    return r;
}

/* reads the next node; false at the end or on an error, which is reported */
static bool
part_next(struct xlsx *x, xmlTextReaderPtr r, struct part *p,
          const char *name, bool *failed)
{
    int rc = xmlTextReaderRead(r);

    if (rc == 1) {
        if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
            xlsx_error(x, 0, "xml_doctype", "%s: DOCTYPE is not allowed", name);
            *failed = true;
            return false;
        }
        return true;
    }
    if (rc < 0) {
        if (p->over_cap) {
            list_diags_error(x->sink->diags, 0, NULL, "xlsx_part_too_large",
                             "%s is larger than %zu bytes uncompressed", name,
                             p->cap);
            x->sink->limited = true;
        } else {
            xlsx_error(x, 0, "xml_malformed", "%s is not well-formed XML", name);
        }
        *failed = true;
    }
    return false;
}

static void
part_close(xmlTextReaderPtr r, struct part *p)
{
    if (r)
        xmlFreeTextReader(r);
    if (p->zf)
        zip_fclose(p->zf);
    p->zf = NULL;
}

static bool
is_element(xmlTextReaderPtr r, const char *local)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
           strcmp((const char *)xmlTextReaderConstLocalName(r), local) == 0;
}

static bool
is_end(xmlTextReaderPtr r, const char *local)
{
    return xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT &&
           strcmp((const char *)xmlTextReaderConstLocalName(r), local) == 0;
}

/* new: the r:id of the workbook's first <sheet>, or NULL */
static char *
first_sheet_rid(struct xlsx *x)
{
    struct part p;
    bool absent, failed = false;
    xmlTextReaderPtr r = part_open(x, "xl/workbook.xml", &p, &absent);
    char *rid = NULL;

    if (!r) {
        xlsx_error(x, 0, "xlsx_malformed", "%s", "not an Excel workbook: no xl/workbook.xml");
        return NULL;
    }
    while (!rid && part_next(x, r, &p, "xl/workbook.xml", &failed)) {
        if (is_element(r, "sheet")) {
            xmlChar *v = xmlTextReaderGetAttributeNs(r, BAD_CAST "id",
                                                     BAD_CAST NS_REL);
            rid = xstrdup(v ? (const char *)v : "");
            xmlFree(v);
        }
    }
    part_close(r, &p);
    if (!rid && !failed)
        xlsx_error(x, 0, "xlsx_malformed", "%s", "the workbook has no sheet");
    return rid;
}

/* new: the zip path of the relationship `rid`, or NULL */
static char *
sheet_path(struct xlsx *x, const char *rid)
{
    static const char *const RELS = "xl/_rels/workbook.xml.rels";
    struct part p;
    bool absent, failed = false;
    xmlTextReaderPtr r = part_open(x, RELS, &p, &absent);
    char *path = NULL;

    if (!r) {
        xlsx_error(x, 0, "xlsx_malformed", "not an Excel workbook: no %s", RELS);
        return NULL;
    }
    while (!path && part_next(x, r, &p, RELS, &failed)) {
        xmlChar *id, *target;
        if (!is_element(r, "Relationship"))
            continue;
        id = xmlTextReaderGetAttribute(r, BAD_CAST "Id");
        target = xmlTextReaderGetAttribute(r, BAD_CAST "Target");
        if (id && target && strcmp((const char *)id, rid) == 0) {
            const char *t = (const char *)target;
            path = t[0] == '/' ? xstrdup(t + 1) : xasprintf("xl/%s", t);
        }
        xmlFree(id);
        xmlFree(target);
    }
    part_close(r, &p);
    if (!path && !failed)
        xlsx_error(x, 0, "xlsx_malformed", "the first sheet (%s) has no target",
                   rid);
    return path;
}

/* appends the text of the current <t> element to b; false on the cell cap */
static bool
add_t_text(xmlTextReaderPtr r, struct buf *b)
{
    xmlChar *s;
    bool ok;

    if (xmlTextReaderIsEmptyElement(r))
        return true;
    s = xmlTextReaderReadString(r);
    ok = !s || buf_addstr(b, (const char *)s);
    xmlFree(s);
    return ok;
}

/* xl/sharedStrings.xml: each <si> is a <t>, or rich-text runs <r><t>;
 * phonetic hints (<rPh>) are not part of the text */
static bool
read_shared_strings(struct xlsx *x)
{
    static const char *const SST = "xl/sharedStrings.xml";
    struct part p;
    bool absent, failed = false, in_si = false;
    int rph_depth = -1;
    struct buf b;
    xmlTextReaderPtr r = part_open(x, SST, &p, &absent);

    if (!r)
        return absent; /* a workbook without text has none */
    buf_init(&b, XLSX_CELL_MAX_BYTES);
    while (part_next(x, r, &p, SST, &failed)) {
        int depth = xmlTextReaderDepth(r);

        if (rph_depth >= 0) {
            if (depth <= rph_depth)
                rph_depth = -1;
            else
                continue;
        }
        if (is_element(r, "si")) {
            buf_reset(&b);
            in_si = true;
            if (!xmlTextReaderIsEmptyElement(r))
                continue;
        } else if (in_si && is_element(r, "rPh")) {
            if (!xmlTextReaderIsEmptyElement(r))
                rph_depth = depth;
            continue;
        } else if (in_si && is_element(r, "t")) {
            if (!add_t_text(r, &b)) {
                xlsx_error(x, 0, "xlsx_limit", "%s: a string is too long", SST);
                failed = true;
                break;
            }
            continue;
        } else if (!is_end(r, "si")) {
            continue;
        }
        /* the end of an <si> (or an empty one) */
        if (x->sst_count == XLSX_MAX_SHARED_STRINGS) {
            xlsx_error(x, 0, "xlsx_limit", "%s: too many strings", SST);
            failed = true;
            break;
        }
        if (x->sst_count == x->sst_cap) {
            x->sst_cap = x->sst_cap ? x->sst_cap * 2 : 64;
            x->sst = xrealloc(x->sst, x->sst_cap * sizeof(*x->sst));
        }
        x->sst[x->sst_count++] = xstrdup(b.data ? b.data : "");
        in_si = false;
    }
    buf_release(&b);
    part_close(r, &p);
    return !failed;
}

/* "C7" -> column 2 (0-based); -1 when not a cell reference */
static int
cell_column(const char *ref)
{
    int col = 0, letters = 0;

    for (; *ref >= 'A' && *ref <= 'Z'; ref++, letters++) {
        if (letters == 3)
            return -1;
        col = col * 26 + (*ref - 'A' + 1);
    }
    if (letters == 0)
        return -1;
    for (const char *p = ref; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
    }
    return col - 1;
}

/* Excel writes large integers as "1.40826101E8": give them back as digits */
static char *
number_text(const char *v)
{
    char *end = NULL;
    double d = strtod(v, &end);

    if (end != v && *end == '\0' && strpbrk(v, "eE") && d == (double)(long long)d &&
        d < 1e15 && d > -1e15)
        return xasprintf("%lld", (long long)d);
    return xstrdup(v);
}

struct sheet_row {
    char *cells[XLSX_MAX_COLUMNS];
    size_t count; /* 1 + the highest column set */
    int number;
};

static void
row_clear(struct sheet_row *row)
{
    for (size_t i = 0; i < row->count; i++) {
        free(row->cells[i]);
        row->cells[i] = NULL;
    }
    row->count = 0;
}

static enum sm_err
row_flush(struct xlsx *x, struct sheet_row *row)
{
    enum sm_err err;

    for (size_t i = 0; i < row->count; i++) {
        if (!row->cells[i])
            row->cells[i] = xstrdup("");
    }
    err = list_sink_record(x->sink, row->number, row->cells, row->count);
    row_clear(row);
    return err;
}

/* one <c>: its value text by type, into *out (new) */
static bool
read_cell(struct xlsx *x, xmlTextReaderPtr r, struct part *p,
          const char *path, int row_no, char **out, bool *failed)
{
    xmlChar *type = xmlTextReaderGetAttribute(r, BAD_CAST "t");
    const char *t = type ? (const char *)type : "n";
    int depth = xmlTextReaderDepth(r);
    struct buf v, is;
    bool has_v = false, ok = true;

    buf_init(&v, XLSX_CELL_MAX_BYTES);
    buf_init(&is, XLSX_CELL_MAX_BYTES);
    *out = NULL;
    if (!xmlTextReaderIsEmptyElement(r)) {
        while (part_next(x, r, p, path, failed)) {
            if (xmlTextReaderDepth(r) <= depth)
                break; /* </c> */
            if (is_element(r, "v")) {
                has_v = true;
                ok = add_t_text(r, &v);
            } else if (is_element(r, "t")) {
                /* <is><t> or <is><r><t>; <rPh> hints are skipped below */
                ok = add_t_text(r, &is);
            } else if (is_element(r, "rPh") && !xmlTextReaderIsEmptyElement(r)) {
                int d = xmlTextReaderDepth(r);
                while (part_next(x, r, p, path, failed) &&
                       xmlTextReaderDepth(r) > d)
                    ;
            }
            if (!ok) {
                list_diags_error(x->sink->diags, row_no, NULL, "xlsx_limit",
                                 "a cell is longer than %u bytes",
                                 XLSX_CELL_MAX_BYTES);
                x->sink->limited = true;
                *failed = true;
                break;
            }
        }
    }
    if (!*failed) {
        const char *vt = v.data ? v.data : "";
        if (strcmp(t, "s") == 0) {
            char *end = NULL;
            unsigned long i = strtoul(vt, &end, 10);
            if (!has_v || end == vt || *end || i >= x->sst_count) {
                list_diags_error(x->sink->diags, row_no, NULL,
                                 "xlsx_malformed",
                                 "shared string \"%s\" does not exist", vt);
                x->sink->malformed = true;
                *failed = true;
            } else {
                *out = xstrdup(x->sst[i]);
            }
        } else if (strcmp(t, "inlineStr") == 0) {
            *out = xstrdup(is.data ? is.data : "");
        } else if (strcmp(t, "b") == 0) {
            *out = xstrdup(strcmp(vt, "1") == 0 ? "TRUE" : "FALSE");
        } else if (strcmp(t, "n") == 0) {
            *out = number_text(vt);
        } else { /* str (formula text), e (error, e.g. #N/A), d (ISO date) */
            *out = xstrdup(vt);
        }
    }
    xmlFree(type);
    buf_release(&v);
    buf_release(&is);
    return !*failed;
}

static void
read_sheet(struct xlsx *x, const char *path)
{
    struct part p;
    bool absent, failed = false;
    struct sheet_row *row = xcalloc(1, sizeof(*row));
    int last_row = 0, next_col = 0;
    bool in_row = false;
    xmlTextReaderPtr r = part_open(x, path, &p, &absent);

    if (!r) {
        xlsx_error(x, 0, "xlsx_malformed", "the first sheet %s is missing", path);
        free(row);
        return;
    }
    while (!failed && !list_sink_stopped(x->sink) &&
           part_next(x, r, &p, path, &failed)) {
        if (is_element(r, "row")) {
            xmlChar *rn = xmlTextReaderGetAttribute(r, BAD_CAST "r");
            char *end = NULL;
            long n = rn ? strtol((const char *)rn, &end, 10) : last_row + 1;
            bool bad_number = rn && (end == (char *)rn || *end);
            xmlFree(rn);
            if (bad_number) {
                xlsx_error(x, last_row + 1, "xlsx_malformed", "%s: a row number is not a number",
                           path);
                failed = true;
                break;
            }
            if (n <= last_row || n > 1048576) {
                xlsx_error(x, last_row + 1, "xlsx_malformed", "%s: rows out of order", path);
                failed = true;
                break;
            }
            row->number = last_row = (int)n;
            next_col = 0;
            in_row = !xmlTextReaderIsEmptyElement(r);
        } else if (in_row && is_end(r, "row")) {
            in_row = false;
            if (row_flush(x, row) != SM_OK && list_sink_stopped(x->sink))
                break;
        } else if (in_row && is_element(r, "c")) {
            xmlChar *ref = xmlTextReaderGetAttribute(r, BAD_CAST "r");
            int col = ref ? cell_column((const char *)ref) : next_col;
            char *val = NULL;

            xmlFree(ref);
            if (col < 0 || col >= XLSX_MAX_COLUMNS) {
                list_diags_error(x->sink->diags, row->number, NULL, "xlsx_limit",
                                 "cell beyond column %d or with a bad reference",
                                 XLSX_MAX_COLUMNS);
                x->sink->limited = true;
                failed = true;
                break;
            }
            if (!read_cell(x, r, &p, path, row->number, &val, &failed))
                break;
            free(row->cells[col]);
            row->cells[col] = val;
            if ((size_t)col + 1 > row->count)
                row->count = (size_t)col + 1;
            next_col = col + 1;
        }
    }
    row_clear(row);
    free(row);
    part_close(r, &p);
}

enum sm_err
list_xlsx_read(struct list_reader *in, struct list_sink *s)
{
    struct xlsx x;
    struct buf all;
    char chunk[65536];
    zip_source_t *src = NULL;
    zip_error_t zerr;
    char *rid = NULL, *path = NULL;
    long n;

    memset(&x, 0, sizeof(x));
    x.sink = s;
    x.part_cap = s->opts->max_part_bytes ? s->opts->max_part_bytes
                                         : LIST_IMPORT_MAX_PART_BYTES;
    /* a zip needs random access: the (compressed) workbook is read whole,
     * under the reader's max_bytes */
    buf_init(&all, 0);
    while ((n = list_reader_read(in, chunk, sizeof(chunk))) > 0) {
        if (!buf_add(&all, chunk, (size_t)n))
            break;
    }
    if (n < 0)
        goto out;
    zip_error_init(&zerr);
    src = zip_source_buffer_create(all.data, all.len, 0, &zerr);
    if (src)
        x.za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    if (!x.za) {
        xlsx_error(&x, 0, "xlsx_malformed", "not an Excel workbook: %s",
                   zip_error_strerror(&zerr));
        if (src)
            zip_source_free(src);
        zip_error_fini(&zerr);
        goto out;
    }
    zip_error_fini(&zerr);
    rid = first_sheet_rid(&x);
    if (rid)
        path = sheet_path(&x, rid);
    if (path && read_shared_strings(&x))
        read_sheet(&x, path);
    zip_discard(x.za); /* read-only: nothing to write back; frees src */
out:
    for (size_t i = 0; i < x.sst_count; i++)
        free(x.sst[i]);
    free(x.sst);
    free(rid);
    free(path);
    buf_release(&all);
    return s->malformed ? SM_ERR_PARSE : SM_OK;
}
