#ifndef SM_LIST_USCC_H
#define SM_LIST_USCC_H

#include <stdbool.h>

#include "base/err.h"

/* Unified social credit codes (统一社会信用代码, GB 32100-2015): 18
 * characters from "0123456789ABCDEFGHJKLMNPQRTUWXY"; positions 3-8 are the
 * registering region's GB/T 2260 code; the 18th is a check character. */

#define USCC_LEN 18

/* true when `code` is exactly 18 characters of the alphabet, its region
 * (positions 3-8) is six digits and its check character is right. On false,
 * diag (may be NULL) gets code uscc_length, uscc_character, uscc_region or
 * uscc_checksum and a sentence naming the problem (column = 1-based
 * character position where it makes sense). */
bool uscc_valid(const char *code, struct sm_diag *diag);

/* The check character for the first 17 characters of `code17` (which must
 * all be in the alphabet); '\0' when one is not. */
char uscc_check_char(const char *code17);

/* Copies positions 3-8 (the registration region) into region[7]. */
void uscc_region(const char *code, char region[7]);

#endif
