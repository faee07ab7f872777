#ifndef SM_BASE_BUF_H
#define SM_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/compat.h"

/* A growable byte buffer with a hard cap (input size is an attack surface).
 * data is always NUL-terminated. */
struct buf {
    char *data;
    size_t len;
    size_t cap;   /* allocated */
    size_t limit; /* hard cap on len; 0 = unlimited */
};

void buf_init(struct buf *b, size_t limit);
void buf_release(struct buf *b);
/* false (and unchanged) when the cap would be exceeded; inline while the
 * bytes fit (JSON writers append a few bytes at a time) */
SM_NODISCARD bool buf_add_grow(struct buf *b, const void *p, size_t n);
SM_NODISCARD static inline bool
buf_add(struct buf *b, const void *p, size_t n)
{
    /* n < cap - len: room for the bytes and the NUL, and len + n cannot wrap
     * (no data: cap is 0, said again for the analyser) */
    if (!b->data || n >= b->cap - b->len || (b->limit && b->len + n > b->limit))
        return buf_add_grow(b, p, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}
/* makes room for n more bytes now (one allocation for a text whose usual
 * size is known); a hint: nothing when n passes the cap */
void buf_reserve(struct buf *b, size_t n);
SM_NODISCARD bool buf_addstr(struct buf *b, const char *s);
/* Appends len bytes of src to dst[*n..cap), cut at cap (a fixed line). */
static inline void
buf_put_cut(char *dst, size_t cap, size_t *n, const void *src, size_t len)
{
    if (len > cap - *n)
        len = cap - *n;
    memcpy(dst + *n, src, len);
    *n += len;
}
/* buf_addstr for a string literal: its length is known when compiling */
#define buf_addlit(b, lit) buf_add((b), "" lit, sizeof(lit) - 1)
SM_NODISCARD bool buf_printf(struct buf *b, const char *fmt, ...) SM_PRINTF(2, 3);
void buf_reset(struct buf *b);
/* new: hands the string to the caller and re-initialises b */
char *buf_detach(struct buf *b);

#endif
