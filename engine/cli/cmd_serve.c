/* smogd serve */
#include <stdio.h>

#include "base/log.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "store/store.h"

static const char usage[] =
    "usage: smogd serve [--db FILE] [--listen HOST:PORT] [--rules DIR] [--config FILE]\n\n"
    "Runs the server on the event loop. Creates or migrates the database at start and\n"
    "refuses to start on a damaged one. Stops cleanly on SIGTERM or SIGINT; SIGHUP\n"
    "re-reads the reloadable directives of --config. Holds DB.lock while it runs.\n\n"
    "  --db FILE          SQLite database (default ./smogd.db)\n"
    "  --listen HOST:PORT address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --rules DIR        rule files (default: the installed or source rules/)\n"
    "  --config FILE      configuration file (see deploy/smogd.conf)\n";

int
cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *listen = NULL, *rules = NULL, *config = NULL;
    const struct cli_opt opts[] = {
        { "--db", &db, NULL }, { "--listen", &listen, NULL },
        { "--rules", &rules, NULL }, { "--config", &config, NULL },
    };
    const char *pos[1];
    int npos;
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    int rc = cli_parse("serve", argc, argv, opts, 4, pos, 0, &npos);

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (!cli_config(&a, config, db))
        return 1;
    a.config_path = config; /* SIGHUP re-reads it */
    if ((listen && config_set(&a.cfg, "listen", listen, &d) != SM_OK) ||
        (rules && config_set(&a.cfg, "rules", rules, &d) != SM_OK) ||
        config_finish(&a.cfg, &d) != SM_OK) {
        cli_error("configuration", &d);
        config_release(&a.cfg);
        return 1;
    }
    int lvl = sm_log_parse_level(a.cfg.log_level);
    if (lvl >= 0)
        sm_log_set_level(lvl);
    store_page_pool(a.cfg.db_path);
    if (app_open(&a, &d) != SM_OK) {
        cli_error("cannot start", &d);
        app_close(&a);
        return 1;
    }
    if (app_serve(&a, &d) != SM_OK) {
        cli_error("cannot serve", &d);
        app_close(&a);
        return 1;
    }
    app_close(&a);
    return 0;
}
