/* The report to the city as the server drafts it: ops_cityreport_make on a
 * database inside one transaction (as the timer runs it), repeated, with
 * the CPU time of each run (the event loop is busy that long).
 * usage: cityreport_make DB EPISODE AT_MS COUNT   (prints "ms_per_make M",
 * then the canonical report's sha256) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "base/crypto.h"
#include "cityreport/cityreport.h"
#include "cli/args.h"
#include "ops/ops.h"
#include "ops/ops_cityreport.h"
#include "store/store.h"
#include "store/store_cityreport.h"

static double
cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
    struct app a = { 0 };
    long count;
    int64_t ep, at;
    char hex[65] = "";
    double best = 1e18;

    if (argc != 5) {
        fprintf(stderr, "usage: cityreport_make DB EPISODE AT_MS COUNT\n");
        return 2;
    }
    ep = strtoll(argv[2], NULL, 10);
    at = strtoll(argv[3], NULL, 10);
    count = strtol(argv[4], NULL, 10);
    if (!cli_open(&a, NULL, argv[1]))
        return 1;
    clock_init_virtual(&a.clock, at);
    for (long i = 0; i < count; i++) {
        struct sm_diag d = { 0 };
        json_t *rep = NULL;
        double t0;
        char *text;
        enum sm_err err;

        if (store_begin(a.store) != SM_OK)
            return 1;
        t0 = cpu_ms();
        err = ops_cityreport_make(&a, ep, "daily", 1, at - 86400000LL, at, &rep, &d);
        text = err ? NULL : cityreport_canonical(rep);
        t0 = cpu_ms() - t0;
        store_rollback(a.store);
        if (err) {
            fprintf(stderr, "cityreport_make: %s\n", d.text);
            return 1;
        }
        sm_sha256_hex(text, strlen(text), hex);
        printf("run %ld: %.1f ms\n", i, t0);
        if (t0 < best)
            best = t0;
        free(text);
        json_decref(rep);
    }
    printf("ms_per_make %.1f\n%s\n", best, hex);
    /* the parts: the reduction figures, the orders, the other rows */
    if (store_begin(a.store) == SM_OK) {
        struct store_cityreport_orders o;
        json_t *v = json_pack("{s:s}", "max_level", "red"), *in = json_object();
        double t0 = cpu_ms(), t1, t2;

        if (ops_episode_figures(&a, ep, v) != SM_OK)
            return 1;
        t1 = cpu_ms();
        if (store_cityreport_orders(a.store, ep, at, NULL, NULL, &o) != SM_OK)
            return 1;
        t2 = cpu_ms();
        if (store_cityreport_input(a.store, ep, at, in) != SM_OK)
            return 1;
        printf("figures %.1f ms, orders %.1f ms (%zu), other rows %.1f ms\n", t1 - t0, t2 - t1,
               o.n, cpu_ms() - t2);
        store_cityreport_orders_release(&o);
        json_decref(v);
        json_decref(in);
        store_rollback(a.store);
    }
    app_close(&a);
    return 0;
}
