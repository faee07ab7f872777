#ifndef SM_STORE_STORE_CITYREPORT_H
#define SM_STORE_STORE_CITYREPORT_H

/* Reports to the city (table city_reports) and the rows their figures are
 * built from (engine/cityreport). */
#include <jansson.h>
#include <stdint.h>

#include "cityreport/cityreport.h"
#include "store/store.h"

/* Sets "episode", "timeline", "inspections" and "violations" of in
 * (borrowed, modified) in the shape cityreport_build_orders reads, for an
 * episode as of cutoff_ms: decisions up to the cut-off, the inspections of
 * the episode's enterprises since it opened, the latest violation
 * judgement of each enterprise's line. The orders come apart
 * (store_cityreport_orders). SM_ERR_NOTFOUND when the episode does not
 * exist. */
SM_NODISCARD enum sm_err store_cityreport_input(struct store *s, int64_t episode_id,
                                                int64_t cutoff_ms, json_t *in);

/* The industry of the first line (lowest id) of uscc in list list_id when
 * the caller already knows it (borrowed), else NULL. */
typedef const char *store_industry_fn(void *arg, int64_t list_id, const char *uscc);

/* The orders issued up to cutoff_ms in an episode, in id order, as the
 * figures read them (cityreport_build_orders); the industry is the one of
 * the enterprise's first line in the order's list: from known (may be
 * NULL) when it answers, else read per order. Structs and strings are
 * owned by out (store_cityreport_orders_release); a row costs no JSON. */
struct store_text_block;
struct store_cityreport_orders {
    struct cityreport_order *o;
    size_t n, cap;
    struct store_text_block *text;
};
SM_NODISCARD enum sm_err store_cityreport_orders(struct store *s, int64_t episode_id,
                                                 int64_t cutoff_ms, store_industry_fn *known,
                                                 void *arg,
                                                 struct store_cityreport_orders *out);
void store_cityreport_orders_release(struct store_cityreport_orders *o);

/* An episode's drill flag and opening time (the first fields of
 * store_cityreport_input). SM_ERR_NOTFOUND for an unknown id. */
SM_NODISCARD enum sm_err store_cityreport_episode(struct store *s, int64_t id, int *drill,
                                                  int64_t *opened_ms);

/* One stored report; strings owned (cityreport_rec_release). */
struct cityreport_rec {
    int64_t id, episode_id, from_ms, cutoff_ms, generated_ms, sent_ms; /* sent_ms 0: never */
    int number, drill, sends;
    char kind[16], state[8];
    char *remarks, *lessons, *actions, *json, *sha256;
};
void cityreport_rec_release(struct cityreport_rec *r);

/* Inserts a draft (id ignored; *id new). SM_ERR_CONFLICT when the episode
 * already has that kind and number or cut-off. Inside a transaction. */
SM_NODISCARD enum sm_err store_cityreport_insert(struct store *s, const struct cityreport_rec *r,
                                                 int64_t *id);
/* SM_ERR_NOTFOUND for an unknown id. */
SM_NODISCARD enum sm_err store_cityreport_get(struct store *s, int64_t id,
                                              struct cityreport_rec *out);
/* Replaces the content (json, sha256, generated_ms) and the officers'
 * fields (remarks, lessons, actions) of r->id. */
SM_NODISCARD enum sm_err store_cityreport_update(struct store *s, const struct cityreport_rec *r);
/* Marks a report sent at sent_ms as its sends-th version. */
SM_NODISCARD enum sm_err store_cityreport_mark_sent(struct store *s, int64_t id, int64_t sent_ms,
                                                    int sends);
/* The highest number of an episode's reports of a kind and that report's
 * cut-off; both 0 when there is none. */
SM_NODISCARD enum sm_err store_cityreport_last(struct store *s, int64_t episode_id,
                                               const char *kind, int *number,
                                               int64_t *cutoff_ms);
/* The open episodes (real and drill): id, drill, opened_ms. */
typedef void store_cityreport_episode_fn(void *arg, int64_t id, int drill, int64_t opened_ms);
SM_NODISCARD enum sm_err store_cityreport_open_episodes(struct store *s,
                                                        store_cityreport_episode_fn *fn,
                                                        void *arg);
/* Ids of daily drafts whose cut-off is at or before now_ms, oldest first. */
typedef void store_cityreport_id_fn(void *arg, int64_t id);
SM_NODISCARD enum sm_err store_cityreport_drafts_due(struct store *s, int64_t now_ms,
                                                     store_cityreport_id_fn *fn, void *arg);
/* new: {"reports": [metadata...], "total"} newest first; episode_id 0 and
 * kind NULL mean any. Metadata: {"id", "episode_id", "kind", "number",
 * "drill", "cutoff", "generated_at", "state", "sent_at", "sends",
 * "sha256"}. */
SM_NODISCARD enum sm_err store_cityreport_list_json(struct store *s, int64_t episode_id,
                                                    const char *kind, int limit, int offset,
                                                    int tz, json_t **out);
/* new: the metadata of r (as in the list). */
json_t *store_cityreport_meta_json(const struct cityreport_rec *r, int tz);

#endif
