#ifndef SM_LIST_GEN_H
#define SM_LIST_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

/* Writes a realistic synthetic yearly list as CSV with the Chinese headers
 * (and an extra 备注 column): n_lines production lines of fictional
 * enterprises with valid USCCs (region `county` or another Shanxi code),
 * town codes of `county` (Jiang County's real ones for "140826"), the
 * industry and grade mix of domain.md §7 and grade-appropriate measures that
 * meet the 10/20/30 % shares. The same seed gives the same bytes.
 * county NULL means "140826". SM_ERR_IO when writing fails. */
enum sm_err list_generate_csv(FILE *out, long n_lines, uint64_t seed,
                              const char *county);

#endif
