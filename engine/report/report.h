#ifndef SM_REPORT_REPORT_H
#define SM_REPORT_REPORT_H

/* The episode report: figures read from the store (report_figures) and a
 * self-contained HTML page rendered from them (report_render_html: inline
 * CSS and SVG, no scripts, no fonts, no links out). The JSON figures are
 * the same numbers the page shows. */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

struct store;

struct report_meta {
    const char *county_code, *county_name;
    int tz_min;
    const char *title;       /* NULL: "Episode N" */
    const char *description; /* may be NULL */
};

/* new: every figure of the report for one episode, judged at now_ms:
 * {"episode", "county", "title", "levels", "warnings", "aqi", "orders",
 * "orders_over_time", "ack_minutes", "compliance", "reductions",
 * "enterprises"}. SM_ERR_NOTFOUND for an unknown episode. */
SM_NODISCARD enum sm_err report_figures(struct store *s, int64_t episode_id, int64_t now_ms,
                                        const struct report_meta *meta, json_t **out);

/* Adds the county AQI series (hourly points) to figures; readings are not
 * read here so that any source of them can fill it. t_ms and aqi are
 * borrowed arrays of n points. */
void report_set_aqi(json_t *figures, const int64_t *t_ms, const double *aqi, size_t n);

/* Renders figures (borrowed) as one HTML document into out. false when
 * out's cap was reached or figures lack a required part. */
SM_NODISCARD bool report_render_html(const json_t *figures, struct buf *out);

/* Bins for the time-to-acknowledge histogram: the width (minutes) from
 * 1, 2, 5, 10, 15, 30, 60, 120, 240 that keeps at most 12 bins up to
 * max_minutes. */
int report_bin_minutes(double max_minutes);

#endif
