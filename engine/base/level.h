#ifndef SM_BASE_LEVEL_H
#define SM_BASE_LEVEL_H

#include <stdbool.h>

/* Response levels, ordered: none < yellow < orange < red (III, II, I). */
enum level {
    LEVEL_NONE = 0,
    LEVEL_YELLOW = 1,
    LEVEL_ORANGE = 2,
    LEVEL_RED = 3,
};

const char *level_name(enum level l);
/* "none|yellow|orange|red" and 黄色/橙色/红色 (also 无); false when unknown */
bool level_parse(const char *s, enum level *out);

#endif
