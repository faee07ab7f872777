#ifndef SM_RULESET_RULESET_INT_H
#define SM_RULESET_RULESET_INT_H

/* Shared between the files of engine/ruleset only. */
#include "ruleset/ruleset.h"

/* A new, zeroed ruleset with refcount 1. */
struct ruleset *ruleset_new_empty(void);
/* Frees rs and everything it owns, whatever its refcount. */
void ruleset_free(struct ruleset *rs);

#endif
