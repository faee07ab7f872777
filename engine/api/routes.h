#ifndef SM_API_ROUTES_H
#define SM_API_ROUTES_H

#include "api/api_int.h"

/* All route tables, in match order; index = position across tables. */
const struct route *routes_match(int method, const char *path,
                                 struct api_req *r, int *index,
                                 bool *path_known);
int routes_count(void);
/* borrowed: the route at a global index (for metrics labels) */
const struct route *routes_at(int index);

#endif
