/* Level names in English and Chinese. */
#include "base/level.h"

#include <string.h>

const char *
level_name(enum level l)
{
    switch (l) {
    case LEVEL_NONE: return "none";
    case LEVEL_YELLOW: return "yellow";
    case LEVEL_ORANGE: return "orange";
    case LEVEL_RED: return "red";
    }
    return "none";
}

bool
level_parse(const char *s, enum level *out)
{
    static const struct { const char *name; enum level l; } names[] = {
        { "none", LEVEL_NONE }, { "yellow", LEVEL_YELLOW },
        { "orange", LEVEL_ORANGE }, { "red", LEVEL_RED },
        { "无", LEVEL_NONE }, { "黄色", LEVEL_YELLOW },
        { "橙色", LEVEL_ORANGE }, { "红色", LEVEL_RED },
        { "黄", LEVEL_YELLOW }, { "橙", LEVEL_ORANGE }, { "红", LEVEL_RED },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].l;
            return true;
        }
    return false;
}
