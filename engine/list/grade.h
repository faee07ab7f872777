#ifndef SM_LIST_GRADE_H
#define SM_LIST_GRADE_H

#include <stdbool.h>

/* Performance grades of the yearly list (绩效分级, domain.md §1, §4). */
enum grade {
    GRADE_A,
    GRADE_B,
    GRADE_B_MINUS,
    GRADE_C,
    GRADE_D,
    GRADE_LEADING,     /* 引领性 */
    GRADE_NON_LEADING, /* 非引领性 */
    GRADE_PROTECTED,   /* 保障类 */
    GRADE_COUNT
};

/* "A", "B", "B-", "C", "D", "引领性", "非引领性", "保障类" (also the English
 * "leading", "non-leading", "protected"); false when unknown. */
bool grade_parse(const char *s, enum grade *out);
/* The list's spelling: "A" ... "保障类". */
const char *grade_name(enum grade g);
/* Machine key for JSON: "A", "B", "B-", "C", "D", "leading", "non_leading", "protected". */
const char *grade_key(enum grade g);
/* Grades whose rows may take voluntary (自主减排) measures at every level:
 * A and 保障类. */
bool grade_allows_voluntary(enum grade g);

#endif
