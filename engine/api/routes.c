/* The route table: every area contributes its own array; matching is by
 * method and path pattern, with {} capturing one path segment. */
#include "api/routes.h"

#include <string.h>

#include "base/xalloc.h"

struct route_table {
    const struct route *routes;
    const int *count;
};

static const struct route_table tables[] = {
    { api_routes_system, &api_routes_system_count },
    { api_routes_warnings, &api_routes_warnings_count },
    { api_routes_orders, &api_routes_orders_count },
    { api_routes_lists, &api_routes_lists_count },
    { api_routes_deliveries, &api_routes_deliveries_count },
    { api_routes_compliance, &api_routes_compliance_count },
    { api_routes_readings, &api_routes_readings_count },
    { api_routes_console, &api_routes_console_count },
    { api_routes_reports, &api_routes_reports_count },
    { api_routes_cityreports, &api_routes_cityreports_count },
};

int
routes_count(void)
{
    int n = 0;

    for (size_t t = 0; t < SM_ARRAY_LEN(tables); t++)
        n += *tables[t].count;
    return n;
}

const struct route *
routes_at(int index)
{
    for (size_t t = 0; t < SM_ARRAY_LEN(tables); t++) {
        if (index < *tables[t].count)
            return &tables[t].routes[index];
        index -= *tables[t].count;
    }
    return NULL;
}

/* Whether path matches pattern, {} standing for one non-empty segment (at
 * most API_MAX_PARAMS of them). Runs for every candidate route of every
 * request, so it only compares: nothing is copied or allocated. */
static bool
matches(const char *pattern, const char *path)
{
    int n = 0;

    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t len = strcspn(path, "/");
            if (len == 0 || n == API_MAX_PARAMS)
                return false;
            n++;
            path += len;
            pattern += 2;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    return !*pattern && !*path;
}

/* Copies the segments of path at pattern's {} into r->params (new, freed
 * with the request); only for the route that matched. */
static void
capture(const char *pattern, const char *path, struct api_req *r)
{
    int n = 0;

    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t len = strcspn(path, "/");
            r->params[n++] = xstrndup(path, len);
            path += len;
            pattern += 2;
            continue;
        }
        pattern++;
        path++;
    }
    r->nparams = n;
}

const struct route *
routes_match(int method, const char *path, struct api_req *r, int *index,
             bool *path_known)
{
    int gi = 0;

    *path_known = false;
    for (size_t t = 0; t < SM_ARRAY_LEN(tables); t++)
        for (int i = 0; i < *tables[t].count; i++, gi++) {
            const struct route *rt = &tables[t].routes[i];
            if (!matches(rt->pattern, path))
                continue;
            *path_known = true;
            if (rt->method != method)
                continue;
            capture(rt->pattern, path, r);
            *index = gi;
            return rt;
        }
    return NULL;
}
