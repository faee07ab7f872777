/* Grade names in both spellings. */
#include "list/grade.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *name, *key, *alias;
} GRADES[GRADE_COUNT] = {
    [GRADE_A] = { "A", "A", "a" },
    [GRADE_B] = { "B", "B", "b" },
    [GRADE_B_MINUS] = { "B-", "B-", "b-" },
    [GRADE_C] = { "C", "C", "c" },
    [GRADE_D] = { "D", "D", "d" },
    [GRADE_LEADING] = { "引领性", "leading", "leading" },
    [GRADE_NON_LEADING] = { "非引领性", "non_leading", "non-leading" },
    [GRADE_PROTECTED] = { "保障类", "protected", "protected" },
};

bool
grade_parse(const char *s, enum grade *out)
{
    for (int g = 0; g < GRADE_COUNT; g++) {
        if (strcmp(s, GRADES[g].name) == 0 || strcmp(s, GRADES[g].key) == 0 ||
            strcasecmp(s, GRADES[g].alias) == 0) {
            *out = (enum grade)g;
            return true;
        }
    }
    return false;
}

const char *
grade_name(enum grade g)
{
    return (unsigned)g < GRADE_COUNT ? GRADES[g].name : "?";
}

const char *
grade_key(enum grade g)
{
    return (unsigned)g < GRADE_COUNT ? GRADES[g].key : "?";
}

bool
grade_allows_voluntary(enum grade g)
{
    return g == GRADE_A || g == GRADE_PROTECTED;
}
