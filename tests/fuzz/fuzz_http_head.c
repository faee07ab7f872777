/* Fuzz target: untrusted bytes as an HTTP/1.x request head, fed whole and
 * byte by byte (the result must not depend on how the bytes arrive), then
 * what follows the head as a chunked body. Any result is fine; a crash, a
 * sanitizer report or a disagreement is not. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_head whole, split;
    struct sm_diag d;
    bool complete = false, complete2 = false, done;
    int status = 0, status2 = 0;
    size_t scanned = 0, scanned2 = 0;
    char *a = malloc(size + 1), *b = malloc(size + 1);
    enum sm_err e1, e2 = SM_OK;

    if (!a || !b) {
        free(a);
        free(b);
        return 0;
    }
    memcpy(a, data, size);
    memcpy(b, data, size);
    memset(&d, 0, sizeof(d));
    e1 = http_head_parse(a, size, 2048, &scanned, &whole, &complete, &status, &d);
    if (e1 != SM_OK && (!d.text[0] || status < 400))
        __builtin_trap();
    for (size_t i = 0; i <= size; i++) {
        e2 = http_head_parse(b, i, 2048, &scanned2, &split, &complete2, &status2, &d);
        if (e2 != SM_OK || complete2)
            break;
    }
    /* the same verdict, whether the bytes came at once or one by one */
    if (e1 != e2 || complete != complete2 || (e1 && status != status2))
        __builtin_trap();
    if (complete && (whole.head_len > size || whole.head_len != split.head_len))
        __builtin_trap();
    if (complete && whole.chunked) {
        struct http_chunks c = { 0 };
        char *body = a + whole.head_len;
        enum sm_err e = http_chunks_step(&c, body, size - whole.head_len, 1 << 20, &done, &d);
        if (e == SM_OK && (c.out > c.raw || c.raw > size - whole.head_len))
            __builtin_trap();
    }
    free(a);
    free(b);
    return 0;
}
