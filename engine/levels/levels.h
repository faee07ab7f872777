#ifndef SM_LEVELS_LEVELS_H
#define SM_LEVELS_LEVELS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/level.h"

/* The effective level (pure): the highest of the active municipal warnings,
 * the local trigger floor and the officer's manual floor. A warning may cover
 * only some towns; the floors are county-wide. */
struct level_warning {
    enum level level;
    const char *towns; /* space-separated 9-digit town codes; "" = county-wide */
};

struct level_state {
    const struct level_warning *warnings;
    size_t nwarnings;
    enum level local;
    enum level manual;
};

/* The highest active municipal level anywhere in the county. */
enum level levels_municipal(const struct level_state *s);
/* The county's effective level (what /v1/status shows). */
enum level levels_effective(const struct level_state *s);
/* The level that applies to enterprises in one town. */
enum level levels_for_town(const struct level_state *s, const char *town);
/* Whether a space-separated list of codes holds code. */
bool levels_towns_contain(const char *towns, const char *code);

/* An officer's manual level against the active municipal level: tightening
 * is allowed, relaxing below the city is not (`none` clears the floors and
 * is always allowed, since the city's level stays in force). */
bool levels_manual_allowed(enum level municipal, enum level requested);

/* Which source decides the effective level ("municipal", "local",
 * "manual"); the first in that order when they tie; "none" when none. */
const char *levels_deciding_source(const struct level_state *s);

#endif
