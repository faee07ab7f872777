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

struct replay {
    const struct scenario *sc;
    struct app *app;
    const struct replay_opts *opts;
    struct replay_result *res;
    struct pending_ack *acks;
    size_t nacks, head, cap;
    long seq;
    int64_t next_timer_ms;     /* 0: none */
    int64_t last_decision, last_outbox;
    const struct scenario_step *step; /* the step running, or NULL */
    /* acknowledgements done since the last event, shown as one line */
    int batch[2], batch_gone;
    int64_t batch_first, batch_last;
    bool skipped_kind[STEP_KIND_COUNT];
    bool stations_registered;
};

/* Records an event at the current virtual time (text is copied). */
void replay_event(struct replay *r, const char *kind, const char *fmt, ...) SM_PRINTF(3, 4);
/* Emits the pending acknowledgement summary, if any. */
void replay_flush_acks(struct replay *r);
/* Records a failed check at path (relative to the step, e.g. "expect.level"). */
void replay_fail(struct replay *r, const char *path, json_t *expected, json_t *actual,
                 const char *fmt, ...) SM_PRINTF(5, 6);
/* Emits events for decisions and notices written since the last call. */
SM_NODISCARD enum sm_err replay_drain(struct replay *r);

/* One function per step kind; NULL: this build cannot run it. */
typedef enum sm_err replay_step_fn(struct replay *r, const struct scenario_step *st);
replay_step_fn *replay_step_runner(enum step_kind k);
/* Runs the acknowledgements due at or before now. */
SM_NODISCARD enum sm_err replay_run_acks(struct replay *r);
/* Checks one expectation step. */
SM_NODISCARD enum sm_err replay_expect(struct replay *r, const struct scenario_step *st);

extern const struct ops_actor replay_officer;

#endif
