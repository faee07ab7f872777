#ifndef SM_LIST_IMPORT_H
#define SM_LIST_IMPORT_H

#include <stddef.h>

#include "base/err.h"
#include "list/diags.h"
#include "list/report.h"
#include "list/row.h"

/* Importing a yearly emission-reduction list (contract §5): CSV, XML or
 * XLSX, read as a stream; every row is validated, added to the report and
 * handed to a callback, so a province-sized list (100,000 lines) never sits
 * in memory. See engine/list/README.md for formats and rules. */

enum list_format {
    LIST_FORMAT_AUTO, /* by file extension, else by content */
    LIST_FORMAT_CSV,
    LIST_FORMAT_XML,
    LIST_FORMAT_XLSX,
};

struct list_import_opts {
    const char *county;      /* "140826": towns must be 9 digits starting with it; NULL: any */
    int year;                /* the list's year; 0: none (the XML may carry one) */
    enum list_format format;
    struct list_required_shares required; /* per level, percent */
    const struct measure_rules *measures; /* borrowed: rules/measures.json; NULL: built-in defaults */
    size_t max_bytes;        /* whole input */
    size_t max_part_bytes;   /* each XLSX part, uncompressed (zip bombs) */
    size_t max_listed;       /* errors (and warnings) listed; more are counted */
};

#define LIST_IMPORT_MAX_BYTES      (512u << 20)
#define LIST_IMPORT_MAX_PART_BYTES (256u << 20)

/* Defaults: no county check, no year, AUTO, 10/20/30 %, the caps above,
 * 1000 listed diagnostics. */
void list_import_opts_init(struct list_import_opts *o);

/* Called once per row that passed validation; the row is borrowed for the
 * call (list_row_copy to keep it). A return other than SM_OK stops the
 * import, which then returns that code. */
typedef enum sm_err list_row_fn(void *arg, const struct list_row *row);

/* Pulls up to cap bytes into buf: the count, 0 at the end, -1 on error. */
typedef long list_read_fn(void *ctx, void *buf, size_t cap);

/* Imports the list at `path` (the only function of the module that touches
 * the file system). rep and diags are initialised by the call (rep with
 * o->required, diags with path as source) and must be released by the
 * caller with list_report_release / list_diags_release whatever the result.
 * o NULL means the defaults; cb may be NULL.
 * Returns SM_OK when the list has no error (warnings may exist: see
 * diags->warning_total; a list missing a required share is importable, see
 * list_report_all_pass), SM_ERR_INVAL when rows break rules, SM_ERR_PARSE
 * when the file is malformed (broken quoting, invalid UTF-8, XML not
 * well-formed, not a workbook), SM_ERR_LIMIT when a size cap is hit,
 * SM_ERR_IO when it cannot be read, or the callback's error. In every
 * failing case all errors found are in diags; the callback may already
 * have seen rows, so the caller must discard them (one transaction). */
enum sm_err list_import_file(const char *path,
                             const struct list_import_opts *o,
                             list_row_fn *cb, void *arg,
                             struct list_report *rep,
                             struct list_diags *diags);

/* The same for a list in memory (an HTTP body, a test); `name` is used for
 * the format guess (extension) and in messages. */
enum sm_err list_import_memory(const void *data, size_t len, const char *name,
                               const struct list_import_opts *o,
                               list_row_fn *cb, void *arg,
                               struct list_report *rep,
                               struct list_diags *diags);

/* The same over any byte stream. */
enum sm_err list_import_stream(list_read_fn *read, void *ctx,
                               const char *name,
                               const struct list_import_opts *o,
                               list_row_fn *cb, void *arg,
                               struct list_report *rep,
                               struct list_diags *diags);

/* A list_row_fn that appends a copy of every row to the struct list_doc
 * passed as arg. */
enum sm_err list_doc_collect(void *arg, const struct list_row *row);

#endif
