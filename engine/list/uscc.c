/* USCC checksum per GB 32100-2015: weights 3^i mod 31 over the first 17
 * characters, check value (31 - sum mod 31) mod 31. */
#include "list/uscc.h"

#include <string.h>

static const char USCC_ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int USCC_WEIGHTS[17] = { 1,  3,  9,  27, 19, 26, 16, 17, 20,
                                      29, 25, 13, 8,  24, 10, 30, 28 };

/* value 0..30, or -1 when the character is not in the alphabet */
static int
uscc_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(USCC_ALPHABET, c);
    return p ? (int)(p - USCC_ALPHABET) : -1;
}

char
uscc_check_char(const char *code17)
{
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        int v = uscc_value(code17[i]);
        if (v < 0)
            return '\0';
        sum += v * USCC_WEIGHTS[i];
    }
    return USCC_ALPHABET[(31 - sum % 31) % 31];
}

void
uscc_region(const char *code, char region[7])
{
    size_t n = strlen(code);

    region[0] = '\0';
    if (n >= 8) {
        memcpy(region, code + 2, 6);
        region[6] = '\0';
    }
}

bool
uscc_valid(const char *code, struct sm_diag *diag)
{
    size_t n = strlen(code);
    char region[7];
    char want;

    if (n != USCC_LEN) {
        sm_diag_at(diag, 0, 0, "uscc_length",
                   "a unified social credit code has 18 characters, \"%s\" has %zu",
                   code, n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (uscc_value(code[i]) < 0) {
            sm_diag_at(diag, 0, (int)i + 1, "uscc_character",
                       "character %zu of \"%s\" is not one of 0-9 A-H J-N P-R T U W X Y",
                       i + 1, code);
            return false;
        }
    }
    uscc_region(code, region);
    for (int i = 0; i < 6; i++) {
        if (region[i] < '0' || region[i] > '9') {
            sm_diag_at(diag, 0, 3 + i, "uscc_region",
                       "registration region \"%s\" (characters 3-8 of \"%s\") is not a 6-digit code",
                       region, code);
            return false;
        }
    }
    want = uscc_check_char(code);
    if (want != code[17]) {
        sm_diag_at(diag, 0, 18, "uscc_checksum",
                   "check character of \"%s\" is '%c', expected '%c' (GB 32100-2015)",
                   code, code[17], want);
        return false;
    }
    return true;
}
