/* smogd: the heavy-pollution-day emergency response engine. */
#include "cli/cli.h"
#include "store/store.h"

int
main(int argc, char **argv)
{
    store_process_init();
    return cli_main(argc, argv);
}
