/* The XML form of the list (engine/list/README.md):
 *   <list year="2025">
 *     <enterprise uscc=".." name=".." town=".." industry=".." grade="..">
 *       <line name=".." so2=".." nox=".." pm=".." vocs=".." power_kw=".."
 *             yellow=".." orange=".." red=".."/>
 *     </enterprise>
 *   </list>
 * read as a stream with libxml2's xmlTextReader under the safe recipe: no
 * DOCTYPE, NONET, no entity substitution, the input size capped. */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "base/xalloc.h"
#include "list/sink.h"

#define XML_MAX_ATTRS 64

struct attrs {
    char *key[XML_MAX_ATTRS];
    char *value[XML_MAX_ATTRS];
    size_t count;
};

struct xml_state {
    struct list_sink *sink;
    struct list_reader *in;
    char tail[10];    /* the last 9 bytes seen, for a DOCTYPE split over reads */
    bool doctype;     /* "<!DOCTYPE" seen in the input: refused unparsed */
    int doctype_line;
    int lines_seen;
    char err_text[300];
    int err_line;
    bool has_err;
};

static void
attrs_clear(struct attrs *a)
{
    for (size_t i = 0; i < a->count; i++) {
        free(a->key[i]);
        free(a->value[i]);
    }
    a->count = 0;
}

static void
on_xml_error(void *arg, xmlErrorPtr e)
{
    struct xml_state *x = arg;

    if (x->has_err || !e)
        return;
    x->has_err = true;
    x->err_line = e->line;
    snprintf(x->err_text, sizeof(x->err_text), "%s",
             e->message ? e->message : "not well-formed");
    /* libxml2 messages end in a newline */
    x->err_text[strcspn(x->err_text, "\n")] = '\0';
}

/* Passes bytes to libxml2 but stops at "<!DOCTYPE": the DTD (and with it
 * every entity trick) never reaches the parser. */
static int
xml_read_cb(void *ctx, char *buf, int len)
{
    static const char DOCTYPE[] = "<!DOCTYPE";
    struct xml_state *x = ctx;
    size_t t;
    long n;

    if (x->doctype)
        return -1;
    n = list_reader_read(x->in, buf, (size_t)len);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    for (long i = 0; i < n; i++) {
        t = strlen(x->tail);
        if (buf[i] == '\n')
            x->lines_seen++;
        if (t == sizeof(x->tail) - 1) {
            memmove(x->tail, x->tail + 1, t);
            t--;
        }
        x->tail[t] = buf[i] ? buf[i] : ' ';
        x->tail[t + 1] = '\0';
        if (strcmp(x->tail, DOCTYPE) == 0) {
            x->doctype = true;
            x->doctype_line = x->lines_seen + 1;
            return -1;
        }
    }
    return (int)n;
}

static int
xml_close_cb(void *ctx)
{
    (void)ctx;
    return 0;
}

static void
read_attrs(xmlTextReaderPtr r, struct attrs *a, struct list_sink *s, int line)
{
    attrs_clear(a);
    while (xmlTextReaderMoveToNextAttribute(r) == 1) {
        if (a->count == XML_MAX_ATTRS) {
            list_diags_error(s->diags, line, NULL, "xml_limit",
                             "more than %d attributes", XML_MAX_ATTRS);
            break;
        }
        a->key[a->count] = xstrdup((const char *)xmlTextReaderConstName(r));
        a->value[a->count] = xstrdup((const char *)xmlTextReaderConstValue(r));
        a->count++;
    }
    xmlTextReaderMoveToElement(r);
}

/* the column an attribute names; the line's own name is "name" */
static int
attr_column(const char *key, bool on_line)
{
    if (on_line && strcmp(key, "name") == 0)
        return LIST_COL_LINE;
    if (on_line && strcmp(key, "line") == 0)
        return LIST_COL_LINE;
    return list_column_lookup(key);
}

static void
emit_line(struct xml_state *x, const struct attrs *ent, const struct attrs *ln,
          int line)
{
    struct list_fields f;
    struct list_note notes[2 * XML_MAX_ATTRS];
    static const bool allowed_on_ent[LIST_COL_COUNT] = {
        [LIST_COL_USCC] = true, [LIST_COL_NAME] = true, [LIST_COL_TOWN] = true,
        [LIST_COL_INDUSTRY] = true, [LIST_COL_GRADE] = true,
    };

    memset(&f, 0, sizeof(f));
    f.line = line;
    f.notes = notes;
    for (size_t i = 0; i < ent->count; i++) {
        int c = attr_column(ent->key[i], false);
        if (c >= 0 && allowed_on_ent[c]) {
            f.value[c] = ent->value[i];
            f.label[c] = ent->key[i];
        } else {
            notes[f.note_count].key = ent->key[i];
            notes[f.note_count++].value = ent->value[i];
        }
    }
    for (size_t i = 0; i < ln->count; i++) {
        int c = attr_column(ln->key[i], true);
        if (c >= 0 && !allowed_on_ent[c]) {
            f.value[c] = ln->value[i];
            f.label[c] = ln->key[i];
        } else {
            notes[f.note_count].key = ln->key[i];
            notes[f.note_count++].value = ln->value[i];
        }
    }
    /* missing attributes read as empty, so the messages match the CSV's */
    for (int c = 0; c < LIST_COL_COUNT; c++) {
        if (!f.value[c]) {
            f.value[c] = "";
            f.label[c] = list_column_key((enum list_column)c);
        }
    }
    list_sink_fields(x->sink, &f);
}

static void
read_year(struct list_sink *s, const struct attrs *a, int line)
{
    for (size_t i = 0; i < a->count; i++) {
        char *end = NULL;
        long y;

        if (strcmp(a->key[i], "year") != 0)
            continue;
        y = strtol(a->value[i], &end, 10);
        if (end == a->value[i] || *end || y < 2000 || y > 2200) {
            list_diags_error(s->diags, line, "year", "year_invalid",
                             "\"%s\" is not a year", a->value[i]);
            return;
        }
        list_sink_year(s, line, (int)y);
    }
}

enum sm_err
list_xml_read(struct list_reader *in, struct list_sink *s)
{
    struct xml_state x;
    struct attrs ent = { 0 }, ln = { 0 };
    xmlTextReaderPtr r;
    bool in_ent = false, seen_root = false;
    int ent_line = 0, ent_lines = 0;
    bool skip = false;
    int rc = 1;

    memset(&x, 0, sizeof(x));
    x.sink = s;
    x.in = in;
    r = xmlReaderForIO(xml_read_cb, xml_close_cb, &x, s->diags->source, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR |
                           XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!r) {
        list_diags_error(s->diags, 0, NULL, "xml_malformed",
                         "cannot start the XML parser");
        s->malformed = true;
        return SM_ERR_PARSE;
    }
    xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &x);
    while (!list_sink_stopped(s) &&
           (rc = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r)) == 1) {
        int type, depth, line;
        const char *name;

        skip = false;
        type = xmlTextReaderNodeType(r);
        depth = xmlTextReaderDepth(r);
        line = xmlTextReaderCurrentNode(r)
                   ? (int)xmlGetLineNo(xmlTextReaderCurrentNode(r))
                   : xmlTextReaderGetParserLineNumber(r);
        name = (const char *)xmlTextReaderConstLocalName(r);

        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            list_diags_error(s->diags, line, NULL, "xml_doctype",
                             "DOCTYPE is not allowed in a list");
            s->malformed = true;
            break;
        }
        if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            list_diags_error(s->diags, line, NULL, "xml_unexpected",
                             "unexpected text");
            continue;
        }
        if (type == XML_READER_TYPE_END_ELEMENT && depth == 1 && in_ent) {
            if (ent_lines == 0)
                list_diags_error(s->diags, ent_line, NULL, "xml_no_lines",
                                 "<enterprise> without a <line>");
            in_ent = false;
            continue;
        }
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        if (depth == 0) {
            if (strcmp(name, "list") != 0) {
                list_diags_error(s->diags, line, NULL, "xml_unexpected",
                                 "the root element is <%s>, expected <list>",
                                 name);
                s->malformed = true;
                break;
            }
            seen_root = true;
            read_attrs(r, &ent, s, line);
            read_year(s, &ent, line);
            attrs_clear(&ent);
        } else if (depth == 1 && strcmp(name, "enterprise") == 0) {
            read_attrs(r, &ent, s, line);
            in_ent = !xmlTextReaderIsEmptyElement(r);
            ent_line = line;
            ent_lines = 0;
            if (!in_ent)
                list_diags_error(s->diags, line, NULL, "xml_no_lines",
                                 "<enterprise> without a <line>");
        } else if (depth == 2 && in_ent && strcmp(name, "line") == 0) {
            read_attrs(r, &ln, s, line);
            ent_lines++;
            emit_line(&x, &ent, &ln, line);
            skip = !xmlTextReaderIsEmptyElement(r); /* a line has no content */
        } else {
            list_diags_error(s->diags, line, NULL, "xml_unexpected",
                             "unexpected element <%s>", name);
            skip = !xmlTextReaderIsEmptyElement(r);
        }
    }
    if (x.doctype && !s->malformed) {
        list_diags_error(s->diags, x.doctype_line, NULL, "xml_doctype",
                         "DOCTYPE is not allowed in a list");
        s->malformed = true;
    } else if (!list_sink_stopped(s) && !s->malformed && (x.has_err || rc < 0)) {
        if (!in->limit_hit && !in->io_error) {
            list_diags_error(s->diags, x.err_line, NULL, "xml_malformed",
                             "%s", x.has_err ? x.err_text : "not well-formed");
            s->malformed = true;
        }
    } else if (!seen_root && !s->malformed && !list_sink_stopped(s)) {
        list_diags_error(s->diags, 0, NULL, "xml_malformed", "no <list> element");
        s->malformed = true;
    }
    attrs_clear(&ent);
    attrs_clear(&ln);
    xmlFreeTextReader(r);
    return s->malformed ? SM_ERR_PARSE : SM_OK;
}
