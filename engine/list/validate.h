#ifndef SM_LIST_VALIDATE_H
#define SM_LIST_VALIDATE_H

#include <stdbool.h>

#include "list/columns.h"
#include "list/diags.h"
#include "list/row.h"
#include "list/strmap.h"

/* The raw text of one row, as a reader found it. */
struct list_fields {
    int line;                              /* 1-based source line or sheet row */
    const char *value[LIST_COL_COUNT];     /* NULL: column absent */
    const char *label[LIST_COL_COUNT];     /* the header as written, for messages */
    const struct list_note *notes;         /* extra columns, borrowed */
    size_t note_count;
};

/* Rules across rows: one name per USCC, line unique within an enterprise. */
struct list_validator {
    char county[16];           /* "140826"; "" accepts any 9-digit town code */
    const struct measure_rules *measures; /* the words of a measure (borrowed) */
    struct ruleset *own_rules; /* the defaults when none were given, else NULL */
    struct list_strmap names;  /* uscc -> first name (first_line) */
    struct list_strmap lines;  /* "uscc\x1fline" -> first_line */
};

/* county may be NULL or "" (no county check). measures (borrowed, must
 * outlive v) is what rules/measures.json loaded; NULL: the built-in
 * defaults (ruleset_default). */
void list_validator_init(struct list_validator *v, const char *county,
                         const struct measure_rules *measures);
void list_validator_release(struct list_validator *v);

/* Converts f into *row (initialised by the caller with list_row_init; owned
 * by the caller afterwards, also on failure) and applies every rule of
 * engine/list/README.md: errors and warnings go to d, each at f->line and
 * the offending column. true when the row has no error. */
bool list_validate_row(struct list_validator *v, const struct list_fields *f,
                       struct list_row *row, struct list_diags *d);

/* Parses a finite decimal number, blanks around it allowed (no hex, inf
 * or nan); false when `s` is not one. The sign is the caller's rule. */
bool list_parse_number(const char *s, double *out);

#endif
