/* Reference for CAP ingest: bare xmlReadMemory of a file (no network, no
 * entity substitution), in a loop bounded by count and time. Not part of
 * smogd. usage: cap_bare FILE COUNT   (prints "us_per_parse U") */
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
        fprintf(stderr, "usage: cap_bare FILE COUNT\n");
        return 2;
    }
    len = fread(data, 1, sizeof(data), f);
    fclose(f);
    count = strtol(argv[2], NULL, 10);
    xmlInitParser();
    t0 = now_s();
    while (done < count && now_s() - t0 < 10.0) {
        xmlDocPtr doc = xmlReadMemory(data, (int)len, "cap.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc)
            return 1;
        xmlFreeDoc(doc);
        done++;
    }
    printf("us_per_parse %.3f parses %ld\n", (now_s() - t0) * 1e6 / (double)done, done);
    return 0;
}
