#ifndef SM_STORE_STORE_VIEWS_H
#define SM_STORE_STORE_VIEWS_H

/* Read-only views built straight from rows as jansson objects (new). */
#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

SM_NODISCARD enum sm_err store_warnings_json(struct store *s, int limit, int offset, int tz,
                                             json_t **out);
/* One warning with its original text and its update/cancel chain. */
SM_NODISCARD enum sm_err store_warning_json(struct store *s, int64_t id, int tz, json_t **out);
/* The episode: level timeline, order and acknowledgement figures. */
SM_NODISCARD enum sm_err store_episode_json(struct store *s, int64_t id, int64_t now_ms, int tz,
                                            json_t **out);

#endif
