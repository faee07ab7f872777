/* The row model of the yearly list and an in-memory collection of rows. */
#include "list/row.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

const char *
list_pollutant_name(enum list_pollutant p)
{
    static const char *const names[LIST_POLLUTANT_COUNT] = { "so2", "nox",
                                                             "pm", "vocs" };
    return (unsigned)p < LIST_POLLUTANT_COUNT ? names[p] : "?";
}

void
list_row_init(struct list_row *r)
{
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < 3; i++)
        measure_init_voluntary(&r->measures[i]);
}

void
list_row_release(struct list_row *r)
{
    free(r->uscc);
    free(r->name);
    free(r->town);
    free(r->industry);
    free(r->line);
    for (int i = 0; i < 3; i++)
        measure_release(&r->measures[i]);
    for (size_t i = 0; i < r->note_count; i++) {
        free(r->notes[i].key);
        free(r->notes[i].value);
    }
    free(r->notes);
    list_row_init(r);
}

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void
list_row_copy(struct list_row *dst, const struct list_row *src)
{
    *dst = *src;
    dst->uscc = dup_or_null(src->uscc);
    dst->name = dup_or_null(src->name);
    dst->town = dup_or_null(src->town);
    dst->industry = dup_or_null(src->industry);
    dst->line = dup_or_null(src->line);
    for (int i = 0; i < 3; i++)
        measure_copy(&dst->measures[i], &src->measures[i]);
    dst->notes = NULL;
    if (src->note_count) {
        dst->notes = xcalloc(src->note_count, sizeof(*dst->notes));
        for (size_t i = 0; i < src->note_count; i++) {
            dst->notes[i].key = xstrdup(src->notes[i].key);
            dst->notes[i].value = xstrdup(src->notes[i].value);
        }
    }
}

double
list_row_emission(const struct list_row *r, enum list_pollutant p)
{
    switch (p) {
    case LIST_SO2: return r->so2;
    case LIST_NOX: return r->nox;
    case LIST_PM: return r->pm;
    case LIST_VOCS: return r->vocs;
    case LIST_POLLUTANT_COUNT: break;
    }
    return 0;
}

const struct measure *
list_row_measure(const struct list_row *r, int level)
{
    return level >= 1 && level <= 3 ? &r->measures[level - 1] : NULL;
}

void
list_doc_init(struct list_doc *d)
{
    memset(d, 0, sizeof(*d));
}

void
list_doc_release(struct list_doc *d)
{
    for (size_t i = 0; i < d->count; i++)
        list_row_release(&d->rows[i]);
    free(d->rows);
    list_doc_init(d);
}

void
list_doc_add(struct list_doc *d, const struct list_row *r)
{
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->rows = xrealloc(d->rows, d->cap * sizeof(*d->rows));
    }
    list_row_copy(&d->rows[d->count++], r);
}
