#ifndef SM_LIST_MEASURE_H
#define SM_LIST_MEASURE_H

#include <stdbool.h>

#include "base/err.h"
#include "ruleset/ruleset.h"

/* A list row's measure at one level (contract §5). Its words and what each
 * removes come from rules/measures.json (struct measure_rules); bundled:
 *   停产 | halt                    stop the line (100 % reduction)
 *   限产N% | limit N%              cut output by N %, 0 < N < 100, at most one decimal
 *   自主减排 | voluntary           voluntary reduction (counts 0 %)
 * each optionally followed by free text after ';' or the full-width '；'.
 * An action that takes N (limit, or one added with "reduction":
 * "limit_pct") is written NAME N%; any other is its name alone. A name is matched ignoring ASCII case. */
#define MEASURE_NAME_MAX 65 /* a rule's name (1..64 bytes) + NUL */

struct measure {
    char action[RULESET_ACTION_KEY_MAX]; /* the rule's key: "halt", "limit", "voluntary" or an added one */
    char name[MEASURE_NAME_MAX];         /* the action's canonical name (its first): "停产" */
    bool takes_pct;                      /* written with N% (limit or an added one) */
    double limit_pct;                    /* takes_pct only; 0 otherwise */
    double reduction_pct;                /* share of the line's emissions removed */
    char *text;                          /* owned free text after the separator, or NULL */
};

/* Parses `s` under the actions of rules (borrowed) into *out (which owns
 * its text afterwards; release with measure_release). SM_ERR_INVAL with
 * diag code measure_syntax or measure_range, and a message naming the
 * words rules allow, when `s` is not in the grammar; *out is then
 * untouched. */
enum sm_err measure_parse(const char *s, const struct measure_rules *rules,
                          struct measure *out, struct sm_diag *diag);

/* The bundled "voluntary" measure (what a fresh row holds). */
void measure_init_voluntary(struct measure *m);
void measure_release(struct measure *m);
/* Deep copy of src into dst. */
void measure_copy(struct measure *dst, const struct measure *src);

/* The share of the line's emissions the measure removes, in percent:
 * the N of a limit, else the action's reduction_pct (halt 100, voluntary 0). */
double measure_reduction_pct(const struct measure *m);

/* The canonical form into buf: the action's first name, N% when it takes
 * one ("停产", "限产30%", "限产12.5%", "自主减排"), plus "；text" when there
 * is text. Returns buf. */
char *measure_format(const struct measure *m, char *buf, unsigned long cap);

#endif
