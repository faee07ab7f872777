/* smogd list import|show|activate */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "ops/ops.h"
#include "store/store_lists.h"

static const char usage[] =
    "usage: smogd list import FILE [--year Y] [--activate] [--json] [--db F] [--config F]\n"
    "       smogd list show [ID] [--json] [--db F]\n"
    "       smogd list activate ID [--db F]\n\n"
    "import reads a yearly emission-reduction list (CSV, XML or .xlsx; see README), checks every\n"
    "row, and prints every error as file:line: column: message, then the warnings, then the\n"
    "reduction report. Exit 0 when accepted (a new version of the year's list), 1 when rejected:\n"
    "a rejected list changes nothing. --activate makes the new version the active list; during\n"
    "an episode it takes effect at the next level change.\n";

static void
progress(void *arg, long lines)
{
    (void)arg;
    fprintf(stderr, "\r  %ld lines imported", lines);
}

static int
print_result(const struct list_import_result *res, enum sm_err err, bool as_json)
{
    char line[1200];

    for (size_t i = 0; i < res->diags.error_count; i++)
        fprintf(as_json ? stderr : stdout, "%s\n",
                list_diags_format(&res->diags, &res->diags.errors[i], line, sizeof(line)));
    if (res->diags.error_total > res->diags.error_count)
        fprintf(as_json ? stderr : stdout, "... and %zu more errors\n",
                res->diags.error_total - res->diags.error_count);
    for (size_t i = 0; i < res->diags.warning_count; i++)
        fprintf(as_json ? stderr : stdout, "%s\n",
                list_diags_format(&res->diags, &res->diags.warnings[i], line, sizeof(line)));
    if (as_json) {
        json_t *rep = list_report_to_json(&res->report);
        json_object_set_new(rep, "accepted", json_boolean(err == SM_OK));
        json_object_set_new(rep, "errors", json_integer((json_int_t)res->diags.error_total));
        json_object_set_new(rep, "warnings", json_integer((json_int_t)res->diags.warning_total));
        if (!err)
            json_object_set_new(rep, "list", json_pack("{s:I,s:i,s:i,s:b}", "id",
                                                       (json_int_t)res->list_id, "year", res->year,
                                                       "version", res->version, "active",
                                                       res->activated));
        char *text = json_dumps(rep, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
        json_decref(rep);
    } else if (!err) {
        struct buf b;
        buf_init(&b, 0);
        if (list_report_render_text(&res->report, &b))
            fputs(b.data ? b.data : "", stdout);
        buf_release(&b);
        printf("accepted: list %lld, year %d, version %d, %ld lines, %zu warnings%s\n",
               (long long)res->list_id, res->year, res->version, res->lines,
               res->diags.warning_total, res->activated ? ", active" : " (not active; see smogd list activate)");
    } else {
        printf("rejected: %zu errors; nothing was imported\n", res->diags.error_total);
    }
    return err ? 1 : 0;
}

int
cmd_list(int argc, char **argv)
{
    const char *db = NULL, *config = NULL, *year_s = NULL;
    bool activate = false, as_json = false;
    const struct cli_opt opts[] = {
        { "--db", &db, NULL }, { "--config", &config, NULL }, { "--year", &year_s, NULL },
        { "--activate", NULL, &activate }, { "--json", NULL, &as_json },
    };
    const char *pos[2];
    int npos, rc = cli_parse("list", argc, argv, opts, 5, pos, 2, &npos);
    struct app a = { 0 };
    struct ops_actor who = { "cli", "admin", NULL };

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos == 0) {
        fprintf(stderr, "smogd list: missing action: import, show or activate\n");
        return 2;
    }
    if (strcmp(pos[0], "import") == 0) {
        struct list_import_req rq = { 0 };
        struct list_import_result res;
        char *end = NULL;
        enum sm_err err;

        if (npos != 2) {
            fprintf(stderr, "smogd list import: needs the list FILE\n");
            return 2;
        }
        if (year_s) {
            long y = strtol(year_s, &end, 10);
            if (*end || y < 2000 || y > 2100) {
                fprintf(stderr, "smogd list import: --year '%s' is not a year\n", year_s);
                return 2;
            }
            rq.year = (int)y;
        }
        if (!cli_open(&a, config, db))
            return 1;
        rq.path = pos[1];
        rq.name = pos[1];
        rq.activate = activate;
        if (isatty(STDERR_FILENO)) {
            rq.progress = progress;
        }
        err = ops_import_list(&a, &who, &rq, &res);
        if (rq.progress && res.lines >= 10000)
            fputc('\n', stderr);
        if (err && res.diags.error_total == 0)
            fprintf(stderr, "smogd list import: %s: %s\n", pos[1], sm_strerror(err));
        rc = print_result(&res, err, as_json);
        ops_list_result_release(&res);
        app_close(&a);
        return rc;
    }
    if (strcmp(pos[0], "show") == 0) {
        json_t *out = NULL;
        enum sm_err err;
        char *end = NULL;
        long long id = npos == 2 ? strtoll(pos[1], &end, 10) : 0;
        if (npos == 2 && (id <= 0 || *end)) {
            fprintf(stderr, "smogd list show: \"%s\" is not a list id\n", pos[1]);
            return 2;
        }
        if (!cli_open(&a, config, db))
            return 1;
        if (npos == 2)
            err = store_list_json(a.store, id, a.cfg.tz_min, &out);
        else
            err = store_lists_json(a.store, a.cfg.tz_min, &out);
        app_close(&a);
        if (err) {
            fprintf(stderr, "smogd list show: %s\n", sm_strerror(err));
            return 1;
        }
        if (as_json || npos == 2) {
            char *text = json_dumps(out, JSON_INDENT(2));
            printf("%s\n", text);
            free(text);
        } else {
            size_t i;
            json_t *l;
            printf("%-5s %-5s %-8s %-7s %-8s %-12s %s\n", "id", "year", "version", "active", "lines",
                   "enterprises", "source");
            json_array_foreach(json_object_get(out, "lists"), i, l)
                printf("%-5lld %-5lld %-8lld %-7s %-8lld %-12lld %s\n",
                       (long long)json_integer_value(json_object_get(l, "id")),
                       (long long)json_integer_value(json_object_get(l, "year")),
                       (long long)json_integer_value(json_object_get(l, "version")),
                       json_is_true(json_object_get(l, "active")) ? "yes" : "no",
                       (long long)json_integer_value(json_object_get(l, "lines")),
                       (long long)json_integer_value(json_object_get(l, "enterprises")),
                       json_string_value(json_object_get(l, "source")));
        }
        json_decref(out);
        return 0;
    }
    if (strcmp(pos[0], "activate") == 0) {
        char *end = NULL;
        long long id = npos == 2 ? strtoll(pos[1], &end, 10) : 0;
        enum sm_err err;
        if (id <= 0 || *end) {
            fprintf(stderr, "smogd list activate: needs the list id (see smogd list show)\n");
            return 2;
        }
        if (!cli_open(&a, config, db))
            return 1;
        err = ops_activate_list(&a, &who, id);
        app_close(&a);
        if (err) {
            fprintf(stderr, "smogd list activate: list %lld: %s\n", id,
                    err == SM_ERR_NOTFOUND ? "no such list" : sm_strerror(err));
            return 1;
        }
        printf("list %lld is now active\n", id);
        return 0;
    }
    fprintf(stderr, "smogd list: unknown action '%s' (import, show, activate)\n", pos[0]);
    return 2;
}
