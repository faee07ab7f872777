/* Capped growable buffer. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void
buf_init(struct buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

void
buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b, b->limit);
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static bool
buf_grow(struct buf *b, size_t extra)
{
    size_t need;

    if (b->limit && (extra > b->limit || b->len > b->limit - extra))
        return false;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap *= 2;
    b->data = xrealloc(b->data, ncap);
    b->cap = ncap;
    return true;
}

void
buf_reserve(struct buf *b, size_t n)
{
    (void)!buf_grow(b, n);
}

bool
buf_add_grow(struct buf *b, const void *p, size_t n)
{
    if (!buf_grow(b, n))
        return false;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool
buf_addstr(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

bool
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_grow(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

char *
buf_detach(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");

    buf_init(b, b->limit);
    return p;
}
