/* smogd check: validates what serve would load, like `nginx -t`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "dispatch/dispatch.h"
#include "ruleset/ruleset.h"

static const char usage[] =
    "usage: smogd check [--config FILE] [--rules DIR]\n\n"
    "Reads the configuration the way serve does and validates it without starting\n"
    "anything: the file, the rule files, the notifiers file and every notice\n"
    "template. Prints what was checked and \"configuration ok\" (exit 0), or\n"
    "FILE:LINE: what is wrong (exit 1; FILE:LINE:COLUMN in a template). Run it\n"
    "before `systemctl reload smogd`.\n\n"
    "  --config FILE  configuration file (default: built-in defaults only)\n"
    "  --rules DIR    rule files (default: the configured or installed rules/)\n";

/* One thing to validate once the configuration itself is sound. To check
 * more, add a row to check_steps. Each fills diag on error, and may set
 * *what (new) to what it checked, printed as "NAME ok: what". */
struct check_step {
    const char *name;
    enum sm_err (*run)(const struct config *cfg, char **what, struct sm_diag *diag);
};

static enum sm_err
check_rules_dir(const struct config *cfg, char **what, struct sm_diag *diag)
{
    struct stat st;
    struct ruleset *rs = NULL;
    const char *dir = config_rules_dir(cfg);
    enum sm_err err;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, R_OK | X_OK) != 0) {
        sm_diag_set(diag, "rules_unreadable", "rules: %s is not a readable directory", dir);
        return SM_ERR_IO;
    }
    /* the same strict load serve does: every file, key and range */
    err = ruleset_load_dir(dir, &rs, diag);
    ruleset_unref(rs);
    if (!err)
        *what = xstrdup(dir);
    return err;
}

/* The notifiers file and every notice template it names, rendered with a
 * sample order as serve and SIGHUP do: `systemctl reload` runs this first,
 * so a template the reload would refuse is refused here, FILE:LINE:COLUMN. */
static enum sm_err
check_notifiers(const struct config *cfg, char **what, struct sm_diag *diag)
{
    return dispatch_check_config(cfg->notifiers_path, cfg->db_path, what, diag);
}

static const struct check_step check_steps[] = {
    { "rules directory", check_rules_dir },
    { "notifiers file and notice templates", check_notifiers },
};

/* The last line of path that sets directive `name`, 0 when none does. Lets
 * cross-field errors (which know the directive, not the line) point at it. */
static int
directive_line(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t nlen = strlen(name);
    int lineno = 0, found = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        const char *s = line + strspn(line, " \t");
        lineno++;
        if (strncmp(s, name, nlen) == 0 && (s[nlen] == ' ' || s[nlen] == '\t'))
            found = lineno;
    }
    fclose(f);
    return found;
}

static void
report(const char *config_path, struct sm_diag *d)
{
    char msg[800];
    const char *colon = strchr(d->text, ':');

    if (config_path && !d->source[0] && colon) {
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(colon - d->text), d->text);
        d->line = directive_line(config_path, name);
        if (d->line)
            snprintf(d->source, sizeof(d->source), "%s", config_path);
    }
    sm_diag_format(d, msg, sizeof(msg));
    fprintf(stderr, "smogd check: %s\n", msg);
}

int
cmd_check(int argc, char **argv)
{
    const char *config = NULL, *rules = NULL;
    const struct cli_opt opts[] = { { "--config", &config, NULL }, { "--rules", &rules, NULL } };
    const char *pos[1];
    int npos, failed = 0, rc = cli_parse("check", argc, argv, opts, 2, pos, 0, &npos);
    struct config cfg;
    struct sm_diag d = { 0 };

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    config_init_defaults(&cfg);
    if ((config && config_load_file(&cfg, config, &d) != SM_OK) ||
        (rules && config_set(&cfg, "rules", rules, &d) != SM_OK) ||
        config_finish(&cfg, &d) != SM_OK) {
        report(config, &d);
        config_release(&cfg);
        return 1;
    }
    printf("config ok: %s\n", config ? config : "(built-in defaults)");
    for (size_t i = 0; i < SM_ARRAY_LEN(check_steps); i++) {
        char *what = NULL;

        d = (struct sm_diag){ 0 };
        if (check_steps[i].run(&cfg, &what, &d) != SM_OK) {
            report(NULL, &d);
            failed++;
        } else if (what) {
            printf("%s ok: %s\n", check_steps[i].name, what);
        } else {
            printf("%s ok\n", check_steps[i].name);
        }
        free(what);
    }
    config_release(&cfg);
    if (failed)
        return 1;
    printf("configuration ok\n");
    return 0;
}
