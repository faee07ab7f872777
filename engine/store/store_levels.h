#ifndef SM_STORE_STORE_LEVELS_H
#define SM_STORE_STORE_LEVELS_H

/* Warnings, floors, episodes and decisions. Calls that write must run
 * inside a transaction. */
#include <stddef.h>
#include <stdint.h>

#include "base/level.h"
#include "store/store.h"

struct warning_rec {
    const char *sender, *identifier, *msg_type, *status;
    int64_t sent_ms;
    int drill;
    enum level level;
    const char *pollutant;
    int64_t start_ms, expires_ms; /* expires 0 = none */
    const char *areas, *towns, *headline, *description, *forecast, *format;
    const char *original;
    size_t original_len;
    const char *sha256;
    int applied;
    const char *reason, *state, *references;
    int64_t received_ms;
    const char *received_by;
};

/* *id = 0 when (sender, identifier) is new. */
SM_NODISCARD enum sm_err store_warning_find(struct store *s, const char *sender,
                                            const char *identifier, int64_t *id);
/* A warning by identifier (and sender when non-empty) for references; *id 0 if unknown. */
SM_NODISCARD enum sm_err store_warning_find_ref(struct store *s, const char *sender,
                                                const char *identifier, int64_t *id,
                                                int *drill);
SM_NODISCARD enum sm_err store_warning_insert(struct store *s, const struct warning_rec *w,
                                              int64_t *id);
/* Ends a scheduled or active warning: state replaced|cancelled|expired. */
SM_NODISCARD enum sm_err store_warning_end(struct store *s, int64_t id, const char *state,
                                           int64_t ended_ms, int64_t replaced_by);
SM_NODISCARD enum sm_err store_warning_activate(struct store *s, int64_t id);
/* "identifier headline" of a warning for decision reasons; "" if unknown. */
SM_NODISCARD enum sm_err store_warning_label(struct store *s, int64_t id, char *out, size_t cap);
/* An update whose onset is still ahead: the warning it references stays in
 * force, marked as replaced by new_id from that onset on. */
SM_NODISCARD enum sm_err store_warning_mark_replaced(struct store *s, int64_t id, int64_t new_id);
/* At new_id's onset: ends every warning still in force that it replaces. */
SM_NODISCARD enum sm_err store_warnings_end_replaced(struct store *s, int64_t new_id,
                                                     int64_t now_ms);

typedef void store_warning_level_fn(void *arg, int64_t id, enum level level,
                                    const char *towns);
/* Active warnings of one context (drill or real). */
SM_NODISCARD enum sm_err store_warnings_active(struct store *s, int drill,
                                               store_warning_level_fn *fn, void *arg);
typedef void store_warning_due_fn(void *arg, int64_t id, int drill, const char *what);
/* Scheduled warnings whose start has come ("start") and active ones whose
 * expiry has passed ("expire"). */
SM_NODISCARD enum sm_err store_warnings_due(struct store *s, int64_t now_ms,
                                            store_warning_due_fn *fn, void *arg);
/* The earliest future start or expiry after now; 0 when none. */
SM_NODISCARD enum sm_err store_warnings_next_due(struct store *s, int64_t *at_ms);

/* Floors: level NONE when unset. */
SM_NODISCARD enum sm_err store_floor_get(struct store *s, int drill, const char *kind,
                                         enum level *level);
SM_NODISCARD enum sm_err store_floor_set(struct store *s, int drill, const char *kind,
                                         enum level level, const char *reason,
                                         const char *by, int64_t now_ms);

/* The open episode of a context: *id 0 when none; *level its current level. */
SM_NODISCARD enum sm_err store_episode_current(struct store *s, int drill, int64_t *id,
                                               enum level *level, int64_t *since_ms);
SM_NODISCARD enum sm_err store_episode_open(struct store *s, int drill, int64_t now_ms,
                                            enum level level, int64_t *id);
SM_NODISCARD enum sm_err store_episode_update(struct store *s, int64_t id, enum level level,
                                              int64_t closed_ms);

struct decision_rec {
    int64_t episode_id;
    int drill;
    int64_t at_ms;
    enum level from, to, municipal, local, manual;
    const char *source, *actor, *reason;
    int64_t warning_id; /* 0: none */
};
SM_NODISCARD enum sm_err store_decision_insert(struct store *s, const struct decision_rec *d,
                                               int64_t *id);
SM_NODISCARD enum sm_err store_decision_counts(struct store *s, int64_t id, int issued,
                                               int superseded, int lifted);

#endif
