/* Safe parsing of untrusted XML with libxml2 2.9.x: core parser only, no
 * DTDs, no entity expansion, no network or file access, bounded size and
 * depth. */
#include "ingest/cap_xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "ingest/warning.h"

/* Refuses every external entity, DTD or XInclude URL: a warning never needs
 * to load anything, and file:// is not covered by XML_PARSE_NONET. */
static xmlParserInputPtr
deny_all_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* libxml2 still reports some errors (e.g. encoding conversion) through the
 * generic handler even with XML_PARSE_NOERROR; untrusted input must not be
 * able to write to our stderr, so they are dropped (the parser context keeps
 * the error we report). */
static void
silent_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
init_libxml(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(deny_all_loader);
}

void
ingest_init(void)
{
    pthread_once(&init_once, init_libxml);
}

int
cap_xml_line(xmlNodePtr node)
{
    long l = node ? xmlGetLineNo(node) : 0;

    return l > 0 && l < 1000000000L ? (int)l : 0;
}

/* Depth of the deepest element, walked without recursion. */
static xmlNodePtr
too_deep_node(xmlNodePtr root)
{
    xmlNodePtr n = root;
    int depth = 1;

    while (n) {
        if (n->type == XML_ELEMENT_NODE && depth > INGEST_MAX_DEPTH)
            return n;
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            depth++;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            depth--;
        }
        if (!n || n == root)
            break;
        n = n->next;
    }
    return NULL;
}

/* libxml2 keeps no line for a DTD node: find "<!DOCTYPE" in the bytes. */
static int
doctype_line(const char *data, size_t len)
{
    static const char tag[] = "<!DOCTYPE";
    int line = 1;

    for (size_t i = 0; i + sizeof(tag) - 1 <= len; i++) {
        if (memcmp(data + i, tag, sizeof(tag) - 1) == 0)
            return line;
        if (data[i] == '\n')
            line++;
    }
    return 0;
}

enum sm_err
cap_xml_read(const char *data, size_t len, xmlDocPtr *out,
             struct sm_diag *diag)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    xmlNodePtr deep;

    *out = NULL;
    if (len > INGEST_MAX_BYTES) {
        sm_diag_set(diag, "too_large", "document is %zu bytes; the limit is %d",
                    len, INGEST_MAX_BYTES);
        return SM_ERR_LIMIT;
    }
    ingest_init();
    /* the generic handler is per thread in libxml2: set it on every call */
    xmlSetGenericErrorFunc(NULL, silent_error);
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        sm_diag_set(diag, "out_of_memory", "cannot create an XML parser");
        return SM_ERR_NOMEM;
    }
    /* NEVER add NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE or RECOVER:
     * each one reopens XXE, entity bombs or unbounded input. */
    doc = xmlCtxtReadMemory(ctxt, data, (int)len, "warning.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
    if (!doc) {
        xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
        char msg[256] = "not well-formed XML";
        int line = 0, col = 0;

        if (e) {
            if (e->message) {
                snprintf(msg, sizeof(msg), "%s", e->message);
                size_t n = strlen(msg);
                while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
                    msg[--n] = '\0';
            }
            line = e->line;
            col = e->int2;
        }
        sm_diag_at(diag, line, col, "malformed_xml", "malformed XML: %s", msg);
        xmlFreeParserCtxt(ctxt);
        return SM_ERR_PARSE;
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset || doc->extSubset) {
        sm_diag_at(diag, doctype_line(data, len), 0, "doctype_forbidden",
                   "a DOCTYPE is not allowed in a warning (no DTDs or entities)");
        xmlFreeDoc(doc);
        return SM_ERR_PARSE;
    }
    if (!xmlDocGetRootElement(doc)) {
        sm_diag_set(diag, "malformed_xml", "malformed XML: no root element");
        xmlFreeDoc(doc);
        return SM_ERR_PARSE;
    }
    deep = too_deep_node(xmlDocGetRootElement(doc));
    if (deep) {
        sm_diag_at(diag, cap_xml_line(deep), 0, "too_deep",
                   "elements nest deeper than %d levels", INGEST_MAX_DEPTH);
        xmlFreeDoc(doc);
        return SM_ERR_PARSE;
    }
    *out = doc;
    return SM_OK;
}

enum sm_err
cap_xml_text(xmlNodePtr node, char **out, struct sm_diag *diag)
{
    struct buf b;
    char *s, *start, *end;

    *out = NULL;
    buf_init(&b, INGEST_MAX_BYTES);
    for (xmlNodePtr c = node->children; c; c = c->next) {
        switch (c->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (c->content && !buf_addstr(&b, (const char *)c->content)) {
                buf_release(&b);
                sm_diag_at(diag, cap_xml_line(node), 0, "too_large",
                           "<%s> text is too long", (const char *)node->name);
                return SM_ERR_LIMIT;
            }
            break;
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
            break;
        default:
            buf_release(&b);
            sm_diag_at(diag, cap_xml_line(c), 0, "not_text",
                       "<%s> must hold only text", (const char *)node->name);
            return SM_ERR_INVAL;
        }
    }
    s = buf_detach(&b);
    start = s;
    while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
        start++;
    end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
                           end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *out = xstrndup(start, (size_t)(end - start));
    free(s);
    return SM_OK;
}
