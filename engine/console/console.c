/* Lookup of the embedded console assets and their media types. Pure: no
 * I/O, the table is compiled in. */
#include "console/console.h"

#include <string.h>

#include "base/compat.h"

const struct console_asset *
console_asset_find(const char *name)
{
    if (!name || !name[0] || name[0] == '.' || strchr(name, '/') || strchr(name, '\\'))
        return NULL;
    for (int i = 0; i < console_asset_count; i++)
        if (strcmp(console_assets[i].name, name) == 0)
            return &console_assets[i];
    return NULL;
}

static const struct {
    const char *ext;
    const char *type;
} media_types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".ico", "image/x-icon" },
    { ".json", "application/json; charset=utf-8" },
    { ".txt", "text/plain; charset=utf-8" },
};

const char *
console_content_type(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;

    if (dot)
        for (size_t i = 0; i < SM_ARRAY_LEN(media_types); i++)
            if (strcmp(dot, media_types[i].ext) == 0)
                return media_types[i].type;
    return "application/octet-stream";
}
