/* CAP ingest as smogd does it: warning_parse_cap (parse, validation, field
 * extraction) in a loop bounded by count and time.
 * usage: cap_parse FILE COUNT   (prints "us_per_parse U") */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ingest/warning.h"

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    static char data[262144];
    FILE *f;
    size_t len;
    long count, done = 0;
    double t0;

    if (argc != 3 || !(f = fopen(argv[1], "rb"))) {
        fprintf(stderr, "usage: cap_parse FILE COUNT\n");
        return 2;
    }
    len = fread(data, 1, sizeof(data), f);
    fclose(f);
    count = strtol(argv[2], NULL, 10);
    ingest_init();
    t0 = now_s();
    while (done < count && now_s() - t0 < 10.0) {
        struct warning_msg *m = NULL;
        struct sm_diag d = { 0 };
        if (warning_parse_cap(data, len, &m, &d) != SM_OK) {
            fprintf(stderr, "%s\n", d.text);
            return 1;
        }
        warning_msg_free(m);
        done++;
    }
    printf("us_per_parse %.3f parses %ld\n", (now_s() - t0) * 1e6 / (double)done, done);
    return 0;
}
