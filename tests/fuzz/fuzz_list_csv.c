/* Fuzz target: the list import's CSV path (quoting, UTF-8, header mapping,
 * every row rule) over arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "list/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct list_import_opts o;
    struct list_report rep;
    struct list_diags d;

    list_import_opts_init(&o);
    o.county = "140826";
    o.format = LIST_FORMAT_CSV;
    o.max_listed = 50;
    (void)list_import_memory(data, size, "fuzz.csv", &o, NULL, NULL, &rep, &d);
    list_report_release(&rep);
    list_diags_release(&d);
    return 0;
}
