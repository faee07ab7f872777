#ifndef SM_CLOCK_CLOCK_H
#define SM_CLOCK_CLOCK_H

#include <stdint.h>

/* The one source of "now" for the engine: real (wall clock) for serve,
 * virtual for replay. Nothing else in the engine reads the time. */
struct clock {
    int64_t (*now_ms)(const struct clock *c);
    int64_t virtual_ms; /* used by the virtual clock */
};

void clock_init_real(struct clock *c);
void clock_init_virtual(struct clock *c, int64_t start_ms);
static inline int64_t
clock_now(const struct clock *c)
{
    return c->now_ms(c);
}
/* Moves a virtual clock forward; no effect on the real one. */
void clock_advance_to(struct clock *c, int64_t ms);
/* Monotonic milliseconds for measuring durations (metrics, timeouts). */
int64_t clock_mono_ms(void);
int64_t clock_mono_us(void);

#endif
