/* Collected diagnostics of an import: a rejected list shows every problem
 * at once, not one per attempt. */
#include "list/diags.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void
list_diags_init(struct list_diags *d, const char *source, size_t max_listed)
{
    memset(d, 0, sizeof(*d));
    d->source = xstrdup(source ? source : "");
    d->max_listed = max_listed ? max_listed : LIST_DIAGS_MAX_LISTED;
}

static void
release_all(struct list_diag *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].column);
        free(v[i].text);
    }
    free(v);
}

void
list_diags_release(struct list_diags *d)
{
    free(d->source);
    release_all(d->errors, d->error_count);
    release_all(d->warnings, d->warning_count);
    memset(d, 0, sizeof(*d));
}

static void
add(struct list_diags *d, struct list_diag **v, size_t *count, size_t *total,
    int line, const char *column, const char *code, const char *fmt,
    va_list ap)
{
    struct list_diag *e;
    char text[768];

    (*total)++;
    if (*count >= d->max_listed)
        return;
    /* grow in powers of two */
    if ((*count & (*count - 1)) == 0)
        *v = xrealloc(*v, (*count ? *count * 2 : 1) * sizeof(**v));
    e = &(*v)[(*count)++];
    e->line = line;
    e->column = column ? xstrdup(column) : NULL;
    snprintf(e->code, sizeof(e->code), "%s", code);
    vsnprintf(text, sizeof(text), fmt, ap);
    e->text = xstrdup(text);
}

void
list_diags_error(struct list_diags *d, int line, const char *column,
                 const char *code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add(d, &d->errors, &d->error_count, &d->error_total, line, column, code,
        fmt, ap);
    va_end(ap);
}

void
list_diags_warning(struct list_diags *d, int line, const char *column,
                   const char *code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add(d, &d->warnings, &d->warning_count, &d->warning_total, line, column,
        code, fmt, ap);
    va_end(ap);
}

char *
list_diags_format(const struct list_diags *d, const struct list_diag *e,
                  char *buf, size_t cap)
{
    char line[24] = "";

    if (e->line > 0)
        snprintf(line, sizeof(line), "%d:", e->line);
    snprintf(buf, cap, "%s:%s %s%s%s", d->source, line,
             e->column ? e->column : "", e->column ? ": " : "", e->text);
    return buf;
}
