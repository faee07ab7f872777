/* Report files: HTML for people, JSON with the same figures for tools. */
#include "cli/report_out.h"
#include "ops/ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

char *
cli_report_json_path(const char *html_path)
{
    size_t n = strlen(html_path);
    if (n > 5 && strcmp(html_path + n - 5, ".html") == 0)
        return xasprintf("%.*s.json", (int)(n - 5), html_path);
    return xasprintf("%s.json", html_path);
}

static bool
write_all(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    bool ok;

    if (!f) {
        fprintf(stderr, "smogd: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        fprintf(stderr, "smogd: cannot write %s: %s\n", path, strerror(errno));
    return ok;
}

bool
cli_write_report(struct app *a, int64_t episode, const struct report_meta *meta,
                 const char *html_path, const char *json_path)
{
    json_t *fig = NULL;
    enum sm_err err = ops_report_figures(a, episode, meta, &fig);
    bool ok = true;

    if (err) {
        fprintf(stderr, "smogd: episode %lld: %s\n", (long long)episode,
                err == SM_ERR_NOTFOUND ? "no such episode" : sm_strerror(err));
        return false;
    }
    if (html_path) {
        struct buf b;
        buf_init(&b, 0);
        ok = report_render_html(fig, &b);
        if (!ok)
            fprintf(stderr, "smogd: cannot render the report\n");
        else
            ok = write_all(html_path, b.data, b.len);
        buf_release(&b);
    }
    if (ok && json_path) {
        char *text = json_dumps(fig, JSON_INDENT(2) | JSON_SORT_KEYS);
        ok = text && write_all(json_path, text, strlen(text));
        free(text);
    }
    json_decref(fig);
    return ok;
}
