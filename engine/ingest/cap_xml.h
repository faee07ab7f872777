#ifndef SM_INGEST_CAP_XML_H
#define SM_INGEST_CAP_XML_H

/* The hardened libxml2 layer under the CAP reader (reliability.md §2.3):
 * the only place that turns untrusted bytes into a tree. */
#include <libxml/tree.h>
#include <stddef.h>

#include "base/err.h"

/* Parses data into a new tree (free with xmlFreeDoc). Refuses, before or
 * after parsing: more than INGEST_MAX_BYTES (SM_ERR_LIMIT "too_large"),
 * malformed XML (SM_ERR_PARSE "malformed_xml" with line and column), any
 * DOCTYPE (SM_ERR_PARSE "doctype_forbidden") and nesting deeper than
 * INGEST_MAX_DEPTH (SM_ERR_PARSE "too_deep"). */
enum sm_err cap_xml_read(const char *data, size_t len, xmlDocPtr *out,
                         struct sm_diag *diag);

/* new: the text of a leaf element, read from its text and CDATA children
 * (never xmlNodeGetContent, which expands entities), with surrounding
 * blanks trimmed. An element or entity-reference child: SM_ERR_INVAL
 * "not_text". */
enum sm_err cap_xml_text(xmlNodePtr node, char **out, struct sm_diag *diag);

/* Line of a node for diagnostics (0 if unknown). */
int cap_xml_line(xmlNodePtr node);

#endif
