/* smogd cityreport daily|summary: a report to the city from the database,
 * as it would be generated at a given time, in any of its formats. Reads
 * only: stored reports are made by the server (README "Reporting to the
 * city"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "cityreport/cityreport.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "ops/ops_cityreport.h"
#include "store/store_cityreport.h"

#define DAY_MS 86400000LL

static const char usage[] =
    "usage: smogd cityreport daily|summary --episode N [--at TIME] [--format json|csv|xlsx|html]\n"
    "                        [--out FILE] [--db F] [--config F]\n\n"
    "Builds the daily implementation report (the 24 hours up to --at, not before the episode\n"
    "opened) or the episode summary (the whole episode up to --at) as if generated at --at\n"
    "(RFC 3339 with an offset; default now). Writes to --out or stdout. Stores nothing.\n";

static bool
write_out(const char *path, const void *data, size_t len)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    bool ok;

    if (!f) {
        fprintf(stderr, "smogd cityreport: cannot write %s\n", path);
        return false;
    }
    ok = fwrite(data, 1, len, f) == len;
    if (path)
        ok = fclose(f) == 0 && ok;
    else
        ok = fflush(f) == 0 && ok;
    if (!ok)
        fprintf(stderr, "smogd cityreport: writing %s failed\n", path ? path : "stdout");
    return ok;
}

static int
render(json_t *report, const char *format, const char *out)
{
    struct buf b;
    enum sm_err err;
    bool ok;

    if (strcmp(format, "xlsx") == 0) {
        unsigned char *data = NULL;
        size_t len = 0;
        if (cityreport_xlsx(report, &data, &len) != SM_OK) {
            fprintf(stderr, "smogd cityreport: cannot make the workbook\n");
            return 1;
        }
        ok = write_out(out, data, len);
        free(data);
        return ok ? 0 : 1;
    }
    buf_init(&b, 0);
    if (strcmp(format, "json") == 0) {
        char *text = json_dumps(report, JSON_INDENT(2) | JSON_SORT_KEYS);
        err = buf_addstr(&b, text) && buf_addstr(&b, "\n") ? SM_OK : SM_ERR_LIMIT;
        free(text);
    } else if (strcmp(format, "csv") == 0) {
        err = cityreport_csv(report, &b);
    } else {
        err = cityreport_html(report, &b);
    }
    ok = !err && write_out(out, b.data, b.len);
    buf_release(&b);
    return ok ? 0 : 1;
}

int
cmd_cityreport(int argc, char **argv)
{
    const char *db = NULL, *config = NULL, *episode = NULL, *at = NULL, *format = "json";
    const char *out = NULL;
    const struct cli_opt opts[] = {
        { "--db", &db, NULL },         { "--config", &config, NULL }, { "--episode", &episode, NULL },
        { "--at", &at, NULL },         { "--format", &format, NULL }, { "--out", &out, NULL },
    };
    const char *pos[1];
    int npos, rc = cli_parse("cityreport", argc, argv, opts, 6, pos, 1, &npos);
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    json_t *report = NULL;
    int64_t ep = 0, at_ms = 0, opened = 0, from;
    int number = 0, drill = 0;
    char *end = NULL;
    enum sm_err err;

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos != 1 || (strcmp(pos[0], "daily") != 0 && strcmp(pos[0], "summary") != 0)) {
        fprintf(stderr, "smogd cityreport: the kinds are daily and summary\n");
        return 2;
    }
    if (episode)
        ep = strtoll(episode, &end, 10);
    if (!episode || !*episode || *end || ep <= 0) {
        fprintf(stderr, "smogd cityreport: --episode needs a positive episode id\n");
        return 2;
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "xlsx") != 0 && strcmp(format, "html") != 0) {
        fprintf(stderr, "smogd cityreport: --format is json, csv, xlsx or html\n");
        return 2;
    }
    if (at && sm_time_parse(at, &at_ms, &d) != SM_OK) {
        fprintf(stderr, "smogd cityreport: --at: %s\n", d.text);
        return 2;
    }
    if (!cli_open(&a, config, db))
        return 1;
    if (at)
        clock_init_virtual(&a.clock, at_ms); /* the figures as they stood at --at */
    at_ms = clock_now(&a.clock);
    err = store_cityreport_episode(a.store, ep, &drill, &opened);
    if (!err) {
        int64_t last = 0;
        err = store_cityreport_last(a.store, ep, pos[0], &number, &last);
    }
    from = strcmp(pos[0], "daily") == 0 && at_ms - DAY_MS > opened ? at_ms - DAY_MS : opened;
    if (!err)
        err = ops_cityreport_make(&a, ep, pos[0], number + 1, from, at_ms, &report, &d);
    app_close(&a);
    if (err) {
        fprintf(stderr, "smogd cityreport: %s\n",
                err == SM_ERR_NOTFOUND ? "no such episode" : (d.text[0] ? d.text : sm_strerror(err)));
        return 1;
    }
    rc = render(report, format, out);
    json_decref(report);
    return rc;
}
