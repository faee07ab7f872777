/* smogd audit verify */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "store/store.h"

static const char usage[] =
    "usage: smogd audit verify [--db FILE] [--config FILE]\n\n"
    "Walks the audit chain and names the first row whose hash or link is wrong.\n"
    "Exit 0 when the chain is intact, 1 when it is broken.\n";

int
cmd_audit(int argc, char **argv)
{
    const char *db = NULL, *config = NULL;
    const struct cli_opt opts[] = { { "--db", &db, NULL }, { "--config", &config, NULL } };
    const char *pos[1];
    int npos, rc = cli_parse("audit", argc, argv, opts, 2, pos, 1, &npos);
    struct app a = { 0 };
    struct sm_diag d = { 0 };
    int64_t rows = 0, bad = 0;

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos != 1 || strcmp(pos[0], "verify") != 0) {
        fprintf(stderr, "smogd audit: the only action is 'verify'\n");
        return 2;
    }
    if (!cli_open(&a, config, db))
        return 1;
    if (store_audit_verify(a.store, &rows, &bad, &d) != SM_OK) {
        fprintf(stderr, "smogd audit verify: cannot read the audit table: %s\n", store_errmsg(a.store));
        app_close(&a);
        return 1;
    }
    app_close(&a);
    if (bad) {
        printf("audit chain BROKEN at row %lld: %s\n", (long long)bad, d.text);
        return 1;
    }
    printf("audit chain intact: %lld rows\n", (long long)rows);
    return 0;
}
