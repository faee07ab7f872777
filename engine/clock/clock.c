/* Real and virtual clocks. */
#include "clock/clock.h"

#include <time.h>

static int64_t
real_now(const struct clock *c)
{
    struct timespec ts;

    (void)c;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
virtual_now(const struct clock *c)
{
    return c->virtual_ms;
}

void
clock_init_real(struct clock *c)
{
    c->now_ms = real_now;
    c->virtual_ms = 0;
}

void
clock_init_virtual(struct clock *c, int64_t start_ms)
{
    c->now_ms = virtual_now;
    c->virtual_ms = start_ms;
}

void
clock_advance_to(struct clock *c, int64_t ms)
{
    if (c->now_ms == virtual_now && ms > c->virtual_ms)
        c->virtual_ms = ms;
}

int64_t
clock_mono_ms(void)
{
    return clock_mono_us() / 1000;
}

int64_t
clock_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
