/* Feeds arbitrary bytes to the rule-file parser: it must reject or accept
 * without crashing, leaking or reading out of bounds, and an accepted file
 * must leave a diag untouched. */
#include <stdint.h>
#include <string.h>

#include "ruleset/ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_diag diag;
    char msg[1024];

    memset(&diag, 0, sizeof(diag));
    if (ruleset_check_buffer("fuzz.json", (const char *)data, size, &diag) !=
        SM_OK)
        sm_diag_format(&diag, msg, sizeof(msg));
    return 0;
}
