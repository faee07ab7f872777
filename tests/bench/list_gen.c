/* Writes a synthetic yearly list of N lines (CSV) with the engine's own
 * generator. usage: list_gen N SEED > list.csv */
#include <stdio.h>
#include <stdlib.h>

#include "list/gen.h"

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: list_gen N SEED\n");
        return 2;
    }
    return list_generate_csv(stdout, strtol(argv[1], NULL, 10),
                             (uint64_t)strtoull(argv[2], NULL, 10), NULL) == SM_OK ? 0 : 1;
}
