/* Flag parsing and the set-up shared by every subcommand. */
#include "cli/args.h"

#include <stdio.h>
#include <string.h>

int
cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
          int nopts, const char **pos, int max_pos, int *npos)
{
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *eq;
        size_t nlen;
        int k;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return -1;
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
            if (*npos >= max_pos) {
                fprintf(stderr, "smogd %s: unexpected argument '%s' (see smogd %s --help)\n",
                        cmd, a, cmd);
                return 2;
            }
            pos[(*npos)++] = a;
            continue;
        }
        eq = strchr(a, '=');
        nlen = eq ? (size_t)(eq - a) : strlen(a);
        for (k = 0; k < nopts; k++)
            if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, a, nlen) == 0)
                break;
        if (k == nopts) {
            fprintf(stderr, "smogd %s: unknown flag '%.*s' (see smogd %s --help)\n", cmd,
                    (int)nlen, a, cmd);
            return 2;
        }
        if (opts[k].flag) {
            if (eq) {
                fprintf(stderr, "smogd %s: flag '%s' takes no value\n", cmd, opts[k].name);
                return 2;
            }
            *opts[k].flag = true;
        } else if (eq) {
            *opts[k].value = eq + 1;
        } else if (i + 1 < argc) {
            *opts[k].value = argv[++i];
        } else {
            fprintf(stderr, "smogd %s: flag '%s' needs a value\n", cmd, opts[k].name);
            return 2;
        }
    }
    return 0;
}

void
cli_error(const char *what, const struct sm_diag *d)
{
    char msg[800];

    sm_diag_format(d, msg, sizeof(msg));
    fprintf(stderr, "smogd: %s: %s\n", what, msg);
}

bool
cli_config(struct app *a, const char *config_path, const char *db_path)
{
    struct sm_diag d = { 0 };

    config_init_defaults(&a->cfg);
    clock_init_real(&a->clock);
    if ((config_path && config_load_file(&a->cfg, config_path, &d) != SM_OK) ||
        (db_path && config_set(&a->cfg, "db", db_path, &d) != SM_OK) ||
        config_finish(&a->cfg, &d) != SM_OK) {
        cli_error("configuration", &d);
        config_release(&a->cfg);
        return false;
    }
    return true;
}

bool
cli_open(struct app *a, const char *config_path, const char *db_path)
{
    struct sm_diag d = { 0 };

    if (!cli_config(a, config_path, db_path))
        return false;
    if (app_open(a, &d) != SM_OK) {
        cli_error("database", &d);
        app_close(a);
        return false;
    }
    return true;
}
