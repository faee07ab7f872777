#ifndef SM_CITYREPORT_CITYREPORT_INT_H
#define SM_CITYREPORT_CITYREPORT_INT_H

/* Inside the cityreport module: the tables the HTML page and the workbook
 * share. */
#include <jansson.h>

#include "cityreport/cityreport.h"

/* borrowed: the Chinese label of a level, status, state, pollutant or kind
 * key; the key itself when it has none. */
const char *cityreport_label(const char *key);

/* new: {"main": [table...], "violations": table, "timeline": table}, each
 * table {"caption", "header": [text...], "rows": [[text or number...]]}. */
json_t *cityreport_layout(const json_t *report);

#endif
