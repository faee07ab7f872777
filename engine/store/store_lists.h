#ifndef SM_STORE_STORE_LISTS_H
#define SM_STORE_STORE_LISTS_H

/* Yearly list versions and their lines. Writes run inside the caller's
 * transaction, so a rejected import leaves nothing behind. */
#include <jansson.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_orders.h"

/* Creates the next version of a year's list; *version is 1 for a year's
 * first import. */
SM_NODISCARD enum sm_err store_list_create(struct store *s, int year, const char *source,
                                           const char *sha256, const char *by, int64_t now_ms,
                                           int64_t *list_id, int *version);
/* Adds one line (see struct list_line_view; notes is a JSON object text). */
SM_NODISCARD enum sm_err store_list_add_line(struct store *s, int64_t list_id,
                                             const struct list_line_view *l, const char *notes,
                                             int source_line);
SM_NODISCARD enum sm_err store_list_finish(struct store *s, int64_t list_id, int64_t lines,
                                           int64_t enterprises, const char *report_json);
/* Makes list_id the one active list. SM_ERR_NOTFOUND if it does not exist. */
SM_NODISCARD enum sm_err store_list_activate(struct store *s, int64_t list_id, int64_t now_ms);

/* new: {"lists": [...]} newest first / one list with its report */
SM_NODISCARD enum sm_err store_lists_json(struct store *s, int tz, json_t **out);
SM_NODISCARD enum sm_err store_list_json(struct store *s, int64_t id, int tz, json_t **out);

#endif
