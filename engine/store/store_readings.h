#ifndef SM_STORE_STORE_READINGS_H
#define SM_STORE_STORE_READINGS_H

/* Stations, hourly readings, local-trigger proposals and runs. Calls that
 * write must run inside a transaction. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/level.h"
#include "store/store.h"

struct station_rec {
    const char *id, *name, *kind; /* kind: "official" or "lowcost" */
    double lat, lon;
};

/* Creates or replaces a station. */
SM_NODISCARD enum sm_err store_station_put(struct store *s, const struct station_rec *st,
                                           const char *by, int64_t now_ms);

/* *kind (>= 16 bytes) gets "official" or "lowcost"; SM_ERR_NOTFOUND when
 * the station is not registered. */
SM_NODISCARD enum sm_err store_station_kind(struct store *s, const char *id, char *kind,
                                            size_t kind_size);

/* One station with its newest reading's hour (0: none) and reading count.
 * Strings are borrowed for the call only. */
typedef void store_station_fn(void *arg, const struct station_rec *st, int64_t last_at_ms,
                              int64_t readings);
/* Every station ordered by id; only `id` when id is non-NULL. */
SM_NODISCARD enum sm_err store_stations_each(struct store *s, const char *id,
                                             store_station_fn *fn, void *arg);

/* Inserts or replaces the value of (station, pollutant, hour). */
SM_NODISCARD enum sm_err store_reading_upsert(struct store *s, const char *station,
                                              const char *pollutant, int64_t at_ms, double value,
                                              const char *source, const char *by,
                                              int64_t now_ms);

/* One stored reading; strings borrowed for the call only. */
typedef void store_reading_fn(void *arg, const char *station, const char *kind,
                              const char *pollutant, int64_t at_ms, double value);
/* Readings with from_ms < at_ms <= to_ms, ordered by station; only of
 * `station` when non-NULL, only of official stations when official_only. */
SM_NODISCARD enum sm_err store_readings_each(struct store *s, int64_t from_ms, int64_t to_ms,
                                             const char *station, bool official_only,
                                             store_reading_fn *fn, void *arg);

/* Number of stored readings. */
SM_NODISCARD enum sm_err store_readings_count(struct store *s, int64_t *count);

/* ---- proposals of the local trigger ---- */
/* *id 0 when there is no open proposal for level. */
SM_NODISCARD enum sm_err store_proposal_open_find(struct store *s, enum level level,
                                                  int64_t *id);
/* Newest decision time (accepted or dismissed) of a proposal for level; 0: none. */
SM_NODISCARD enum sm_err store_proposal_last_decided(struct store *s, enum level level,
                                                     int64_t *decided_ms);
SM_NODISCARD enum sm_err store_proposal_insert(struct store *s, enum level level,
                                               const char *evidence, int64_t now_ms,
                                               int64_t *id);
/* *state (>= 16 bytes) gets open|accepted|dismissed; SM_ERR_NOTFOUND if no such id. */
SM_NODISCARD enum sm_err store_proposal_get(struct store *s, int64_t id, enum level *level,
                                            char *state, size_t state_size);
/* Moves an open proposal to state (accepted or dismissed); SM_ERR_CONFLICT
 * when it is no longer open. */
SM_NODISCARD enum sm_err store_proposal_decide(struct store *s, int64_t id, const char *state,
                                               const char *by, const char *reason,
                                               int64_t now_ms);

/* new: {"proposals": [{"id", "level", "state", "created_at", "evidence",
 * "decided_by", "decided_at", "reason"}]} newest first; state "" = any. */
SM_NODISCARD enum sm_err store_proposals_json(struct store *s, const char *state, int tz,
                                              json_t **out);

/* ---- the hour the local trigger last ran for ---- */
SM_NODISCARD enum sm_err store_trigger_run_get(struct store *s, int drill, int64_t *hour_ms);
SM_NODISCARD enum sm_err store_trigger_run_set(struct store *s, int drill, int64_t hour_ms);

#endif
