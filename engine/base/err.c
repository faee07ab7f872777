/* Result codes and human diagnostics shared by every module. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
sm_strerror(enum sm_err e)
{
    switch (e) {
    case SM_OK: return "ok";
    case SM_ERR_NOMEM: return "out of memory";
    case SM_ERR_INVAL: return "invalid input";
    case SM_ERR_PARSE: return "malformed input";
    case SM_ERR_RULE: return "invalid rule";
    case SM_ERR_IO: return "i/o error";
    case SM_ERR_DB: return "database error";
    case SM_ERR_BUSY: return "database busy";
    case SM_ERR_NOTFOUND: return "not found";
    case SM_ERR_CONFLICT: return "conflict";
    case SM_ERR_FORBIDDEN: return "forbidden";
    case SM_ERR_LIMIT: return "limit exceeded";
    case SM_ERR_TRANSIENT: return "temporary failure";
    case SM_ERR_PERMANENT: return "permanent failure";
    }
    return "unknown error";
}

static void
diag_vset(struct sm_diag *d, const char *code, const char *fmt, va_list ap)
{
    snprintf(d->code, sizeof(d->code), "%s", code ? code : "");
    vsnprintf(d->text, sizeof(d->text), fmt, ap);
}

void
sm_diag_set(struct sm_diag *d, const char *code, const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return;
    va_start(ap, fmt);
    diag_vset(d, code, fmt, ap);
    va_end(ap);
}

void
sm_diag_at(struct sm_diag *d, int line, int column, const char *code,
           const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return;
    d->line = line;
    d->column = column;
    va_start(ap, fmt);
    diag_vset(d, code, fmt, ap);
    va_end(ap);
}

void
sm_diag_format(const struct sm_diag *d, char *buf, unsigned long cap)
{
    size_t n = 0;

    buf[0] = '\0';
    if (d->source[0])
        n += (size_t)snprintf(buf + n, cap - n, "%s:", d->source);
    if (d->line > 0 && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%d:", d->line);
    if (d->column > 0 && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%d:", d->column);
    if (n < cap)
        snprintf(buf + n, cap - n, "%s%s", n ? " " : "", d->text);
}
