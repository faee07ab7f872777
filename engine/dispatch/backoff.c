/* The retry delay: capped exponential backoff with jitter, Retry-After as a
 * floor. Pure. */
#include "dispatch/dispatch.h"

int64_t
dispatch_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms, int64_t retry_after_ms,
                    uint32_t rnd)
{
    int64_t step = base_ms > 0 ? base_ms : 1;
    int64_t jitter, delay;

    if (cap_ms < step)
        cap_ms = step;
    /* doubling stops at the cap, so no shift can overflow */
    for (int i = 1; i < attempts && step < cap_ms; i++)
        step *= 2;
    if (step > cap_ms)
        step = cap_ms;
    /* "equal jitter": half fixed, half random, so retries from many
     * deliveries spread out but never collapse to zero */
    jitter = (int64_t)(((uint64_t)(step / 2 + 1) * rnd) >> 32);
    delay = step - jitter;
    if (retry_after_ms >= 0) {
        if (retry_after_ms > DISPATCH_RETRY_AFTER_MAX_MS)
            retry_after_ms = DISPATCH_RETRY_AFTER_MAX_MS;
        if (delay < retry_after_ms)
            delay = retry_after_ms;
    }
    return delay;
}
