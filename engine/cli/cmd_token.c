/* smogd token create|list|revoke */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "store/store.h"

static const char usage[] =
    "usage: smogd token create --role ROLE [--enterprise USCC] [--name NAME] [--db FILE]\n"
    "       smogd token list [--db FILE]\n"
    "       smogd token revoke ID [--db FILE]\n\n"
    "Roles: issuer (municipal warning feed), officer (duty officer), monitor (stations,\n"
    "meters), enterprise (needs --enterprise), admin. `create` prints the token once, alone\n"
    "on the last line of stdout; only its hash is stored.\n";

static void
print_row(void *arg, int64_t id, const char *role, const char *enterprise,
          const char *name, int64_t created_ms, int64_t revoked_ms)
{
    char c[32], r[32];

    (void)arg;
    printf("%-5lld %-10s %-18s %-24s %s %s\n", (long long)id, role,
           enterprise[0] ? enterprise : "-", name[0] ? name : "-",
           sm_time_format(created_ms, 480, c),
           revoked_ms ? sm_time_format(revoked_ms, 480, r) : "active");
}

int
cmd_token(int argc, char **argv)
{
    const char *db = NULL, *config = NULL, *role_s = NULL, *ent = NULL, *name = NULL;
    const struct cli_opt opts[] = {
        { "--db", &db, NULL }, { "--config", &config, NULL },
        { "--role", &role_s, NULL }, { "--enterprise", &ent, NULL },
        { "--name", &name, NULL },
    };
    const char *pos[2];
    int npos, rc = cli_parse("token", argc, argv, opts, 5, pos, 2, &npos);
    struct app a = { 0 };
    enum sm_err err;

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos == 0) {
        fprintf(stderr, "smogd token: missing action: create, list or revoke\n");
        return 2;
    }
    if (strcmp(pos[0], "create") == 0) {
        enum role role;
        char token[64];
        int64_t id = 0;

        if (npos != 1 || !role_s) {
            fprintf(stderr, "smogd token create: --role is required\n");
            return 2;
        }
        if (!role_parse(role_s, &role)) {
            fprintf(stderr, "smogd token create: unknown role '%s' (issuer, officer, monitor, enterprise, admin)\n",
                    role_s);
            return 2;
        }
        if ((role == ROLE_ENTERPRISE) != (ent != NULL)) {
            fprintf(stderr, "smogd token create: --enterprise USCC is required for, and only for, role enterprise\n");
            return 2;
        }
        if (!cli_open(&a, config, db))
            return 1;
        int64_t now = clock_now(&a.clock);
        err = store_begin(a.store);
        if (!err)
            err = store_token_create(a.store, role, ent, name ? name : "", now, token, &id);
        if (!err) {
            char object[32];
            snprintf(object, sizeof(object), "token:%lld", (long long)id);
            struct audit_entry e = { now, "cli", "admin", "token.create", object, "ok", role_s };
            err = store_audit_append(a.store, &e);
        }
        if (!err)
            err = store_commit(a.store);
        else
            store_rollback(a.store);
        if (err) {
            fprintf(stderr, "smogd token create: %s: %s\n", sm_strerror(err), store_errmsg(a.store));
            app_close(&a);
            return 1;
        }
        printf("created token %lld for role %s%s%s; it is shown only once:\n%s\n", (long long)id,
               role_s, ent ? " enterprise " : "", ent ? ent : "", token);
        app_close(&a);
        return 0;
    }
    if (strcmp(pos[0], "list") == 0) {
        if (!cli_open(&a, config, db))
            return 1;
        printf("%-5s %-10s %-18s %-24s %-25s %s\n", "id", "role", "enterprise", "name", "created", "revoked");
        err = store_token_list(a.store, print_row, NULL);
        app_close(&a);
        return err ? 1 : 0;
    }
    if (strcmp(pos[0], "revoke") == 0) {
        char *end = NULL;
        long long id;

        if (npos != 2 || (id = strtoll(pos[1], &end, 10)) <= 0 || *end) {
            fprintf(stderr, "smogd token revoke: needs the token id (see smogd token list)\n");
            return 2;
        }
        if (!cli_open(&a, config, db))
            return 1;
        int64_t now = clock_now(&a.clock);
        char object[32];
        snprintf(object, sizeof(object), "token:%lld", id);
        err = store_begin(a.store);
        if (!err)
            err = store_token_revoke(a.store, id, now);
        if (!err) {
            struct audit_entry e = { now, "cli", "admin", "token.revoke", object, "ok", "" };
            err = store_audit_append(a.store, &e);
        }
        if (!err)
            err = store_commit(a.store);
        else
            store_rollback(a.store);
        if (err) {
            fprintf(stderr, "smogd token revoke: token %lld: %s\n", id,
                    err == SM_ERR_NOTFOUND ? "no such active token" : sm_strerror(err));
            app_close(&a);
            return 1;
        }
        printf("revoked token %lld\n", id);
        app_close(&a);
        return 0;
    }
    fprintf(stderr, "smogd token: unknown action '%s' (create, list, revoke)\n", pos[0]);
    return 2;
}
