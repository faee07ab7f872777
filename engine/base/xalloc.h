#ifndef SM_BASE_XALLOC_H
#define SM_BASE_XALLOC_H

#include <stddef.h>

/* Allocation that aborts on out-of-memory (as Redis and git do): callers
 * never check for NULL. Input sizes are capped elsewhere. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* new: a printf-formatted string */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
