/* Fuzz target: untrusted warning bytes through the CAP reader, and through
 * the sniffing entry point (CAP or JSON). Any result is fine; a crash, a
 * sanitizer report, a leak or a hang is not. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest/warning.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct warning_msg *m = NULL;
    struct sm_diag d;
    enum sm_err rc;

    ingest_init();
    memset(&d, 0, sizeof(d));
    rc = warning_parse_cap((const char *)data, size, &m, &d);
    /* the contract of the reader: a message exactly when SM_OK */
    if ((rc == SM_OK) != (m != NULL))
        __builtin_trap();
    if (m && (!m->identifier[0] || !m->sender[0] || strlen(m->sha256) != 64))
        __builtin_trap();
    warning_msg_free(m);
    m = NULL;
    rc = warning_parse(NULL, (const char *)data, size, &m, &d);
    if ((rc == SM_OK) != (m != NULL))
        __builtin_trap();
    warning_msg_free(m);
    return 0;
}
