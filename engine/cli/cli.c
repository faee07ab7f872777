/* `smogd CMD ...`: the subcommand table and top-level help. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const struct cli_command commands[] = {
    { "serve", "run the server (HTTP API, timers, delivery)", cmd_serve },
    { "token", "create, list and revoke credentials", cmd_token },
    { "audit", "verify the tamper-evident audit chain", cmd_audit },
    { "list", "import, show and activate yearly emission-reduction lists", cmd_list },
    { "orders", "list and show orders", cmd_orders },
    { "backup", "copy the database online and verify the copy", cmd_backup },
    { "restore", "replace the database with a verified backup", cmd_restore },
    { "check", "validate the configuration without starting (like nginx -t)", cmd_check },
    { "contacts", "import enterprise contacts (webhook, e-mail, phone) from CSV", cmd_contacts },
    { "replay", "run a scenario on a virtual clock and check its expectations", cmd_replay },
    { "demo", "replay the bundled Jiang County episode and write its report", cmd_demo },
    { "report", "write an episode's report (HTML with charts, and JSON)", cmd_report },
    { "cityreport", "the daily report and episode summary to the city (json, csv, xlsx, html)",
      cmd_cityreport },
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: smogd COMMAND [FLAGS]\n\n"
               "smogd runs a county's heavy-pollution emergency response: municipal warnings,\n"
               "the yearly emission-reduction list, enterprise orders, acknowledgements and\n"
               "compliance.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`smogd COMMAND --help` describes a command's flags.\n");
}

int
cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("smogd %s\n", SMOGD_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "smogd: unknown command '%s' (see smogd --help)\n", argv[1]);
    return 2;
}
