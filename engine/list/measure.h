#ifndef SM_LIST_MEASURE_H
#define SM_LIST_MEASURE_H

#include "base/err.h"

/* A list row's measure at one level (contract §5):
 *   停产 | halt                    stop the line (100 % reduction)
 *   限产N% | limit N%              cut output by N %, 0 < N < 100, at most one decimal
 *   自主减排 | voluntary           voluntary reduction (counts 0 %)
 * each optionally followed by free text after ';' or the full-width '；'. */
struct measure {
    enum measure_action {
        MEASURE_HALT,
        MEASURE_LIMIT,
        MEASURE_VOLUNTARY,
    } action;
    double limit_pct; /* MEASURE_LIMIT only; 0 otherwise */
    char *text;       /* owned free text after the separator, or NULL */
};

/* Parses `s` into *out (which owns its text afterwards; release with
 * measure_release). SM_ERR_INVAL with diag code measure_syntax or
 * measure_range when `s` is not in the grammar; *out is then untouched. */
enum sm_err measure_parse(const char *s, struct measure *out,
                          struct sm_diag *diag);

void measure_release(struct measure *m);
/* Deep copy of src into dst. */
void measure_copy(struct measure *dst, const struct measure *src);

/* The share of the line's emissions the measure removes, in percent:
 * halt 100, limit N, voluntary 0. */
double measure_reduction_pct(const struct measure *m);

/* "halt", "limit", "voluntary" (the contract's order action names). */
const char *measure_action_name(enum measure_action a);

/* The canonical Chinese form into buf: "停产", "限产30%", "限产12.5%",
 * "自主减排", plus "；text" when there is text. Returns buf. */
char *measure_format(const struct measure *m, char *buf, unsigned long cap);

#endif
