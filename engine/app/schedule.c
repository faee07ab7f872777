/* One timer for every persisted deadline: it fires at the earliest one
 * (warning onset or expiry, acknowledgement deadline), runs what is due and
 * re-arms. Deadlines live in the database, so a restart rebuilds them. */
#include <event2/event.h>

#include "app/app.h"
#include "base/log.h"
#include "dispatch/dispatch.h"
#include "ops/ops.h"

#define LOG_MODULE "timers"
/* re-check at least this often, so a wall-clock jump is corrected soon */
#define SCHEDULE_MAX_SLEEP_MS 30000

static void arm(struct app *a, int64_t next_ms);

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct app *a = arg;
    int64_t next = 0;
    enum sm_err err;

    (void)fd;
    (void)what;
    err = ops_run_timers(a, &next);
    if (err) {
        log_err("running due deadlines failed: %s; retrying in 1 s", sm_strerror(err));
        next = clock_now(&a->clock) + 1000;
    }
    arm(a, next);
    dispatch_kick(a); /* reminders and alerts the timers wrote */
}

static void
arm(struct app *a, int64_t next_ms)
{
    int64_t now = clock_now(&a->clock);
    int64_t delay = SCHEDULE_MAX_SLEEP_MS;
    struct timeval tv;

    if (!a->base)
        return;
    if (!a->timer)
        a->timer = evtimer_new(a->base, on_timer, a);
    if (next_ms) {
        delay = next_ms - now;
        if (delay < 0)
            delay = 0;
        if (delay > SCHEDULE_MAX_SLEEP_MS)
            delay = SCHEDULE_MAX_SLEEP_MS;
    }
    tv.tv_sec = (long)(delay / 1000);
    tv.tv_usec = (long)(delay % 1000) * 1000;
    evtimer_add(a->timer, &tv);
}

void
app_schedule(struct app *a)
{
    /* run at once: whatever a decision just made due is handled on the
     * next loop turn, and the timer re-arms for the one after */
    arm(a, clock_now(&a->clock));
    dispatch_kick(a);
}
