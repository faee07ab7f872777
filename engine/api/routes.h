#ifndef SM_API_ROUTES_H
#define SM_API_ROUTES_H

#include "api/api_int.h"

/* All route tables, in match order; index = position across tables.
 * borrowed: the first route whose pattern matches path and whose method is
 * method, its {} segments copied into r->params (new, freed with the
 * request); NULL when none, *path_known telling whether some route has the
 * path under another method (405) or none (404). Only the chosen route's
 * segments are copied: matching allocates nothing. */
const struct route *routes_match(int method, const char *path,
                                 struct api_req *r, int *index,
                                 bool *path_known);
int routes_count(void);
/* borrowed: the route at a global index (for metrics labels) */
const struct route *routes_at(int index);

#endif
