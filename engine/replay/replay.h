#ifndef SM_REPLAY_REPLAY_H
#define SM_REPLAY_REPLAY_H

/* Replaying a scenario: a fresh database, a virtual clock, the same use
 * cases serve runs. Between steps the clock stops at every persisted
 * deadline (warning onsets and expiries, acknowledgement deadlines) and at
 * every scheduled acknowledgement, so reminders fire at their exact
 * virtual times. Notices are delivered on the same clock by the
 * dispatcher's own pass without notifiers (nothing is sent or written):
 * outage steps take a channel down, retries and the undelivered-past-
 * deadline alerts follow. Each thing that happens becomes one timeline
 * event. */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "app/app.h"
#include "scenario/scenario.h"

/* Called for each event as it happens (borrowed):
 * {"at", "at_ms", "kind", "text", "level", "orders": {"active",
 * "acknowledged", "overdue"}, "step", "line"}; kind is one of warning,
 * decision, ack, overdue, escalate, reissue, readings, meter, inspection,
 * outage, delivery, expect, failure, skipped, note. */
typedef void replay_event_fn(void *arg, const json_t *event);

struct replay_opts {
    bool strict;               /* a step this build cannot run is a failure */
    replay_event_fn *on_event; /* may be NULL */
    void *arg;
};

struct replay_result {
    int checks, failed, skipped;
    json_t *failures;   /* new: [{"step", "line", "what", "expected", "actual", "message"}] */
    json_t *events;     /* new: every event, in order */
    int64_t episode_id; /* the newest real episode, else the newest drill one; 0: none */
    int64_t end_ms;
};

/* Sets up app for sc: defaults, the scenario's county, rules and config
 * directives, db_path (":memory:" or a file), a virtual clock at "start";
 * opens it and imports and activates the scenario's list. On failure diag
 * says why (list errors are printed to err_out when it is not NULL). */
SM_NODISCARD enum sm_err replay_open(const struct scenario *sc, const char *db_path,
                                     struct app *app, FILE *err_out, struct sm_diag *diag);

/* Runs every step. SM_OK when the replay ran (res->failed counts failed
 * expectations); another code when the engine itself failed (diag). */
SM_NODISCARD enum sm_err replay_run(const struct scenario *sc, struct app *app,
                                    const struct replay_opts *opts, struct replay_result *res,
                                    struct sm_diag *diag);
void replay_result_release(struct replay_result *res);

#endif
