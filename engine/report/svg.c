/* Inline SVG charts: fixed-size viewBoxes, every coordinate computed from
 * the data with one decimal, so the same figures give the same bytes. */
#include "report/svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

#define W 760.0
#define LEFT 60.0
#define RIGHT 20.0
#define PLOT_W (W - LEFT - RIGHT)

void
rout_printf(struct rout *o, const char *fmt, ...)
{
    char small[1024], *big = NULL;
    va_list ap;
    int n;

    if (!o->ok)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= sizeof(small)) {
        big = malloc((size_t)n + 1);
        if (big) {
            va_start(ap, fmt);
            vsnprintf(big, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    if (n < 0 || ((size_t)n >= sizeof(small) && !big) ||
        !buf_add(o->b, big ? big : small, (size_t)n))
        o->ok = false;
    free(big);
}

void
rout_text(struct rout *o, const char *s)
{
    for (; o->ok && s && *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep ? !buf_addstr(o->b, rep) : !buf_add(o->b, s, 1))
            o->ok = false;
    }
}

const char *
svg_level_color(enum level l)
{
    switch (l) {
    case LEVEL_YELLOW: return "#f2c200";
    case LEVEL_ORANGE: return "#f28500";
    case LEVEL_RED: return "#d7191c";
    default: return "#d9e6d9";
    }
}

static double
x_of(const struct svg_time_axis *ax, int64_t t)
{
    double span = (double)(ax->to_ms - ax->from_ms);
    double f = span > 0 ? (double)(t - ax->from_ms) / span : 0;
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    return LEFT + f * PLOT_W;
}

/* Tick labels "MM-DD HH:00" at whole hours, about six across. */
static void
time_ticks(struct rout *o, const struct svg_time_axis *ax, double y)
{
    static const int64_t steps_h[] = { 1, 2, 3, 6, 12, 24, 48, 96, 168 };
    int64_t span = ax->to_ms - ax->from_ms, step = 168 * SM_MS_PER_HOUR, tz = ax->tz_min * SM_MS_PER_MIN;

    for (size_t i = 0; i < sizeof(steps_h) / sizeof(steps_h[0]); i++)
        if (span / (steps_h[i] * SM_MS_PER_HOUR) <= 6) {
            step = steps_h[i] * SM_MS_PER_HOUR;
            break;
        }
    int64_t first = ((ax->from_ms + tz + step - 1) / step) * step - tz;
    for (int64_t t = first; t <= ax->to_ms; t += step) {
        char buf[32];
        double x = x_of(ax, t);
        sm_time_format(t, ax->tz_min, buf); /* 2025-12-02T08:00:00+08:00 */
        rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"tick\"/>", x,
                    y, x, y + 4);
        rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%.5s %.5s</text>",
                    x, y + 16, buf + 5, buf + 11);
    }
}

static void
marks_draw(struct rout *o, const struct svg_time_axis *ax, const struct svg_mark *marks,
           size_t n, double top, double bottom)
{
    for (size_t i = 0; i < n; i++) {
        double x = x_of(ax, marks[i].at_ms);
        rout_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"mark\"/>", x,
                    top, x, bottom);
        rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"marklabel\">", x + 3,
                    top + 10 + (double)(i % 3) * 11);
        rout_text(o, marks[i].label);
        rout_printf(o, "</text>");
    }
}

void
svg_level_timeline(struct rout *o, const struct svg_time_axis *ax,
                   const struct svg_level_span *spans, size_t n, const struct svg_mark *marks,
                   size_t nmarks)
{
    const double top = 10, h = 60, height = 110;

    rout_printf(o, "<svg viewBox=\"0 0 %.0f %.0f\" "
                   "class=\"chart\" role=\"img\" aria-label=\"level timeline\">",
                W, height);
    rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", LEFT,
                top, PLOT_W, h, svg_level_color(LEVEL_NONE));
    for (size_t i = 0; i < n; i++) {
        double x0 = x_of(ax, spans[i].from_ms), x1 = x_of(ax, spans[i].to_ms);
        rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                       "<title>%s</title></rect>",
                    x0, top, x1 - x0, h, svg_level_color(spans[i].level),
                    level_name(spans[i].level));
    }
    rout_printf(o, "<text x=\"4\" y=\"%.1f\" class=\"axis\">level</text>", top + h / 2 + 4);
    marks_draw(o, ax, marks, nmarks, top, top + h);
    time_ticks(o, ax, top + h);
    rout_printf(o, "</svg>");
}

static double
nice_max(double v)
{
    double p, m;

    if (v <= 0)
        return 1;
    p = pow(10, floor(log10(v)));
    m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

void
svg_time_lines(struct rout *o, const struct svg_time_axis *ax, const struct svg_series *s,
               size_t ns, const char *y_label, bool aqi_bands, const struct svg_mark *marks,
               size_t nmarks)
{
    static const struct { double lo, hi; const char *color; } bands[] = {
        { 0, 50, "#e8f5e9" }, { 50, 100, "#fffde7" }, { 100, 150, "#fff3e0" },
        { 150, 200, "#ffebee" }, { 200, 300, "#f3e5f5" }, { 300, 500, "#efebe9" },
    };
    const double top = 10, h = 200, height = 250;
    double vmax = 0;

    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++)
            if (s[k].v[i] > vmax)
                vmax = s[k].v[i];
    vmax = nice_max(aqi_bands && vmax < 300 ? 300 : vmax);
    rout_printf(o, "<svg viewBox=\"0 0 %.0f %.0f\" "
                   "class=\"chart\" role=\"img\" aria-label=\"",
                W, height);
    rout_text(o, y_label);
    rout_printf(o, "\">");
    if (aqi_bands)
        for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]) && bands[i].lo < vmax; i++) {
            double hi = bands[i].hi < vmax ? bands[i].hi : vmax;
            double y1 = top + h - bands[i].lo / vmax * h, y0 = top + h - hi / vmax * h;
            rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                        LEFT, y0, PLOT_W, y1 - y0, bands[i].color);
        }
    rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>",
                LEFT, top, PLOT_W, h);
    for (int g = 0; g <= 4; g++) {
        double y = top + h - (double)g / 4 * h;
        rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%g</text>",
                    LEFT - 4, y + 4, vmax * g / 4);
    }
    for (size_t k = 0; k < ns; k++) {
        if (s[k].n == 0)
            continue;
        rout_printf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                    s[k].color);
        for (size_t i = 0; i < s[k].n; i++) {
            double x = x_of(ax, s[k].t_ms[i]), y = top + h - s[k].v[i] / vmax * h;
            if (i > 0) /* a step: hold the previous value until this time */
                rout_printf(o, "%.1f,%.1f ", x, top + h - s[k].v[i - 1] / vmax * h);
            rout_printf(o, "%.1f,%.1f ", x, y);
        }
        rout_printf(o, "%.1f,%.1f\"/>", x_of(ax, ax->to_ms),
                    top + h - s[k].v[s[k].n - 1] / vmax * h);
        rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\">",
                    LEFT + 10 + (double)k * 150, top + 6, s[k].color, LEFT + 24 + (double)k * 150,
                    top + 15);
        rout_text(o, s[k].name);
        rout_printf(o, "</text>");
    }
    marks_draw(o, ax, marks, nmarks, top + 20, top + h);
    time_ticks(o, ax, top + h);
    rout_printf(o, "</svg>");
}

void
svg_histogram(struct rout *o, const char *const *labels, const double *counts, size_t n,
              const char *x_label, const char *y_label)
{
    const double top = 10, h = 160, height = 210;
    double vmax = 0, bw;

    for (size_t i = 0; i < n; i++)
        if (counts[i] > vmax)
            vmax = counts[i];
    vmax = nice_max(vmax);
    bw = n ? PLOT_W / (double)n : PLOT_W;
    rout_printf(o, "<svg viewBox=\"0 0 %.0f %.0f\" "
                   "class=\"chart\" role=\"img\" aria-label=\"",
                W, height);
    rout_text(o, x_label);
    rout_printf(o, "\">");
    rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>",
                LEFT, top, PLOT_W, h);
    for (int g = 0; g <= 4; g++)
        rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%g</text>",
                    LEFT - 4, top + h - (double)g / 4 * h + 4, vmax * g / 4);
    for (size_t i = 0; i < n; i++) {
        double bh = counts[i] / vmax * h, x = LEFT + (double)i * bw;
        rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"bar\">"
                       "<title>%g</title></rect>",
                    x + 2, top + h - bh, bw - 4, bh, counts[i]);
        rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">",
                    x + bw / 2, top + h + 14);
        rout_text(o, labels[i]);
        rout_printf(o, "</text>");
    }
    rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">", LEFT + PLOT_W / 2,
                height - 6);
    rout_text(o, x_label);
    rout_printf(o, "</text><text x=\"4\" y=\"%.1f\" class=\"axis\">", top + 10);
    rout_text(o, y_label);
    rout_printf(o, "</text></svg>");
}

void
svg_bars(struct rout *o, const struct svg_bar_row *rows, size_t n, const char *const part_names[3],
         const char *const part_colors[3], int nparts, bool stacked, const char *unit)
{
    const double label_w = 170, row_h = stacked ? 22 : 12.0 * nparts + 10, top = 24;
    const double plot_w = W - label_w - 60;
    double vmax = 0, height = top + row_h * (double)n + 10;

    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (int k = 0; k < nparts; k++) {
            sum += stacked ? rows[i].part[k] : 0;
            if (!stacked && rows[i].part[k] > vmax)
                vmax = rows[i].part[k];
        }
        if (stacked && sum > vmax)
            vmax = sum;
    }
    if (vmax <= 0)
        vmax = 1;
    rout_printf(o, "<svg viewBox=\"0 0 %.0f %.0f\" "
                   "class=\"chart\" role=\"img\">",
                W, height);
    for (int k = 0; k < nparts; k++) {
        rout_printf(o, "<rect x=\"%.1f\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                       "<text x=\"%.1f\" y=\"13\" class=\"axis\">",
                    label_w + (double)k * 140, part_colors[k], label_w + 14 + (double)k * 140);
        rout_text(o, part_names[k]);
        rout_printf(o, "</text>");
    }
    for (size_t i = 0; i < n; i++) {
        double y = top + (double)i * row_h, x = label_w;
        rout_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">",
                    label_w - 6, y + (stacked ? 14 : row_h / 2 + 2));
        rout_text(o, rows[i].label);
        rout_printf(o, "</text>");
        for (int k = 0; k < nparts; k++) {
            double w = rows[i].part[k] / vmax * plot_w;
            if (w < 0)
                w = 0;
            if (stacked) {
                rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
                               "<title>%g</title></rect>",
                            x, y + 2, w, part_colors[k], rows[i].part[k]);
                x += w;
            } else {
                rout_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\">"
                               "<title>%g</title></rect><text x=\"%.1f\" y=\"%.1f\" class=\"axis\">%.1f %s</text>",
                            x, y + 2 + 12.0 * k, w, part_colors[k], rows[i].part[k], x + w + 4,
                            y + 11 + 12.0 * k, rows[i].part[k], unit ? unit : "");
            }
        }
    }
    rout_printf(o, "</svg>");
}
