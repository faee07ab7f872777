#ifndef SM_OPS_OPS_CITYREPORT_H
#define SM_OPS_OPS_CITYREPORT_H

/* Use cases of reporting to the city (README "Reporting to the city"):
 * the daily implementation report drafted before the daily cut-off and
 * sent at it, the episode summary drafted when the episode closes, the
 * officers' remarks and sending on demand. A send queues the report JSON
 * to the outbox as kind "report", event id "report:<id>:v<n>". */
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "ops/ops.h"

struct app;

/* new (*report): the report of an episode over (from_ms, cutoff_ms] as it
 * would be generated now, without storing anything. kind "daily" or
 * "summary"; number its number. SM_ERR_NOTFOUND for an unknown episode. */
SM_NODISCARD enum sm_err ops_cityreport_make(struct app *app, int64_t episode_id,
                                             const char *kind, int number, int64_t from_ms,
                                             int64_t cutoff_ms, json_t **report,
                                             struct sm_diag *diag);

/* The timer's part, inside its transaction: for each open episode, drafts
 * every daily report whose cut-off minus the lead has come (one per missed
 * cut-off, so a restart loses none), then refreshes and sends every daily
 * draft whose cut-off has passed. */
SM_NODISCARD enum sm_err ops_cityreport_timers(struct app *app, int64_t now_ms);

/* Drafts the episode summary when an episode closes; inside the caller's
 * transaction (ops_reconcile). It stays a draft until an officer, having
 * written the lessons, sends it. */
SM_NODISCARD enum sm_err ops_cityreport_episode_closed(struct app *app, int64_t episode_id,
                                                       int64_t now_ms);

/* Officers write remarks, lessons (summary) and the action taken on each
 * violation into a draft (body borrowed; cityreport_apply_remarks). *reply
 * (new) is the report's metadata. SM_ERR_NOTFOUND, SM_ERR_CONFLICT (diag
 * code already_sent) once sent, SM_ERR_INVAL with diag. Audited. */
SM_NODISCARD enum sm_err ops_cityreport_remarks(struct app *app, const struct ops_actor *who,
                                                int64_t id, const json_t *body, json_t **reply,
                                                struct sm_diag *diag);

/* Sends a report now: a draft daily report is refreshed first; a report
 * already sent goes again as the next version. *reply (new): the metadata
 * with "event_id". Audited with the SHA-256 of what is sent. */
SM_NODISCARD enum sm_err ops_cityreport_send(struct app *app, const struct ops_actor *who,
                                             int64_t id, json_t **reply);

#endif
