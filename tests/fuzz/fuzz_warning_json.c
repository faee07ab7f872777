/* Fuzz target: untrusted JSON request bodies through the warning JSON
 * reader (the shape POST /v1/warnings takes), and through jansson with the
 * server's own flags, as every JSON endpoint parses its body. Any result
 * is fine; a crash, a sanitizer report, a leak or a hang is not. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "ingest/warning.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct warning_msg *m = NULL;
    struct sm_diag d;
    json_error_t je;
    json_t *root;
    enum sm_err rc;

    memset(&d, 0, sizeof(d));
    rc = warning_parse_json((const char *)data, size, &m, &d);
    /* the contract of the reader: a message exactly when SM_OK, and a
     * reason whenever not */
    if ((rc == SM_OK) != (m != NULL))
        __builtin_trap();
    if (rc != SM_OK && !d.text[0])
        __builtin_trap();
    if (m && (!m->identifier[0] || strlen(m->sha256) != 64))
        __builtin_trap();
    warning_msg_free(m);
    root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    json_decref(root);
    return 0;
}
