/* Diagnostics logging. The level is checked before formatting. */
#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

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

/* Lines held by sm_log_held, written as one block. The flusher and
 * checkpointer threads log too, hence the lock. */
#define HELD_MAX 16384

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char held[HELD_MAX];
static size_t held_len;
static time_t stamp_sec = -1;
static char stamp_text[24]; /* "2026-01-12T08:00:00" of stamp_sec */
static pthread_once_t held_once = PTHREAD_ONCE_INIT;

static void
write_held(void)
{
    if (held_len)
        (void)fwrite(held, 1, held_len, stderr);
    held_len = 0;
}

/* "2026-01-12T08:00:00.123Z info http: " into line[size]; its length.
 * Called with log_mu held: the second's text is kept. */
static size_t
format_prefix(char *line, size_t size, int prio, const char *module)
{
    struct timespec ts;
    char ms[6];
    size_t n = 0;
    const char *pn = prio_name(prio);

    /* Diagnostics carry wall time; the engine's logic never reads it. */
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != stamp_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp_text, sizeof(stamp_text), "%Y-%m-%dT%H:%M:%S", &tm);
        stamp_sec = ts.tv_sec;
    }
    long milli = ts.tv_nsec / 1000000L;
    ms[0] = '.';
    ms[1] = (char)('0' + milli / 100);
    ms[2] = (char)('0' + milli / 10 % 10);
    ms[3] = (char)('0' + milli % 10);
    ms[4] = 'Z';
    ms[5] = ' ';
    buf_put_cut(line, size, &n, stamp_text, strlen(stamp_text));
    buf_put_cut(line, size, &n, ms, sizeof(ms));
    buf_put_cut(line, size, &n, pn, strlen(pn));
    buf_put_cut(line, size, &n, " ", 1);
    buf_put_cut(line, size, &n, module, strlen(module));
    buf_put_cut(line, size, &n, ": ", 2);
    return n;
}

/* formats the line (without its newline) into line[size]; its length */
static size_t
format_line(char *line, size_t size, int prio, const char *module, const char *fmt,
            va_list ap)
{
    size_t n = format_prefix(line, size, prio, module);

    if (n < size) {
        int m = vsnprintf(line + n, size - n, fmt, ap);
        if (m > 0)
            n += (size_t)m;
    }
    return n < size ? n : size - 1;
}

void
sm_log(int prio, const char *module, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    size_t n;

    if (prio > log_level)
        return;
    pthread_mutex_lock(&log_mu);
    va_start(ap, fmt);
    n = format_line(line, sizeof(line) - 1, prio, module, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    write_held(); /* what came before goes first */
    (void)fwrite(line, 1, n, stderr);
    pthread_mutex_unlock(&log_mu);
}

static void
flush_at_exit(void)
{
    (void)atexit(sm_log_flush);
}

/* keeps line[0..n) (with its newline) behind the held ones; log_mu held */
static void
hold(const char *line, size_t n)
{
    if (held_len + n > sizeof(held))
        write_held();
    memcpy(held + held_len, line, n);
    held_len += n;
}

void
sm_log_held(int prio, const char *module, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    int n;

    if (prio > log_level)
        return;
    va_start(ap, fmt);
    n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    sm_log_held_text(prio, module, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

void
sm_log_held_text(int prio, const char *module, const char *text, size_t len)
{
    char line[2048];
    size_t n;

    if (prio > log_level)
        return;
    pthread_once(&held_once, flush_at_exit);
    pthread_mutex_lock(&log_mu);
    n = format_prefix(line, sizeof(line) - 1, prio, module);
    buf_put_cut(line, sizeof(line) - 1, &n, text, len);
    line[n++] = '\n';
    hold(line, n);
    pthread_mutex_unlock(&log_mu);
}

void
sm_log_flush(void)
{
    pthread_mutex_lock(&log_mu);
    write_held();
    pthread_mutex_unlock(&log_mu);
}
