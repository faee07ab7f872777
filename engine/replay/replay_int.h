#ifndef SM_REPLAY_REPLAY_INT_H
#define SM_REPLAY_REPLAY_INT_H

/* Inside replay: the runner's state, shared by the step functions. */
#include "ops/ops.h"
#include "replay/replay.h"

struct pending_ack {
    int64_t at_ms;
    long seq;
    char uscc[24];
    bool phone, drill;
    const char *note, *contact; /* borrowed from the scenario */
    int step;
};

/* A delivery channel down over [from_ms, until_ms). */
struct replay_outage {
    char channel[16];
    int64_t from_ms, until_ms;
    int refused;   /* attempts refused so far */
    bool reported; /* the first refusal is in the timeline */
};

/* Things that happened at several stops, shown as one timeline line. */
struct replay_tally {
    int n;
    int64_t first_ms, last_ms;
};

struct replay {
    const struct scenario *sc;
    struct app *app;
    const struct replay_opts *opts;
    struct replay_result *res;
    struct pending_ack *acks;
    size_t nacks, head, cap;
    long seq;
    int64_t next_timer_ms;     /* 0: none */
    /* until then a run of the timers would do nothing but persisted
     * deadlines (ops_timers_quiet_until of the last run) */
    int64_t quiet_until;
    int64_t last_decision, last_outbox;
    const struct scenario_step *step; /* the step running, or NULL */
    /* acknowledgements done since the last event, shown as one line */
    int batch[2], batch_gone;
    int64_t batch_first, batch_last;
    /* the status shown with the last event, while the clock and the
     * database stay as they were (ops_status reads nothing else) */
    json_t *status;
    int64_t status_ms;
    uint64_t status_changes;
    bool skipped_kind[STEP_KIND_COUNT];
    bool stations_registered;
    /* simulated delivery */
    struct replay_outage *outages;
    size_t noutages;
    int64_t next_delivery_ms; /* the next retry or notice deadline; 0: none */
    bool delivery_due_now;    /* the last pass left something due at its own time */
    struct replay_tally late, dead; /* delayed and given-up deliveries since the last event */
};

/* Records an event at the current virtual time (text is copied). */
void replay_event(struct replay *r, const char *kind, const char *fmt, ...) SM_PRINTF(3, 4);
/* Emits the pending acknowledgement and delayed-delivery summaries, if any. */
void replay_flush_acks(struct replay *r);
/* Records a failed check at path (relative to the step, e.g. "expect.level"). */
void replay_fail(struct replay *r, const char *path, json_t *expected, json_t *actual,
                 const char *fmt, ...) SM_PRINTF(5, 6);
/* Emits events for decisions and notices written since the last call. */
SM_NODISCARD enum sm_err replay_drain(struct replay *r);

/* One function per step kind; NULL: this build cannot run it. */
typedef enum sm_err replay_step_fn(struct replay *r, const struct scenario_step *st);
replay_step_fn *replay_step_runner(enum step_kind k);
/* Runs the acknowledgements due at or before now (acks.c), in one
 * transaction. */
SM_NODISCARD enum sm_err replay_run_acks(struct replay *r);
/* Runs every acknowledgement scheduled before until, each at its own time
 * (the clock moves to it), in one transaction: for a stretch of time in
 * which nothing but acknowledgements happens. */
SM_NODISCARD enum sm_err replay_run_acks_before(struct replay *r, int64_t until);
/* Checks one expectation step. */
SM_NODISCARD enum sm_err replay_expect(struct replay *r, const struct scenario_step *st);

/* Simulated delivery at the current time (deliver.c): every delivery due
 * goes out unless its channel is in an outage, retries and deadline alerts
 * as the dispatcher's; sets next_delivery_ms. */
SM_NODISCARD enum sm_err replay_deliver(struct replay *r);
/* The outage step: the channel is down from now for the step's "for". */
SM_NODISCARD enum sm_err replay_run_outage(struct replay *r, const struct scenario_step *st);
/* Checks expect.deliveries (want borrowed) in the context drill. */
SM_NODISCARD enum sm_err replay_expect_deliveries(struct replay *r, const json_t *want, int drill);
/* Compares want with got (taken) at path, counting the check; a failure is
 * recorded with both values. */
void replay_compare(struct replay *r, const char *path, const json_t *want, json_t *got);

extern const struct ops_actor replay_officer;

#endif
