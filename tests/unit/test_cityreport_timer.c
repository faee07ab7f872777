/* Reporting to the city on a virtual clock with an in-memory database: the
 * draft before the cut-off, the send at it (remarks kept), missed cut-offs
 * after a restart, sending again, the summary at the lift, the notice the
 * city receives, and routing to the city's recipients. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/crypto.h"
#include "app_fixture.h"
#include "check.h"
#include "dispatch/dispatch.h"
#include "dispatch/dispatch_int.h"
#include "list/gen.h"
#include "notifier.h"
#include "ops/ops.h"
#include "ops/ops_cityreport.h"
#include "store/store.h"
#include "store/store_cityreport.h"

#define MIN_MS 60000LL
#define H      3600000LL
#define DAY    (24 * H)
#define T0     1764547200000LL /* 2025-12-01T08:00:00+08:00 */
#define CUT1   (T0 + 8 * H)    /* 2025-12-01T16:00:00+08:00 */

static const struct ops_actor officer = { "officer:duty-1", "officer", NULL };
static const struct ops_actor issuer = { "issuer:feed", "issuer", NULL };

static void
open_app(struct app *a)
{
    struct sm_diag d = { 0 };

    config_init_defaults(&a->cfg);
    free(a->cfg.db_path);
    a->cfg.db_path = strdup(":memory:");
    a->cfg.daily_report_hour = 16;
    a->cfg.daily_report_lead_minutes = 30;
    clock_init_virtual(&a->clock, T0);
    CHECK_INT(app_open(a, &d), SM_OK);
}

static void
seed_list(struct app *a)
{
    fixture_import_list(a, 12, 7);
}

static void
warning(struct app *a, const char *id, const char *msg_type, const char *ref)
{
    char body[1024];
    json_t *reply = NULL;
    struct sm_diag d = { 0 };

    snprintf(body, sizeof(body),
             "{\"identifier\":\"%s\",\"sender\":\"yc@yuncheng.gov.cn\",\"sent\":\"2025-12-01T07:59:00+08:00\","
             "\"msg_type\":\"%s\",\"status\":\"Actual\",\"level\":\"orange\","
             "\"onset\":\"2025-12-01T07:59:00+08:00\",\"expires\":\"2025-12-09T08:00:00+08:00\","
             "\"area\":[\"140826\"]%s%s%s}",
             id, msg_type, ref ? ",\"references\":[\"" : "", ref ? ref : "", ref ? "\"]" : "");
    CHECK_INT(ops_apply_warning(a, &issuer, "application/json", body, strlen(body), &reply, &d),
              SM_OK);
    CHECK(json_is_true(json_object_get(reply, "applied")));
    json_decref(reply);
}

static void
tick(struct app *a, int64_t at)
{
    int64_t next = 0;

    clock_advance_to(&a->clock, at);
    CHECK_INT(ops_run_timers(a, &next), SM_OK);
}

static long long
total_reports(struct app *a, const char *kind)
{
    json_t *out = NULL;
    long long n;

    CHECK_INT(store_cityreport_list_json(a->store, 0, kind, 100, 0, 480, &out), SM_OK);
    n = (long long)json_integer_value(json_object_get(out, "total"));
    json_decref(out);
    return n;
}

struct captured {
    int reports;
    char event_id[8][64], attachment[8][64], subject[256];
    char sha[8][65];
};

static void
capture(void *arg, const char *channel, const struct notice *n)
{
    struct captured *c = arg;

    (void)channel;
    if (strcmp(n->kind, "report") != 0 || c->reports >= 8)
        return;
    snprintf(c->event_id[c->reports], 64, "%s", n->event_id);
    snprintf(c->attachment[c->reports], 64, "%s", n->attachment_name);
    sm_sha256_hex(n->json, strlen(n->json), c->sha[c->reports]);
    snprintf(c->subject, sizeof(c->subject), "%s", n->subject);
    c->reports++;
}

static void
daily_draft_send_catch_up_and_summary(void)
{
    struct app a = { 0 };
    struct cityreport_rec r;
    struct sm_diag d = { 0 };
    struct captured cap = { 0 };
    json_t *reply = NULL, *body, *report;
    char sha_v1[65];
    int count = 0;

    open_app(&a);
    seed_list(&a);
    warning(&a, "W-1", "alert", NULL);

    /* 08:00 and 15:29: nothing yet */
    tick(&a, T0);
    tick(&a, CUT1 - 31 * MIN_MS);
    CHECK_INT(total_reports(&a, NULL), 0);

    /* 15:30: the draft of report 1, cut off at 16:00 */
    tick(&a, CUT1 - 30 * MIN_MS);
    CHECK_INT(total_reports(&a, "daily"), 1);
    CHECK_INT(store_cityreport_get(a.store, 1, &r), SM_OK);
    CHECK_STR(r.state, "draft");
    CHECK_INT(r.number, 1);
    CHECK_INT(r.cutoff_ms, CUT1);
    CHECK(r.from_ms > 0 && r.from_ms <= T0);
    cityreport_rec_release(&r);

    /* officers write remarks into the draft; lessons belong to the summary */
    body = json_pack("{s:s}", "remarks", "各乡镇已完成巡查");
    CHECK_INT(ops_cityreport_remarks(&a, &officer, 1, body, &reply, &d), SM_OK);
    json_decref(reply);
    json_decref(body);
    body = json_pack("{s:s}", "lessons", "x");
    CHECK_INT(ops_cityreport_remarks(&a, &officer, 1, body, &reply, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "lessons_only_in_summary");
    json_decref(body);

    /* 16:00: refreshed and sent, the remarks kept */
    tick(&a, CUT1);
    CHECK_INT(store_cityreport_get(a.store, 1, &r), SM_OK);
    CHECK_STR(r.state, "sent");
    CHECK_INT(r.sends, 1);
    CHECK_INT(r.sent_ms, CUT1);
    report = json_loads(r.json, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(report, "remarks")), "各乡镇已完成巡查");
    CHECK_STR(json_string_value(json_object_get(report, "cutoff")), "2025-12-01T16:00:00+08:00");
    CHECK(json_integer_value(json_object_get(json_object_get(report, "orders"), "versions")) > 0);
    json_decref(report);
    snprintf(sha_v1, sizeof(sha_v1), "%s", r.sha256);
    cityreport_rec_release(&r);
    /* once sent, no more remarks */
    body = json_pack("{s:s}", "remarks", "late");
    CHECK_INT(ops_cityreport_remarks(&a, &officer, 1, body, &reply, &d), SM_ERR_CONFLICT);
    CHECK_STR(d.code, "already_sent");
    json_decref(body);
    /* the next tick sends nothing again */
    tick(&a, CUT1 + MIN_MS);
    CHECK_INT(total_reports(&a, "daily"), 1);

    /* down for two days: on restart the missed cut-offs (12-02, 12-03) are made and sent */
    tick(&a, CUT1 + 2 * DAY + H);
    CHECK_INT(total_reports(&a, "daily"), 3);
    CHECK_INT(store_cityreport_get(a.store, 3, &r), SM_OK);
    CHECK_INT(r.number, 3);
    CHECK_INT(r.cutoff_ms, CUT1 + 2 * DAY);
    CHECK_INT(r.from_ms, CUT1 + DAY);
    CHECK_STR(r.state, "sent");
    cityreport_rec_release(&r);

    /* sent again on demand: the next version */
    CHECK_INT(ops_cityreport_send(&a, &officer, 1, &reply), SM_OK);
    CHECK_STR(json_string_value(json_object_get(reply, "event_id")), "report:1:v2");
    CHECK_INT(json_integer_value(json_object_get(reply, "sends")), 2);
    json_decref(reply);

    /* the lift: the summary is drafted and waits for the lessons */
    clock_advance_to(&a.clock, CUT1 + 2 * DAY + 2 * H);
    warning(&a, "W-2", "cancel", "W-1");
    CHECK_INT(total_reports(&a, "summary"), 1);
    CHECK_INT(store_cityreport_get(a.store, 4, &r), SM_OK);
    CHECK_STR(r.kind, "summary");
    CHECK_STR(r.state, "draft");
    report = json_loads(r.json, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(report, "title")), "重污染天气应急响应总结报告");
    CHECK(!json_is_null(json_object_get(json_object_get(report, "episode"), "closed_at")));
    CHECK_INT(json_array_size(json_object_get(report, "timeline")), 2);
    json_decref(report);
    cityreport_rec_release(&r);
    body = json_pack("{s:s}", "lessons", "提前一天研判，提前部署");
    CHECK_INT(ops_cityreport_remarks(&a, &officer, 4, body, &reply, &d), SM_OK);
    json_decref(reply);
    json_decref(body);
    /* the summary is not sent by the timer */
    tick(&a, CUT1 + 3 * DAY);
    CHECK_INT(store_cityreport_get(a.store, 4, &r), SM_OK);
    CHECK_STR(r.state, "draft");
    cityreport_rec_release(&r);
    /* and no daily report for a closed episode */
    CHECK_INT(total_reports(&a, "daily"), 3);

    /* what the city receives: the stored JSON byte for byte */
    CHECK_INT(dispatch_capture_all(&a, capture, &cap, &count, &d), SM_OK);
    CHECK_INT(cap.reports, 4);
    CHECK_STR(cap.event_id[0], "report:1:v1");
    CHECK_STR(cap.attachment[0], "city-report-1-v1.json");
    CHECK_STR(cap.event_id[3], "report:1:v2");
    CHECK_STR(cap.sha[0], sha_v1);
    CHECK(strstr(cap.subject, "【绛县】重污染天气应急减排措施落实情况日报（第1期）") == cap.subject);
    app_close(&a);
    config_release(&a.cfg);
}

static void
reports_route_to_the_city(void)
{
    struct dispatch_config c;
    struct dispatch_target t[DISPATCH_MAX_TARGETS];
    struct sm_diag d = { 0 };
    struct outbox_row rep = { .id = 1, .event_id = "report:1:v1", .kind = "report" };
    struct outbox_row off = { .id = 2, .event_id = "x", .kind = "officer_alert" };
    int n;

    CHECK_INT(dispatch_config_parse(&c,
                                    "{\"channels\": {\"webhook\": {\"secret\": \"s\"}, \"email\": "
                                    "{\"url\": \"smtp://127.0.0.1:25\", \"from\": \"a@b.cn\"}},"
                                    "\"officers\": {\"emails\": [\"duty@jx.gov.cn\"]},"
                                    "\"city\": {\"webhook_url\": \"http://127.0.0.1:9/city\","
                                    "\"emails\": [\"sthj@yuncheng.gov.cn\", \"b@yuncheng.gov.cn\"]}}",
                                    "n.json", "db", &d),
              SM_OK);
    n = dispatch_targets(&c, &rep, NULL, t);
    CHECK_INT(n, 3);
    CHECK_STR(t[0].recipient, "http://127.0.0.1:9/city");
    CHECK_INT(t[1].channel, CH_EMAIL);
    CHECK_STR(t[1].recipient, "sthj@yuncheng.gov.cn");
    dispatch_targets_release(t, n);
    /* officer alerts do not go to the city */
    n = dispatch_targets(&c, &off, NULL, t);
    CHECK_INT(n, 1);
    CHECK_STR(t[0].recipient, "duty@jx.gov.cn");
    dispatch_targets_release(t, n);
    dispatch_config_release(&c);

    CHECK_INT(dispatch_config_parse(&c, "{\"city\": {\"emails\": [\"not-an-address\"]}}", "n.json",
                                    "db", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_contact");
    CHECK_STR(d.text, "n.json: city.emails[0] is not a valid e-mail address");
    CHECK_INT(dispatch_config_parse(&c, "{\"city\": {\"fax\": \"1\"}}", "n.json", "db", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_key");
}

CHECK_MAIN(CHECK_CASE(daily_draft_send_catch_up_and_summary),
           CHECK_CASE(reports_route_to_the_city))
