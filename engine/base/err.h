#ifndef SM_BASE_ERR_H
#define SM_BASE_ERR_H

#include "base/compat.h"

/* The one small set of result codes every module returns. */
enum sm_err {
    SM_OK = 0,
    SM_ERR_NOMEM,     /* only from libraries that cannot abort (SQLite) */
    SM_ERR_INVAL,     /* well-formed input that breaks a rule (HTTP 422) */
    SM_ERR_PARSE,     /* malformed XML, JSON, CSV or config text (HTTP 400) */
    SM_ERR_RULE,      /* a rule file that breaks a semantic check */
    SM_ERR_IO,
    SM_ERR_DB,
    SM_ERR_BUSY,      /* database locked by another writer: retry (HTTP 503) */
    SM_ERR_NOTFOUND,
    SM_ERR_CONFLICT,  /* state forbids it, e.g. a superseded order (HTTP 409) */
    SM_ERR_FORBIDDEN, /* known caller, not theirs (HTTP 403) */
    SM_ERR_LIMIT,     /* size or count limit exceeded (HTTP 413) */
    SM_ERR_TRANSIENT, /* worth retrying: timeout, 5xx, SMTP 4xx */
    SM_ERR_PERMANENT, /* not worth retrying: 4xx, SMTP 5xx */
};

const char *sm_strerror(enum sm_err e);

/* Details for a person: what, where, why. The caller owns it; NULL means
 * "don't care". `code` is a snake_case reason for machines. */
struct sm_diag {
    char source[128]; /* file path or "request body" */
    int line;         /* 1-based; 0 if unknown */
    int column;       /* 1-based; 0 if unknown */
    char code[48];
    char text[512];
};

void sm_diag_set(struct sm_diag *d, const char *code, const char *fmt, ...)
    SM_PRINTF(3, 4);
void sm_diag_at(struct sm_diag *d, int line, int column, const char *code,
                const char *fmt, ...) SM_PRINTF(5, 6);

/* "source:line:column: text" into buf (parts that are unknown are left out). */
void sm_diag_format(const struct sm_diag *d, char *buf, unsigned long cap);

#endif
