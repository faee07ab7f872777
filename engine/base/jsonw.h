#ifndef SM_BASE_JSONW_H
#define SM_BASE_JSONW_H

/* Writing small JSON texts straight into a buffer, for hot paths where
 * building jansson objects only to dump them costs more than the work
 * itself. The output is what json_dumps(..., JSON_COMPACT) writes for the
 * same values (UTF-8 kept, '/' not escaped, reals as %.17g with ".0"). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/compat.h"

/* Writes the decimal form of v into out (NUL-terminated); returns its length. */
size_t jsonw_fmt_int(char out[24], int64_t v);
/* Appends s as a JSON string literal with quotes. */
SM_NODISCARD bool jsonw_str(struct buf *b, const char *s);
/* Appends v as jansson writes a real (17 significant digits, ".0" when integral). */
SM_NODISCARD bool jsonw_real(struct buf *b, double v);
/* Appends the decimal form of v. */
SM_NODISCARD bool jsonw_int(struct buf *b, int64_t v);

#endif
