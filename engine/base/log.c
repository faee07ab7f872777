/* Diagnostics logging. The level is checked before formatting. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int log_level = LOG_INFO;

void
sm_log_set_level(int prio)
{
    log_level = prio;
}

int
sm_log_level(void)
{
    return log_level;
}

int
sm_log_parse_level(const char *name)
{
    static const struct { const char *name; int prio; } names[] = {
        { "debug", LOG_DEBUG }, { "info", LOG_INFO },
        { "notice", LOG_NOTICE }, { "warning", LOG_WARNING },
        { "warn", LOG_WARNING }, { "err", LOG_ERR }, { "error", LOG_ERR },
    };

    for (size_t i = 0; i < SM_ARRAY_LEN(names); i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].prio;
    return -1;
}

static const char *
prio_name(int prio)
{
    switch (prio) {
    case LOG_DEBUG: return "debug";
    case LOG_INFO: return "info";
    case LOG_NOTICE: return "notice";
    case LOG_WARNING: return "warn";
    default: return "error";
    }
}

void
sm_log(int prio, const char *module, const char *fmt, ...)
{
    char line[2048];
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n;

    if (prio > log_level)
        return;
    /* Diagnostics carry wall time; the engine's logic never reads it. */
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s: ", stamp,
                 ts.tv_nsec / 1000000L, prio_name(prio), module);
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
