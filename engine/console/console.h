#ifndef SM_CONSOLE_CONSOLE_H
#define SM_CONSOLE_CONSOLE_H

/* The duty officer's console: static pages compiled into the binary. The
 * pages hold no data; they call the JSON API with the user's token. */
#include <stddef.h>

struct console_asset {
    const char *name;            /* "app.js": a file name, no directory */
    const unsigned char *data;   /* len bytes, followed by a NUL */
    size_t len;
};

/* generated at build time from engine/console/assets/ */
extern const struct console_asset console_assets[];
extern const int console_asset_count;

/* borrowed: the asset called name, or NULL when there is none (names with
 * '/' or a leading '.' never match) */
const struct console_asset *console_asset_find(const char *name);

/* borrowed, static: the Content-Type for a file name, from its extension;
 * "application/octet-stream" when unknown */
const char *console_content_type(const char *name);

#endif
