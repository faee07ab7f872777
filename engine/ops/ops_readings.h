#ifndef SM_OPS_OPS_READINGS_H
#define SM_OPS_OPS_READINGS_H

/* Use cases of monitoring: stations, readings, the AQI views and the local
 * trigger with its proposals. HTTP and the timer call these. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "ops/ops.h"

struct app;

/* Registers or updates station `id` from {"name", "kind": "official|lowcost",
 * "lat", "lon"} (borrowed). SM_ERR_INVAL with diag for a bad id or field.
 * *out (new) is the stored station. */
SM_NODISCARD enum sm_err ops_station_put(struct app *app, const struct ops_actor *who,
                                         const char *id, json_t *body, json_t **out,
                                         struct sm_diag *diag);

/* new: {"stations": [{"id", "name", "kind", "lat", "lon", "last_reading_at",
 * "readings", "stale"}]} */
SM_NODISCARD enum sm_err ops_stations_json(struct app *app, json_t **out);

/* new: {"total", "stale": [ids]} for /v1/status; a station is stale when
 * its newest reading is older than cfg.station_stale_hours (or it has none). */
SM_NODISCARD enum sm_err ops_stations_status(struct app *app, int64_t now_ms, json_t **out);

/* /metrics section: smogd_station_stale{station} and smogd_readings_total. */
void ops_readings_metrics(struct app *app, struct buf *out);

/* Stores a contract §4 readings body in one transaction, each reading
 * accepted or rejected on its own (unknown_station besides the parser's
 * codes), then runs the local trigger. *reply (new) is {"accepted",
 * "rejected": [{"index", "code", "message"}]}. Whole-body failures come
 * back as SM_ERR_PARSE/INVAL/LIMIT with diag. */
SM_NODISCARD enum sm_err ops_readings_post(struct app *app, const struct ops_actor *who,
                                           const char *body, size_t len, json_t **reply,
                                           struct sm_diag *diag);

/* The same for a Sensor.Community push from low-cost sensor `station` (the
 * X-Sensor header), which must be a registered lowcost station: stored and
 * shown, never counted by the trigger. */
SM_NODISCARD enum sm_err ops_readings_sensor_community(struct app *app,
                                                       const struct ops_actor *who,
                                                       const char *station, const char *body,
                                                       size_t len, json_t **reply,
                                                       struct sm_diag *diag);

/* new: the latest hourly and daily AQI per station (only `station` when
 * non-NULL; SM_ERR_NOTFOUND when it is not registered) and for the county
 * (the mean of the official stations' concentrations). */
SM_NODISCARD enum sm_err ops_aqi_json(struct app *app, const char *station, json_t **out);

/* The hourly series of the hours ending in (from_ms, to_ms] (whole hours,
 * at most 31 days) for `station`, or for the county when NULL. Exactly one
 * of json_out (new {"station", "from", "to", "hours": [...]}) and csv_out
 * (text/csv appended) is non-NULL. SM_ERR_INVAL for a bad range,
 * SM_ERR_NOTFOUND for an unknown station. */
SM_NODISCARD enum sm_err ops_aqi_history(struct app *app, const char *station, int64_t from_ms,
                                         int64_t to_ms, json_t **json_out, struct buf *csv_out,
                                         struct sm_diag *diag);

/* Runs the local trigger on the county's rolling 24-hour AQI (official
 * stations only) at now_ms, inside the caller's transaction. Mode off:
 * nothing; propose: an open proposal per level observed above the
 * effective level; activate: the local floor follows the criteria, with
 * hysteresis, recorded as a decision (source "local"). Unless force, it
 * runs at most once per clock hour. *changed (may be NULL) says whether
 * the level was changed (the caller reschedules timers). */
SM_NODISCARD enum sm_err ops_local_trigger(struct app *app, int64_t now_ms, bool force,
                                           bool *changed);

/* new: {"proposals": [...]} newest first; state NULL = any. */
SM_NODISCARD enum sm_err ops_proposals_json(struct app *app, const char *state, json_t **out);

/* Accepts an open proposal: an escalation to its level (a manual floor,
 * with a reason citing the proposal) and the proposal marked accepted.
 * SM_ERR_NOTFOUND, SM_ERR_CONFLICT (not open), SM_ERR_INVAL (no reason). */
SM_NODISCARD enum sm_err ops_proposal_accept(struct app *app, const struct ops_actor *who,
                                             int64_t id, const char *reason,
                                             struct sm_diag *diag);
/* Dismisses an open proposal with a reason; same errors. */
SM_NODISCARD enum sm_err ops_proposal_dismiss(struct app *app, const struct ops_actor *who,
                                              int64_t id, const char *reason,
                                              struct sm_diag *diag);

#endif
