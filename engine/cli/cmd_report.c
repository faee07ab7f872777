/* smogd report EPISODE: the episode report from a database. */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "ops/ops.h"
#include "cli/report_out.h"

static const char usage[] =
    "usage: smogd report EPISODE [--db F] [--out FILE] [--json] [--config F]\n\n"
    "Writes the report of an episode: one self-contained HTML page (inline CSS and SVG)\n"
    "with the level timeline, orders over time, time to acknowledge, compliance by town and\n"
    "industry, and reductions per pollutant. --out FILE writes FILE and its .json figures;\n"
    "without it the HTML (or with --json the figures) goes to stdout.\n";

int
cmd_report(int argc, char **argv)
{
    const char *db = NULL, *config = NULL, *out = NULL;
    bool as_json = false;
    const struct cli_opt opts[] = { { "--db", &db, NULL }, { "--config", &config, NULL },
                                    { "--out", &out, NULL }, { "--json", NULL, &as_json } };
    const char *pos[1];
    int npos, rc = cli_parse("report", argc, argv, opts, 4, pos, 1, &npos);
    struct app a = { 0 };
    char *end = NULL;
    long long id;

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    id = npos == 1 ? strtoll(pos[0], &end, 10) : 0;
    if (id <= 0 || *end) {
        fprintf(stderr, "smogd report: needs the EPISODE id\n");
        return 2;
    }
    if (!cli_open(&a, config, db))
        return 1;
    struct report_meta meta = { a.cfg.county_code, a.cfg.county_name, a.cfg.tz_min, NULL, NULL };
    if (out) {
        char *json_path = cli_report_json_path(out);
        rc = cli_write_report(&a, id, &meta, as_json ? NULL : out, json_path) ? 0 : 1;
        if (rc == 0)
            printf("report written to %s (figures in %s)\n", as_json ? json_path : out, json_path);
        free(json_path);
    } else {
        json_t *fig = NULL;
        enum sm_err err = ops_report_figures(&a, id, &meta, &fig);
        rc = 1;
        if (err) {
            fprintf(stderr, "smogd report: episode %lld: %s\n", id,
                    err == SM_ERR_NOTFOUND ? "no such episode" : sm_strerror(err));
        } else if (as_json) {
            char *text = json_dumps(fig, JSON_INDENT(2) | JSON_SORT_KEYS);
            printf("%s\n", text);
            free(text);
            rc = 0;
        } else {
            struct buf b;
            buf_init(&b, 0);
            if (report_render_html(fig, &b) && fwrite(b.data, 1, b.len, stdout) == b.len)
                rc = 0;
            buf_release(&b);
        }
        json_decref(fig);
    }
    app_close(&a);
    return rc;
}
