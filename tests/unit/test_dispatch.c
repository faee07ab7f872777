/* dispatch: the backoff function, contact shapes, the notifiers file,
 * what a notice expands into and how it names a measure. */
#include <stdint.h>
#include <string.h>

#include <stdlib.h>

#include "base/xalloc.h"
#include "check.h"
#include "dispatch/dispatch.h"
#include "dispatch/dispatch_int.h"
#include "ruleset/ruleset.h"

static void
backoff_grows_and_caps(void)
{
    /* rnd 0: no jitter, the full step */
    CHECK_INT(dispatch_backoff_ms(1, 1000, 60000, -1, 0), 1000);
    CHECK_INT(dispatch_backoff_ms(2, 1000, 60000, -1, 0), 2000);
    CHECK_INT(dispatch_backoff_ms(3, 1000, 60000, -1, 0), 4000);
    CHECK_INT(dispatch_backoff_ms(6, 1000, 60000, -1, 0), 32000);
    CHECK_INT(dispatch_backoff_ms(7, 1000, 60000, -1, 0), 60000);
    CHECK_INT(dispatch_backoff_ms(1000, 1000, 60000, -1, 0), 60000);
    /* a huge attempt count never overflows */
    CHECK_INT(dispatch_backoff_ms(2147483647, 3600000, 86400000, -1, 0), 86400000);
    /* a cap below the base is lifted to the base */
    CHECK_INT(dispatch_backoff_ms(5, 500, 100, -1, 0), 500);
}

static void
backoff_jitter_bounds(void)
{
    /* the largest rnd takes off at most half the step */
    CHECK_INT(dispatch_backoff_ms(1, 1000, 60000, -1, UINT32_MAX), 500);
    CHECK_INT(dispatch_backoff_ms(7, 1000, 60000, -1, UINT32_MAX), 30000);
    CHECK_INT(dispatch_backoff_ms(3, 1000, 60000, -1, 0x80000000u), 4000 - 1000);
    for (uint32_t r = 1; r < 4000000000u; r += 123456789u) {
        int64_t d = dispatch_backoff_ms(4, 1000, 60000, -1, r);
        CHECK(d >= 4000 && d <= 8000);
    }
}

static void
backoff_retry_after_is_a_floor(void)
{
    CHECK_INT(dispatch_backoff_ms(1, 1000, 60000, 7000, 0), 7000);
    /* a shorter Retry-After does not shorten the backoff */
    CHECK_INT(dispatch_backoff_ms(5, 1000, 60000, 2000, 0), 16000);
    CHECK_INT(dispatch_backoff_ms(1, 1000, 60000, 0, 0), 1000);
    /* a Retry-After above the cap is honoured, up to the hard limit */
    CHECK_INT(dispatch_backoff_ms(1, 1000, 60000, 120000, 0), 120000);
    CHECK_INT(dispatch_backoff_ms(1, 1000, 60000, INT64_MAX, 0), DISPATCH_RETRY_AFTER_MAX_MS);
}

static void
contact_shapes(void)
{
    CHECK(contact_url_ok("https://hooks.example.cn/smog"));
    CHECK(contact_url_ok("http://127.0.0.1:8080/hook/ok"));
    CHECK(!contact_url_ok("ftp://example.cn/x"));
    CHECK(!contact_url_ok("http://"));
    CHECK(!contact_url_ok("http:///path"));
    CHECK(!contact_url_ok("https://a.cn/x y"));
    CHECK(!contact_url_ok("https://a.cn/\r\nX-Injected: 1"));
    CHECK(!contact_url_ok("javascript:alert(1)"));
    CHECK(contact_email_ok("duty@jiangxian.gov.cn"));
    CHECK(!contact_email_ok("duty@localhost"));
    CHECK(!contact_email_ok("@a.cn"));
    CHECK(!contact_email_ok("a@b@c.cn"));
    CHECK(!contact_email_ok("a b@c.cn"));
    CHECK(!contact_email_ok("a@c.cn>\r\nRCPT TO:<x@y.cn"));
    CHECK(contact_phone_ok("+8613800138000"));
    CHECK(contact_phone_ok("13800138000"));
    CHECK(!contact_phone_ok("138-0013-8000"));
    CHECK(!contact_phone_ok("+"));
    CHECK(!contact_phone_ok("1234"));
    CHECK(!contact_phone_ok("123456789012345678901"));
    CHECK(contact_uscc_shape_ok("91140826MA0K123456"));
    CHECK(!contact_uscc_shape_ok("91140826ma0k123456"));
    CHECK(!contact_uscc_shape_ok("9114082"));
}

static void
config_defaults_and_errors(void)
{
    struct dispatch_config c;
    struct sm_diag d = { 0 };

    CHECK_INT(dispatch_config_parse(&c, NULL, "default", "/var/lib/smogd/smogd.db", &d), SM_OK);
    CHECK(c.channel[CH_FILE] != NULL);
    CHECK(c.channel[CH_WEBHOOK] == NULL);
    CHECK_STR(json_string_value(json_object_get(c.channel[CH_FILE], "path")),
              "/var/lib/smogd/smogd.db.notices.jsonl");
    CHECK_INT(c.base_ms, DISPATCH_DEFAULT_BASE_MS);
    CHECK_INT(c.max_attempts, DISPATCH_DEFAULT_MAX_ATTEMPTS);
    CHECK_INT(c.deadline_ms, 30 * 60000);
    dispatch_config_release(&c);

    CHECK_INT(dispatch_config_parse(&c,
                                    "{\"channels\": {\"webhook\": {\"secret\": \"k\"}},"
                                    " \"officers\": {\"emails\": [\"duty@jx.gov.cn\"], \"file\": \"/tmp/o\"},"
                                    " \"retry\": {\"base_ms\": 100, \"cap_ms\": 400, \"max_attempts\": 3},"
                                    " \"deadline_minutes\": 5}",
                                    "n.json", "db", &d),
              SM_OK);
    CHECK_STR(json_string_value(json_object_get(c.channel[CH_WEBHOOK], "type")), "webhook");
    CHECK(c.channel[CH_FILE] == NULL);
    CHECK_INT(c.n_officer_emails, 1);
    CHECK_STR(c.officer_file, "/tmp/o");
    CHECK_INT(c.cap_ms, 400);
    CHECK_INT(c.max_attempts, 3);
    CHECK_INT(c.deadline_ms, 5 * 60000);
    dispatch_config_release(&c);

    CHECK_INT(dispatch_config_parse(&c, "{\"chanels\": {}}", "n.json", "db", &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_key");
    CHECK(strstr(d.text, "chanels") != NULL);
    CHECK_INT(dispatch_config_parse(&c, "{\"channels\": {\"pigeon\": {}}}", "n.json", "db", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_channel");
    CHECK_INT(dispatch_config_parse(&c, "{\"officers\": {\"phones\": [\"12ab\"]}}", "n.json", "db", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_contact");
    CHECK_INT(dispatch_config_parse(&c, "{\"retry\": {\"base_ms\": 500, \"cap_ms\": 100}}", "n.json",
                                    "db", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "out_of_range");
    CHECK_INT(dispatch_config_parse(&c, "{\"retry\": 1,}", "n.json", "db", &d), SM_ERR_PARSE);
    CHECK_INT(d.line, 1);
}

static void
targets_per_notice(void)
{
    struct dispatch_config c;
    struct sm_diag d = { 0 };
    struct dispatch_target t[DISPATCH_MAX_TARGETS];
    struct contact_rec rec = { .uscc = "91140826MA0K123456", .webhook_url = "http://h/x",
                               .emails = "[\"a@b.cn\",\"c@d.cn\"]", .phones = "[\"13800138000\"]" };
    struct outbox_row ent = { .id = 1, .event_id = "e", .kind = "order_issued",
                              .enterprise = "91140826MA0K123456" };
    struct outbox_row off = { .id = 2, .event_id = "a", .kind = "officer_alert" };
    int n;

    CHECK_INT(dispatch_config_parse(&c,
                                    "{\"channels\": {\"webhook\": {\"secret\": \"k\"},"
                                    " \"email\": {\"url\": \"smtp://127.0.0.1:25\", \"from\": \"s@jx.cn\"},"
                                    " \"file\": {\"path\": \"/tmp/all.jsonl\"}},"
                                    " \"officers\": {\"phones\": [\"12110\", \"+8612345\"], \"file\": \"/tmp/o\"}}",
                                    "n.json", "db", &d),
              SM_OK);
    n = dispatch_targets(&c, &ent, &rec, t);
    /* webhook, two e-mails, no sms channel, and the file record */
    CHECK_INT(n, 4);
    CHECK_INT(t[0].channel, CH_WEBHOOK);
    CHECK_STR(t[0].recipient, "http://h/x");
    CHECK_STR(t[2].recipient, "c@d.cn");
    CHECK_INT(t[3].channel, CH_FILE);
    CHECK_STR(t[3].recipient, "/tmp/all.jsonl");
    dispatch_targets_release(t, n);
    /* no contacts: only the file record */
    n = dispatch_targets(&c, &ent, NULL, t);
    CHECK_INT(n, 1);
    dispatch_targets_release(t, n);
    /* officers: sms is off, so the officers' file and the record */
    n = dispatch_targets(&c, &off, NULL, t);
    CHECK_INT(n, 2);
    CHECK_STR(t[0].recipient, "/tmp/o");
    dispatch_targets_release(t, n);
    dispatch_config_release(&c);
}

static void
check_action(const char *measure_json, const struct measure_rules *rules, const char *want)
{
    json_t *m = json_loads(measure_json, 0, NULL);
    char *got = dispatch_action_text(m, rules);

    CHECK_STR(got, want);
    free(got);
    json_decref(m);
}

/* a notice shows each measure by the name rules/measures.json gives it,
 * an action added there included */
static void
action_words_from_the_rules(void)
{
    struct ruleset *rs = ruleset_default();
    struct measure_rules *m = &rs->measures;
    struct measure_action_rule *kiln = &m->actions[m->n_actions++];

    snprintf(kiln->key, sizeof(kiln->key), "stop_kiln");
    kiln->names[kiln->n_names++] = xstrdup("停窑");
    kiln->names[kiln->n_names++] = xstrdup("stop kiln");
    kiln->reduction_pct = 60;
    check_action("{\"action\": \"stop_kiln\", \"limit_pct\": null, \"text\": \"\"}", m, "停窑");
    check_action("{\"action\": \"stop_kiln\", \"text\": \"2号窑\"}", m, "停窑（2号窑）");
    check_action("{\"action\": \"halt\"}", m, "停产");
    check_action("{\"action\": \"limit\", \"limit_pct\": 30}", m, "限产30%");
    check_action("{\"action\": \"limit\", \"limit_pct\": 12.5, \"text\": \"夜间\"}", m,
                 "限产12.5%（夜间）");
    check_action("{\"action\": \"limit\", \"limit_pct\": null}", m, "限产");
    /* an order's text is the list's whole measure: the action is not shown twice */
    check_action("{\"action\": \"halt\", \"text\": \"停产\"}", m, "停产");
    check_action("{\"action\": \"limit\", \"limit_pct\": 30, \"text\": \"限产30%；夜间\"}", m,
                 "限产30%（夜间）");
    check_action("{\"action\": \"limit\", \"limit_pct\": 30, \"text\": \"限产30%;夜间\"}", m,
                 "限产30%（夜间）");
    check_action("{\"action\": \"stop_kiln\", \"text\": \"stop kiln；2号窑\"}", m, "停窑（2号窑）");
    /* a text that only starts like the action keeps it */
    check_action("{\"action\": \"halt\", \"text\": \"停产检修\"}", m, "停产（停产检修）");
    check_action("{\"action\": \"voluntary\"}", m, "自主减排");
    /* renamed in the rules: the new first name */
    free(m->actions[MEASURE_ACTION_HALT].names[0]);
    m->actions[MEASURE_ACTION_HALT].names[0] = xstrdup("全面停产");
    check_action("{\"action\": \"halt\"}", m, "全面停产");
    /* an English first name takes its N% after a space */
    free(m->actions[MEASURE_ACTION_LIMIT].names[0]);
    m->actions[MEASURE_ACTION_LIMIT].names[0] = xstrdup("limit");
    check_action("{\"action\": \"limit\", \"limit_pct\": 30}", m, "limit 30%");
    /* an action the rules do not have (or no rules): its key */
    check_action("{\"action\": \"retired_action\"}", m, "retired_action");
    check_action("{\"action\": \"halt\"}", NULL, "halt");
    ruleset_unref(rs);
}

CHECK_MAIN(CHECK_CASE(action_words_from_the_rules), CHECK_CASE(backoff_grows_and_caps), CHECK_CASE(backoff_jitter_bounds),
           CHECK_CASE(backoff_retry_after_is_a_floor), CHECK_CASE(contact_shapes),
           CHECK_CASE(config_defaults_and_errors), CHECK_CASE(targets_per_notice))
