#ifndef SM_REPORT_SVG_H
#define SM_REPORT_SVG_H

/* Inline SVG charts for the episode report: pure functions from numbers to
 * markup (no I/O, no clock). Text is escaped. Each appends one <svg>
 * element to out; out->ok turns false when its buffer cap is reached. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/level.h"

struct rout {
    struct buf *b;
    bool ok;
};

void rout_printf(struct rout *o, const char *fmt, ...) SM_PRINTF(2, 3);
/* Appends s with &, <, >, " and ' escaped for HTML and SVG text. */
void rout_text(struct rout *o, const char *s);

/* borrowed: the fill colour of a level ("#f2c200" for yellow ...) */
const char *svg_level_color(enum level l);

/* A span of time at one level. */
struct svg_level_span {
    int64_t from_ms, to_ms;
    enum level level;
};
/* A labelled instant (a warning received). */
struct svg_mark {
    int64_t at_ms;
    const char *label;
};

/* A time axis: from..to, labelled in the zone tz_min. */
struct svg_time_axis {
    int64_t from_ms, to_ms;
    int tz_min;
};

/* The level as coloured bands over time, with warnings marked. */
void svg_level_timeline(struct rout *o, const struct svg_time_axis *ax,
                        const struct svg_level_span *spans, size_t n,
                        const struct svg_mark *marks, size_t nmarks);

/* One series of (time, value) points drawn as a step line. */
struct svg_series {
    const char *name, *color;
    const int64_t *t_ms;
    const double *v;
    size_t n;
};
/* Step lines over time; with aqi_bands the background shows the AQI
 * categories (HJ 633: 50, 100, 150, 200, 300). */
void svg_time_lines(struct rout *o, const struct svg_time_axis *ax, const struct svg_series *s,
                    size_t ns, const char *y_label, bool aqi_bands,
                    const struct svg_mark *marks, size_t nmarks);

/* Vertical bars: labels[i] under a bar of height counts[i]. */
void svg_histogram(struct rout *o, const char *const *labels, const double *counts, size_t n,
                   const char *x_label, const char *y_label);

/* Horizontal bars, one row per label, each split into up to 3 parts
 * (stacked) or shown as up to 3 bars side by side (grouped). */
struct svg_bar_row {
    const char *label;
    double part[3];
};
void svg_bars(struct rout *o, const struct svg_bar_row *rows, size_t n,
              const char *const part_names[3], const char *const part_colors[3], int nparts,
              bool stacked, const char *unit);

#endif
