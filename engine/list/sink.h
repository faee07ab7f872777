#ifndef SM_LIST_SINK_H
#define SM_LIST_SINK_H

/* Internal to engine/list: what the three readers share. A reader pulls
 * bytes from a list_reader and pushes header and records (positional:
 * CSV, XLSX) or named fields (XML) into a list_sink, which validates,
 * reports and calls back. */

#include <stdbool.h>

#include "list/import.h"
#include "list/validate.h"

#define LIST_MAX_FIELDS 512

struct list_reader {
    list_read_fn *read;
    void *ctx;
    const unsigned char *pending; /* bytes read ahead for the format guess */
    size_t pending_len;
    size_t total, max_bytes;
    bool limit_hit, io_error;
};

/* Like read(2) over the input, enforcing max_bytes: -1 on error or when
 * the cap is hit (limit_hit tells which). */
long list_reader_read(struct list_reader *r, void *buf, size_t cap);

struct list_sink {
    const struct list_import_opts *opts;
    struct list_diags *diags;
    struct list_report *rep;
    struct list_validator val;
    list_row_fn *cb;
    void *cb_arg;
    enum sm_err cb_err;   /* the callback's failure: stop */
    bool malformed;       /* syntax error seen: the result is SM_ERR_PARSE */
    bool limited;         /* a size or count cap was hit: SM_ERR_LIMIT */
    bool has_header;
    bool header_bad;      /* a required column is missing: rows are not read */
    size_t field_count;   /* columns in the header */
    int *col_of;          /* header position -> enum list_column, or -1 */
    char **labels;        /* header position -> header text */
};

/* Positional records: the first non-blank one is the header. fields are
 * borrowed. Returns SM_OK to go on, anything else to stop reading. */
enum sm_err list_sink_record(struct list_sink *s, int line, char **fields,
                             size_t count);
/* Named fields (XML). */
enum sm_err list_sink_fields(struct list_sink *s, const struct list_fields *f);
/* borrowed: the header text of position i, or NULL */
const char *list_sink_label(const struct list_sink *s, size_t i);
/* A year found in the file: checked against the options' year. */
void list_sink_year(struct list_sink *s, int line, int year);
/* true when reading should stop (callback failure or unusable header). */
bool list_sink_stopped(const struct list_sink *s);

enum sm_err list_csv_read(struct list_reader *in, struct list_sink *s);
enum sm_err list_xml_read(struct list_reader *in, struct list_sink *s);
enum sm_err list_xlsx_read(struct list_reader *in, struct list_sink *s);

/* true when [p, p+n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF);
 * otherwise *bad is the offset of the first bad byte. */
bool list_utf8_valid(const unsigned char *p, size_t n, size_t *bad);

#endif
