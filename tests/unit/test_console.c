/* The embedded console assets: every page and script is compiled in, byte
 * for byte, with the right media type; names cannot escape the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "console/console.h"

/* new: the whole file under the source tree, or NULL */
static char *
read_source(const char *rel, size_t *len)
{
    const char *root = getenv("SMOGD_SOURCE_DIR");
    char path[1024];
    FILE *f;
    char *data = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        } else if (data) {
            *len = (size_t)n;
        }
    }
    fclose(f);
    return data;
}

static void
test_every_page_is_embedded(void)
{
    static const char *names[] = { "index.html", "enterprise.html", "app.js", "enterprise.js",
                                   "i18n.js", "ui.js", "style.css", "favicon.svg" };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const struct console_asset *a = console_asset_find(names[i]);
        char rel[256];
        size_t len = 0;
        char *src;

        CHECK(a != NULL);
        if (!a)
            continue;
        snprintf(rel, sizeof(rel), "engine/console/assets/%s", names[i]);
        src = read_source(rel, &len);
        CHECK(src != NULL);
        if (src) {
            CHECK_INT(a->len, len);
            CHECK(memcmp(a->data, src, len) == 0);
            CHECK_INT(a->data[a->len], 0);
        }
        free(src);
    }
}

static void
test_pages_load_scripts_from_files_only(void)
{
    const struct console_asset *a = console_asset_find("index.html");

    CHECK(a && strstr((const char *)a->data, "<script type=\"module\" src=\"/assets/app.js\"></script>"));
    /* the strict CSP forbids inline script and style: none may creep in */
    CHECK(a && !strstr((const char *)a->data, "<script>"));
    CHECK(a && !strstr((const char *)a->data, "style="));
    CHECK(a && !strstr((const char *)a->data, "onclick"));
    a = console_asset_find("enterprise.html");
    CHECK(a && strstr((const char *)a->data, "src=\"/assets/enterprise.js\""));
    CHECK(a && !strstr((const char *)a->data, "style="));
}

static void
test_names_cannot_escape(void)
{
    CHECK(console_asset_find("") == NULL);
    CHECK(console_asset_find(NULL) == NULL);
    CHECK(console_asset_find("../index.html") == NULL);
    CHECK(console_asset_find("assets/app.js") == NULL);
    CHECK(console_asset_find(".gitignore") == NULL);
    CHECK(console_asset_find("app.js\\") == NULL);
    CHECK(console_asset_find("APP.JS") == NULL);
    CHECK(console_asset_find("missing.js") == NULL);
}

static void
test_media_types(void)
{
    CHECK_STR(console_content_type("index.html"), "text/html; charset=utf-8");
    CHECK_STR(console_content_type("app.js"), "text/javascript; charset=utf-8");
    CHECK_STR(console_content_type("style.css"), "text/css; charset=utf-8");
    CHECK_STR(console_content_type("favicon.svg"), "image/svg+xml");
    CHECK_STR(console_content_type("x.tar.gz"), "application/octet-stream");
    CHECK_STR(console_content_type("noext"), "application/octet-stream");
    CHECK_STR(console_content_type("js"), "application/octet-stream");
}

CHECK_MAIN(CHECK_CASE(test_every_page_is_embedded), CHECK_CASE(test_pages_load_scripts_from_files_only),
           CHECK_CASE(test_names_cannot_escape), CHECK_CASE(test_media_types))
