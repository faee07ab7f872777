#ifndef SM_SCENARIO_JSONPOS_H
#define SM_SCENARIO_JSONPOS_H

/* Where a value sits in JSON text, for messages that name a line. jansson
 * reports positions only for syntax errors, so this walks the (already
 * valid) text again and matches paths written as
 * "steps[3].ack.delay": object members joined with ".", array elements as
 * "[i]". Pure: no I/O. */
#include <stdbool.h>
#include <stddef.h>

/* Finds path in text; *line and *column (1-based) point at the member's
 * key for object members, at the value for array elements and the root.
 * false when the text does not hold that path (then *line = *column = 0). */
bool jsonpos_find(const char *text, size_t len, const char *path, int *line, int *column);

#endif
