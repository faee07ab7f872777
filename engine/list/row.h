#ifndef SM_LIST_ROW_H
#define SM_LIST_ROW_H

#include <stddef.h>

#include "list/grade.h"
#include "list/measure.h"

/* One production line of the yearly emission-reduction list (contract §5). */

/* Pollutants of the list, in column order. */
enum list_pollutant {
    LIST_SO2,
    LIST_NOX,
    LIST_PM,
    LIST_VOCS,
    LIST_POLLUTANT_COUNT
};

/* "so2", "nox", "pm", "vocs" */
const char *list_pollutant_name(enum list_pollutant p);

/* A column the file carried beyond the contract's ones, kept verbatim. */
struct list_note {
    char *key;   /* the header as written */
    char *value;
};

struct list_row {
    char *uscc;
    char *name;
    char *town;     /* 9-digit town code */
    char *industry;
    enum grade grade;
    char *line;     /* production line or process, unique within the enterprise */
    double so2, nox, pm, vocs; /* baseline emissions, kg/day */
    double power_kw;           /* normal electric load, kW */
    struct measure measures[3]; /* [0] yellow, [1] orange, [2] red */
    struct list_note *notes;
    size_t note_count;
    int source_line; /* 1-based line (CSV, XML) or sheet row (XLSX) */
};

void list_row_init(struct list_row *r);
void list_row_release(struct list_row *r);
/* Deep copy of src into dst (dst need not be initialised). */
void list_row_copy(struct list_row *dst, const struct list_row *src);
/* The baseline of one pollutant. */
double list_row_emission(const struct list_row *r, enum list_pollutant p);
/* The measure at yellow, orange or red (level 1..3); borrowed. */
const struct measure *list_row_measure(const struct list_row *r, int level);

/* A whole list in memory, for small lists and tests (the import itself
 * streams; see list_doc_collect). */
struct list_doc {
    struct list_row *rows;
    size_t count, cap;
    int year; /* 0 when the file and the options name none */
};

void list_doc_init(struct list_doc *d);
void list_doc_release(struct list_doc *d);
/* Appends a deep copy of r. */
void list_doc_add(struct list_doc *d, const struct list_row *r);

#endif
