#ifndef SM_CITYREPORT_CITYREPORT_H
#define SM_CITYREPORT_CITYREPORT_H

/* Reporting to the city: the daily implementation report (日报) and the
 * episode summary (总结). Pure: figures are built from a plain JSON input
 * (gathered by store_cityreport_input), formats are rendered from the
 * report JSON alone, so a stored report can be shown in any format later.
 * No I/O, no clock: every time is a parameter. */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

#define CITYREPORT_TITLE_DAILY   "重污染天气应急减排措施落实情况日报"
#define CITYREPORT_TITLE_SUMMARY "重污染天气应急响应总结报告"

/* Limits on what officers may write into a report. */
#define CITYREPORT_TEXT_MAX    16000 /* bytes of remarks, lessons, one action */
#define CITYREPORT_ACTIONS_MAX 1000

/* The first daily cut-off strictly after after_ms: hour:00 local time in the
 * zone tz_min minutes east of UTC. */
int64_t cityreport_next_cutoff(int64_t after_ms, int hour, int tz_min);

/* Builds the report JSON from in (borrowed):
 * {"kind": "daily"|"summary", "number", "tz_min", "cutoff_ms", "from_ms",
 *  "as_of_ms" (optional: a draft made before its cut-off), "generated_ms", "county": {"code", "name"},
 *  "episode": {"id", "drill", "opened_ms", "closed_ms"|null, "max_level"},
 *  "timeline": [{"at_ms", "from", "to", "source", "reason"}],
 *  "orders": [{"id", "enterprise", "enterprise_name", "town", "industry",
 *              "level", "version", "status", "issued_ms", "ack_deadline_ms",
 *              "acknowledged_ms"|null, "ended_ms"|null, "compliance"}],
 *  "inspections": [{"uscc", "line", "result", "at_ms"}],
 *  "violations": [{"order_id", "enterprise", "enterprise_name", "town",
 *                  "line", "judged_ms", "evidence": {...}}],
 *  "reductions": the "reductions" object of ops_episode_figures}.
 * Order figures are as of the earlier of as_of_ms and cutoff_ms (orders
 * issued later are left out; an order's status is what it was then);
 * inspections are counted for the period (from_ms, as of] and for the whole
 * episode; compliance
 * and violations are the stored judgements as given. *out is new.
 * SM_ERR_INVAL with diag (code missing_field / bad_value, naming the field
 * path) when in lacks something. */
SM_NODISCARD enum sm_err cityreport_build(const json_t *in, json_t **out, struct sm_diag *diag);

/* One order version as the figures read it (strings borrowed). */
struct cityreport_order {
    const char *enterprise, *town, *industry, *level, *status, *compliance;
    int64_t version, issued_ms, ack_deadline_ms;
    int64_t acknowledged_ms, ended_ms; /* 0: not (yet) */
};

/* cityreport_build with the orders (borrowed) given as n structs instead
 * of in's "orders" (ignored): the same report for the same orders, without
 * a JSON object per order. A level other than yellow, orange or red is
 * refused as orders[i].level. */
SM_NODISCARD enum sm_err cityreport_build_orders(const json_t *in,
                                                 const struct cityreport_order *orders, size_t n,
                                                 json_t **out, struct sm_diag *diag);

/* Applies what officers write to a report (borrowed, modified):
 * {"remarks": "...", "lessons": "..." (summary only),
 *  "actions": [{"order_id", "line", "action"}]} — each action fills the
 * "action_taken" of the matching violation. strict: refuse unknown keys,
 * wrong types, over-long texts, lessons on a daily report and actions that
 * match no violation (SM_ERR_INVAL with diag naming the field); not strict
 * (re-applying stored remarks to a refreshed report): skip what no longer
 * fits. */
SM_NODISCARD enum sm_err cityreport_apply_remarks(json_t *report, const json_t *body, int strict,
                                                  struct sm_diag *diag);

/* The canonical text of a report (compact, sorted keys; new), the bytes that
 * are stored, hashed and sent. */
char *cityreport_canonical(const json_t *report);

/* Renders a report (borrowed) into out. CSV: UTF-8 with a BOM, CRLF, one
 * row per figure: section,name,field,value. HTML: one printable page with
 * inline CSS. SM_ERR_LIMIT when out's cap is hit. */
SM_NODISCARD enum sm_err cityreport_csv(const json_t *report, struct buf *out);
SM_NODISCARD enum sm_err cityreport_html(const json_t *report, struct buf *out);

/* An Office Open XML workbook (.xlsx) of the report: sheet 1 the figures,
 * sheet 2 the violations, sheet 3 the timeline (summary). *data is new
 * (free()), *len its size. SM_ERR_IO when the zip cannot be made. */
SM_NODISCARD enum sm_err cityreport_xlsx(const json_t *report, unsigned char **data, size_t *len);

#endif
