/* The effective-level rule: the maximum of the sources, per town. */
#include "levels/levels.h"

#include <string.h>

bool
levels_towns_contain(const char *towns, const char *code)
{
    size_t n = strlen(code);
    const char *p = towns;

    if (n == 0)
        return false;
    while ((p = strstr(p, code)) != NULL) {
        bool start = p == towns || p[-1] == ' ';
        bool end = p[n] == '\0' || p[n] == ' ';
        if (start && end)
            return true;
        p += n;
    }
    return false;
}

enum level
levels_municipal(const struct level_state *s)
{
    enum level l = LEVEL_NONE;

    for (size_t i = 0; i < s->nwarnings; i++)
        if (s->warnings[i].level > l)
            l = s->warnings[i].level;
    return l;
}

static enum level
max3(enum level a, enum level b, enum level c)
{
    enum level m = a > b ? a : b;
    return m > c ? m : c;
}

enum level
levels_effective(const struct level_state *s)
{
    return max3(levels_municipal(s), s->local, s->manual);
}

enum level
levels_for_town(const struct level_state *s, const char *town)
{
    enum level l = LEVEL_NONE;

    for (size_t i = 0; i < s->nwarnings; i++) {
        const struct level_warning *w = &s->warnings[i];
        if (w->level > l && (!w->towns[0] || levels_towns_contain(w->towns, town)))
            l = w->level;
    }
    return max3(l, s->local, s->manual);
}

bool
levels_manual_allowed(enum level municipal, enum level requested)
{
    return requested == LEVEL_NONE || requested >= municipal;
}

const char *
levels_deciding_source(const struct level_state *s)
{
    enum level e = levels_effective(s);

    if (e == LEVEL_NONE)
        return "none";
    if (levels_municipal(s) == e)
        return "municipal";
    if (s->local == e)
        return "local";
    return "manual";
}
