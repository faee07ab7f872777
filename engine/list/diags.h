#ifndef SM_LIST_DIAGS_H
#define SM_LIST_DIAGS_H

#include <stddef.h>

#include "base/compat.h"

/* Every error and warning of one import, each rendered as
 * "file:line: column: message". All are counted; the first `max_listed` of
 * each kind are kept with their text. */
struct list_diag {
    int line;      /* 1-based; 0 for the whole file */
    char *column;  /* the column as the file names it, or NULL */
    char code[48]; /* snake_case reason */
    char *text;
};

struct list_diags {
    char *source; /* the file name shown in front of each message */
    struct list_diag *errors, *warnings;
    size_t error_count, warning_count;   /* listed */
    size_t error_total, warning_total;   /* seen (may exceed max_listed) */
    size_t max_listed;
};

#define LIST_DIAGS_MAX_LISTED 1000

/* source is copied; max_listed 0 means LIST_DIAGS_MAX_LISTED. */
void list_diags_init(struct list_diags *d, const char *source,
                     size_t max_listed);
void list_diags_release(struct list_diags *d);
void list_diags_error(struct list_diags *d, int line, const char *column,
                      const char *code, const char *fmt, ...) SM_PRINTF(5, 6);
void list_diags_warning(struct list_diags *d, int line, const char *column,
                        const char *code, const char *fmt, ...)
    SM_PRINTF(5, 6);
/* "source:line: column: text" into buf (an unknown line or column is left
 * out); returns buf. */
char *list_diags_format(const struct list_diags *d, const struct list_diag *e,
                        char *buf, size_t cap);

#endif
