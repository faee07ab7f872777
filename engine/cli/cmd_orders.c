/* smogd orders list|show: the order reads for operators without a browser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "store/store_orders.h"

static const char usage[] =
    "usage: smogd orders list [--enterprise USCC] [--status S] [--level L] [--episode N]\n"
    "                         [--overdue] [--compliance C] [--limit N] [--json] [--db F]\n"
    "       smogd orders show ID [--db F]\n\n"
    "Lists orders (newest last) or shows one order with its versions, as the API does.\n"
    "Statuses: issued, acknowledged, superseded, lifted.\n";

static void
print_table(json_t *out)
{
    size_t i;
    json_t *o;

    printf("%-7s %-18s %-4s %-7s %-13s %-25s %-25s %s\n", "id", "enterprise", "ver", "level",
           "status", "ack_deadline", "acknowledged_at", "name");
    json_array_foreach(json_object_get(out, "orders"), i, o) {
        const char *ack = json_string_value(json_object_get(o, "acknowledged_at"));
        printf("%-7lld %-18s %-4lld %-7s %-13s %-25s %-25s %s%s\n",
               (long long)json_integer_value(json_object_get(o, "id")),
               json_string_value(json_object_get(o, "enterprise")),
               (long long)json_integer_value(json_object_get(o, "version")),
               json_string_value(json_object_get(o, "level")),
               json_string_value(json_object_get(o, "status")),
               json_string_value(json_object_get(o, "ack_deadline")), ack ? ack : "-",
               json_string_value(json_object_get(o, "enterprise_name")),
               json_is_true(json_object_get(o, "drill")) ? " (drill)" : "");
    }
    printf("%lld of %lld orders\n", (long long)json_array_size(json_object_get(out, "orders")),
           (long long)json_integer_value(json_object_get(out, "total")));
}

int
cmd_orders(int argc, char **argv)
{
    const char *db = NULL, *config = NULL, *ent = NULL, *status = NULL, *level = NULL;
    const char *episode = NULL, *compliance = NULL, *limit = NULL;
    bool overdue = false, as_json = false;
    const struct cli_opt opts[] = {
        { "--db", &db, NULL }, { "--config", &config, NULL }, { "--enterprise", &ent, NULL },
        { "--status", &status, NULL }, { "--level", &level, NULL }, { "--episode", &episode, NULL },
        { "--compliance", &compliance, NULL }, { "--limit", &limit, NULL },
        { "--overdue", NULL, &overdue }, { "--json", NULL, &as_json },
    };
    const char *pos[2];
    int npos, rc = cli_parse("orders", argc, argv, opts, 10, pos, 2, &npos);
    struct app a = { 0 };
    json_t *out = NULL;
    enum sm_err err;

    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (npos == 0 || (strcmp(pos[0], "list") != 0 && strcmp(pos[0], "show") != 0)) {
        fprintf(stderr, "smogd orders: the actions are list and show\n");
        return 2;
    }
    if (strcmp(pos[0], "show") == 0) {
        char *end = NULL;
        long long id = npos == 2 ? strtoll(pos[1], &end, 10) : 0;
        if (id <= 0 || *end) {
            fprintf(stderr, "smogd orders show: needs the order id\n");
            return 2;
        }
        if (!cli_open(&a, config, db))
            return 1;
        err = store_order_json(a.store, id, a.cfg.tz_min, 1, &out);
    } else {
        struct order_filter f = { ent, status, level, compliance, 0, overdue ? 1 : -1, 0, 1000, 0 };
        if (episode) {
            char *end = NULL;
            f.episode_id = strtoll(episode, &end, 10);
            if (*end || f.episode_id <= 0) {
                fprintf(stderr, "smogd orders list: --episode must be an episode id\n");
                return 2;
            }
        }
        if (limit) {
            char *end = NULL;
            long v = strtol(limit, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "smogd orders list: --limit must be 1..1000000\n");
                return 2;
            }
            f.limit = (int)v;
        }
        if (!cli_open(&a, config, db))
            return 1;
        f.now_ms = clock_now(&a.clock);
        err = store_orders_json(a.store, &f, a.cfg.tz_min, &out);
    }
    app_close(&a);
    if (err) {
        fprintf(stderr, "smogd orders %s: %s\n", pos[0],
                err == SM_ERR_NOTFOUND ? "no such order" : sm_strerror(err));
        return 1;
    }
    if (as_json || strcmp(pos[0], "show") == 0) {
        char *text = json_dumps(out, JSON_INDENT(2));
        printf("%s\n", text);
        free(text);
    } else {
        print_table(out);
    }
    json_decref(out);
    return 0;
}
