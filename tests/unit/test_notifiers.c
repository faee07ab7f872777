/* notifiers: every backend against real receivers on 127.0.0.1
 * (tests/support/receivers.py, started here), driven by an event_base. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "base/buf.h"
#include "check.h"
#include "curl_loop.h"
#include "notifier.h"
#include "notifier_int.h"

#define SECRET "test-secret-绛县"

static struct event_base *base;
static struct curl_loop *curl;
static struct notifier_env env;
static pid_t receivers_pid;
static int receivers_stdin = -1;
static int http_port, smtp_port, dead_port;
static char tmpdir[64];

static int64_t
real_now_ms(void *clock)
{
    struct timespec ts;

    (void)clock;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A port nothing listens on: bound, then closed. */
static int
unused_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        abort();
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void
receivers_start(void)
{
    const char *src = getenv("SMOGD_SOURCE_DIR");
    char script[512], line[256];
    int in[2], out[2];
    ssize_t n;
    size_t got = 0;
    json_t *ports;

    snprintf(script, sizeof(script), "%s/tests/support/receivers.py",
             src ? src : SMOGD_SOURCE_DIR);
    if (pipe(in) != 0 || pipe(out) != 0)
        abort();
    receivers_pid = fork();
    if (receivers_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", script, "--secret", SECRET, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    receivers_stdin = in[1];
    while (got < sizeof(line) - 1 &&
           (n = read(out[0], line + got, sizeof(line) - 1 - got)) > 0) {
        got += (size_t)n;
        if (memchr(line, '\n', got))
            break;
    }
    line[got] = '\0';
    close(out[0]);
    ports = json_loads(line, 0, NULL);
    if (!ports) {
        fprintf(stderr, "receivers did not start: \"%s\"\n", line);
        exit(1);
    }
    http_port = (int)json_integer_value(json_object_get(ports, "http"));
    smtp_port = (int)json_integer_value(json_object_get(ports, "smtp"));
    json_decref(ports);
}

static void
receivers_stop(void)
{
    int status;

    close(receivers_stdin); /* end of file: the receivers exit */
    waitpid(receivers_pid, &status, 0);
}

/* ---- running one send to completion ---- */

struct outcome {
    int calls;
    bool was_synchronous;
    struct notify_result r;
};

static bool in_send;

static void
on_done(void *arg, const struct notify_result *r)
{
    struct outcome *o = arg;

    o->calls++;
    o->was_synchronous = o->was_synchronous || in_send;
    o->r = *r;
    event_base_loopbreak(base);
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fprintf(stderr, "watchdog: no result within 10 s\n");
    event_base_loopbreak(base);
}

/* Sends n and runs the loop until done() reports (or 10 s pass). */
static struct outcome
send_and_wait(struct notifier *nf, const struct notice *n)
{
    struct outcome o = { 0 };
    struct timeval ten = { 10, 0 };
    struct event *dog = evtimer_new(base, on_watchdog, NULL);

    evtimer_add(dog, &ten);
    in_send = true;
    notifier_send(nf, n, on_done, &o);
    in_send = false;
    CHECK_INT(o.calls, 0); /* never from inside send() */
    event_base_dispatch(base);
    event_free(dog);
    CHECK_INT(o.calls, 1);
    CHECK(!o.was_synchronous);
    return o;
}

static struct notifier *
make(const char *config_json)
{
    struct sm_diag d = { 0 };
    struct notifier *nf = NULL;
    json_t *cfg = json_loads(config_json, 0, NULL);

    if (!cfg || notifier_create(&nf, base, &env, cfg, &d) != SM_OK) {
        fprintf(stderr, "config %s: %s %s\n", config_json, d.code, d.text);
        abort();
    }
    json_decref(cfg);
    return nf;
}

static struct notifier *
make_webhook(const char *mode, const char *secret, long timeout_ms)
{
    char cfg[512];

    snprintf(cfg, sizeof(cfg),
             "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/hook/%s\","
             "\"secret\":\"%s\",\"timeout_ms\":%ld}",
             http_port, mode, secret, timeout_ms);
    return make(cfg);
}

static size_t
collect(char *p, size_t size, size_t count, void *arg)
{
    return buf_add(arg, p, size * count) ? size * count : 0;
}

/* new: the receivers' /_stats (a blocking GET is fine in a test) */
static json_t *
stats(void)
{
    char url[128];
    struct buf b;
    json_t *j;
    CURL *e = curl_easy_init();

    buf_init(&b, 1 << 22);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/_stats", http_port);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    if (curl_easy_perform(e) != CURLE_OK)
        abort();
    curl_easy_cleanup(e);
    j = json_loads(b.data, 0, NULL);
    buf_release(&b);
    return j;
}

static long long
event_count(const char *event_id)
{
    json_t *s = stats();
    long long n = json_integer_value(
        json_object_get(json_object_get(s, "events"), event_id));

    json_decref(s);
    return n;
}

static const struct notice order_notice = {
    .event_id = "order:42:v2",
    .kind = "order_issued",
    .recipient = "ops@example.org",
    .subject = "【绛县重污染天气应急】橙色预警减排指令：绛县示例钢铁有限公司",
    .text =
        "绛县示例钢铁有限公司：\n请自 2026-01-12T08:00:00+08:00 起执行橙色预警减排措施。\n烧结机：停产\n",
    .json =
        "{\"order_id\":42,\"version\":2,\"level\":\"orange\",\"enterprise\":\"绛县示例钢铁有限公司\"}",
    .attachment_name = "order-42-v2.json",
};

/* ---- webhook ---- */

static void
test_webhook_delivered_and_signed(void)
{
    struct notifier *nf = make_webhook("ok", SECRET, 10000);
    struct notice n = order_notice;
    struct outcome o;
    json_t *s, *hook;

    n.event_id = "order:42:v2:delivered";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_DELIVERED);
    CHECK_INT(o.r.http_status, 200);
    CHECK_INT(o.r.retry_after_ms, -1);
    s = stats();
    CHECK_INT(json_integer_value(
                  json_object_get(json_object_get(s, "events"), n.event_id)),
              1);
    CHECK_INT(json_integer_value(json_object_get(s, "bad_signatures")), 0);
    hook = json_array_get(json_object_get(s, "hooks"),
                          json_array_size(json_object_get(s, "hooks")) - 1);
    CHECK_STR(json_string_value(json_object_get(hook, "kind")), "order_issued");
    CHECK_STR(json_string_value(json_object_get(hook, "content_type")),
              "application/json");
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(hook, "body"), "enterprise")),
              "绛县示例钢铁有限公司");
    json_decref(s);
    notifier_free(nf);
}

static void
test_webhook_wrong_secret_is_refused_by_receiver(void)
{
    struct notifier *nf = make_webhook("ok", "not-the-secret", 10000);
    struct notice n = order_notice;
    json_t *s = stats();
    long long before = json_integer_value(json_object_get(s, "bad_signatures"));
    struct outcome o;

    json_decref(s);
    n.event_id = "order:42:v2:forged";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_PERMANENT);
    CHECK_INT(o.r.http_status, 401);
    s = stats();
    CHECK_INT(json_integer_value(json_object_get(s, "bad_signatures")),
              before + 1);
    json_decref(s);
    CHECK_INT(event_count(n.event_id), 0);
    notifier_free(nf);
}

static void
test_webhook_500_is_transient(void)
{
    struct notifier *nf = make_webhook("500", SECRET, 10000);
    struct outcome o = send_and_wait(nf, &order_notice);

    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_INT(o.r.http_status, 500);
    CHECK_INT(o.r.retry_after_ms, -1);
    CHECK_STR(o.r.detail, "HTTP 500");
    notifier_free(nf);
}

static void
test_webhook_408_is_transient(void)
{
    struct notifier *nf = make_webhook("408", SECRET, 10000);
    struct outcome o = send_and_wait(nf, &order_notice);

    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_INT(o.r.http_status, 408);
    notifier_free(nf);
}

static void
test_webhook_429_retry_after_seconds(void)
{
    struct notifier *nf = make_webhook("429", SECRET, 10000);
    struct outcome o = send_and_wait(nf, &order_notice);

    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_INT(o.r.http_status, 429);
    CHECK_INT(o.r.retry_after_ms, 7000);
    notifier_free(nf);
}

static void
test_webhook_429_retry_after_http_date(void)
{
    struct notifier *nf = make_webhook("429date", SECRET, 10000);
    struct outcome o = send_and_wait(nf, &order_notice);

    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    /* the receiver says "now + 60 s" at one-second resolution */
    CHECK(o.r.retry_after_ms >= 58000 && o.r.retry_after_ms <= 61000);
    notifier_free(nf);
}

static void
test_webhook_400_is_permanent(void)
{
    struct notifier *nf = make_webhook("400", SECRET, 10000);
    struct outcome o = send_and_wait(nf, &order_notice);

    CHECK_INT(o.r.status, NOTIFY_PERMANENT);
    CHECK_INT(o.r.http_status, 400);
    notifier_free(nf);
}

static void
test_webhook_connection_refused_is_transient(void)
{
    char cfg[256];
    struct notifier *nf;
    struct outcome o;

    snprintf(cfg, sizeof(cfg),
             "{\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/hook/ok\","
             "\"secret\":\"x\"}",
             dead_port);
    nf = make(cfg);
    o = send_and_wait(nf, &order_notice);
    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_INT(o.r.http_status, 0);
    CHECK(strstr(o.r.detail, "connect") != NULL);
    notifier_free(nf);
}

static int ticks;

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    ticks++;
}

static void
test_webhook_hang_times_out_without_blocking_the_loop(void)
{
    struct notifier *nf = make_webhook("hang", SECRET, 1000);
    struct timeval tenth = { 0, 100000 };
    struct event *tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
    int64_t start = mono_ms(), took;
    struct outcome o;

    ticks = 0;
    evtimer_add(tick, &tenth);
    o = send_and_wait(nf, &order_notice);
    took = mono_ms() - start;
    event_free(tick);
    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_STR(o.r.detail, "timeout after 1000 ms");
    CHECK(took >= 950 && took < 3000);
    CHECK(ticks >= 7); /* the loop kept running while the receiver hung */
    notifier_free(nf);
}

static void
test_webhook_parallel_sends_each_delivered_once(void)
{
    struct notifier *nf = make_webhook("ok", SECRET, 10000);
    struct outcome o[5] = { 0 };
    char ids[5][32];
    struct notice n[5];
    struct timeval ten = { 10, 0 };
    int done_count;

    for (int i = 0; i < 5; i++) {
        snprintf(ids[i], sizeof(ids[i]), "order:%d:v1:par", 100 + i);
        n[i] = order_notice;
        n[i].event_id = ids[i];
        notifier_send(nf, &n[i], on_done, &o[i]);
    }
    event_base_loopexit(base, &ten);
    do {
        event_base_dispatch(base); /* each done() breaks the loop once */
        done_count = 0;
        for (int i = 0; i < 5; i++)
            done_count += o[i].calls;
    } while (done_count < 5 && curl_loop_active(curl) > 0);
    for (int i = 0; i < 5; i++) {
        CHECK_INT(o[i].calls, 1);
        CHECK_INT(o[i].r.status, NOTIFY_DELIVERED);
        CHECK_INT(event_count(ids[i]), 1);
    }
    notifier_free(nf);
}

static void
on_done_must_not_run(void *arg, const struct notify_result *r)
{
    (void)r;
    (*(int *)arg)++;
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    event_base_loopbreak(base);
}

static void
test_webhook_free_abandons_sends_in_flight(void)
{
    struct notifier *nf = make_webhook("hang", SECRET, 5000);
    struct timeval short_wait = { 0, 200000 };
    int calls = 0;

    notifier_send(nf, &order_notice, on_done_must_not_run, &calls);
    event_base_once(base, -1, EV_TIMEOUT, on_stop, NULL, &short_wait);
    event_base_dispatch(base);
    CHECK_INT(curl_loop_active(curl), 1);
    notifier_free(nf);
    CHECK_INT(curl_loop_active(curl), 0);
    event_base_once(base, -1, EV_TIMEOUT, on_stop, NULL, &short_wait);
    event_base_dispatch(base);
    CHECK_INT(calls, 0);
}

static void
test_webhook_bad_notice_is_permanent_and_deferred(void)
{
    struct notifier *nf = make_webhook("ok", SECRET, 10000);
    struct notice n = order_notice;
    struct outcome o;

    n.event_id = "evil\r\nX-Injected: 1";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_PERMANENT);
    notifier_free(nf);
}

static void
test_retry_after_parsing(void)
{
    /* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 */
    int64_t now = 1445412480LL * 1000 - 10000;

    CHECK_INT(notifier_http_retry_after_ms("7", now), 7000);
    CHECK_INT(notifier_http_retry_after_ms("0", now), 0);
    CHECK_INT(
        notifier_http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", now),
        10000);
    CHECK_INT(notifier_http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT",
                                           now + 60000),
              0);
    CHECK_INT(notifier_http_retry_after_ms("999999999999", now), 86400000);
    CHECK_INT(notifier_http_retry_after_ms("7s", now), -1);
    CHECK_INT(notifier_http_retry_after_ms("", now), -1);
    CHECK_INT(notifier_http_retry_after_ms("soon", now), -1);
}

/* ---- email ---- */

static struct notifier *
make_email(int port)
{
    char cfg[256];

    snprintf(cfg, sizeof(cfg),
             "{\"type\":\"email\",\"url\":\"smtp://127.0.0.1:%d\","
             "\"from\":\"smogd@jiangxian.example\",\"timeout_ms\":5000}",
             port);
    return make(cfg);
}

static void
test_email_delivered_with_chinese_text_and_json_attachment(void)
{
    struct notifier *nf = make_email(smtp_port);
    struct outcome o = send_and_wait(nf, &order_notice);
    json_t *s, *mail, *att;

    CHECK_INT(o.r.status, NOTIFY_DELIVERED);
    CHECK_INT(o.r.smtp_code, 250);
    s = stats();
    mail = json_array_get(json_object_get(s, "mail"),
                          json_array_size(json_object_get(s, "mail")) - 1);
    CHECK_STR(json_string_value(json_object_get(mail, "subject")),
              order_notice.subject);
    CHECK_STR(json_string_value(json_object_get(mail, "text")),
              order_notice.text);
    CHECK_STR(json_string_value(json_object_get(mail, "event_id")),
              "order:42:v2");
    CHECK_STR(
        json_string_value(json_array_get(json_object_get(mail, "rcpts"), 0)),
        "ops@example.org");
    CHECK(strstr(json_string_value(json_object_get(mail, "date")), "+0800") !=
          NULL);
    att = json_array_get(json_object_get(mail, "attachments"), 0);
    CHECK_INT(json_array_size(json_object_get(mail, "attachments")), 1);
    CHECK_STR(json_string_value(json_object_get(att, "filename")),
              "order-42-v2.json");
    CHECK_STR(json_string_value(json_object_get(att, "content_type")),
              "application/json");
    CHECK_STR(json_string_value(json_object_get(att, "content")),
              order_notice.json);
    json_decref(s);
    notifier_free(nf);
}

static void
test_email_4xx_transient_5xx_permanent(void)
{
    struct notifier *nf = make_email(smtp_port);
    struct notice n = order_notice;
    struct outcome o;

    n.recipient = "busy@example.org";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_INT(o.r.smtp_code, 451);
    n.recipient = "nobody@example.org";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_PERMANENT);
    CHECK_INT(o.r.smtp_code, 550);
    n.recipient = "not an address";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_PERMANENT);
    notifier_free(nf);
}

static void
test_email_relay_down_is_transient(void)
{
    struct notifier *nf = make_email(dead_port);
    struct outcome o = send_and_wait(nf, &order_notice);

    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    CHECK_INT(o.r.smtp_code, 0);
    notifier_free(nf);
}

static void
test_email_subject_encoding(void)
{
    struct buf b;
    const char *subject = order_notice.subject;
    char joined[512] = "";
    unsigned char decoded[128];

    buf_init(&b, 4096);
    CHECK(notifier_email_encode_subject("Plain ASCII", &b));
    CHECK_STR(b.data, "Plain ASCII");
    buf_reset(&b);
    CHECK(notifier_email_encode_subject(subject, &b));
    /* every encoded word is at most 75 characters and decodes to whole
     * UTF-8 characters; together they give the subject back */
    for (char *w = b.data, *end; w && *w; w = end ? end + 1 : NULL) {
        char *b64;
        int n;

        end = strchr(w, ' ');
        if (end)
            *end = '\0';
        CHECK(strlen(w) <= 75);
        CHECK(strncmp(w, "=?UTF-8?B?", 10) == 0);
        b64 = w + 10;
        b64[strlen(b64) - 2] = '\0';
        n = EVP_DecodeBlock(decoded, (unsigned char *)b64, (int)strlen(b64));
        while (n > 0 && b64[strlen(b64) - 1] == '=' && decoded[n - 1] == 0) {
            n--;
            b64[strlen(b64) - 1] = '\0';
        }
        CHECK(n > 0 && (decoded[0] & 0xC0) != 0x80);
        strncat(joined, (char *)decoded, (size_t)n);
    }
    CHECK_STR(joined, subject);
    buf_release(&b);
}

/* ---- sms ---- */

static void
test_sms_json_template(void)
{
    char cfg[512];
    struct notifier *nf;
    struct notice n = order_notice;
    struct outcome o;
    json_t *s, *sms, *fields;

    snprintf(
        cfg, sizeof(cfg),
        "{\"type\":\"sms\",\"url\":\"http://127.0.0.1:%d/sms/ok\","
        "\"headers\":{\"Authorization\":\"Bearer gw-token\"},"
        "\"body\":\"{\\\"to\\\":\\\"{phone}\\\",\\\"content\\\":\\\"{text}\\\","
        "\\\"ref\\\":\\\"{event_id}\\\"}\"}",
        http_port);
    nf = make(cfg);
    n.recipient = "+8613800000000";
    n.text = "【绛县】请执行\"橙色\"预警措施\\停产\n详见通知";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_DELIVERED);
    s = stats();
    sms = json_array_get(json_object_get(s, "sms"),
                         json_array_size(json_object_get(s, "sms")) - 1);
    fields = json_object_get(sms, "fields");
    CHECK_STR(json_string_value(json_object_get(fields, "to")), n.recipient);
    CHECK_STR(json_string_value(json_object_get(fields, "content")), n.text);
    CHECK_STR(json_string_value(json_object_get(fields, "ref")), n.event_id);
    CHECK_STR(json_string_value(json_object_get(sms, "auth")),
              "Bearer gw-token");
    CHECK_STR(json_string_value(json_object_get(sms, "method")), "POST");
    json_decref(s);
    notifier_free(nf);
}

static void
test_sms_form_template_and_query(void)
{
    char cfg[512];
    struct notifier *nf;
    struct notice n = order_notice;
    struct outcome o;
    json_t *s, *sms, *fields;

    snprintf(cfg, sizeof(cfg),
             "{\"type\":\"sms\",\"method\":\"PUT\","
             "\"url\":\"http://127.0.0.1:%d/sms/ok?ref={event_id}\","
             "\"body_format\":\"form\",\"body\":\"mobile={phone}&msg={text}\"}",
             http_port);
    nf = make(cfg);
    n.recipient = "+86 138-0000-0001";
    n.text = "绛县 a&b=c+d 100%";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_DELIVERED);
    s = stats();
    sms = json_array_get(json_object_get(s, "sms"),
                         json_array_size(json_object_get(s, "sms")) - 1);
    fields = json_object_get(sms, "fields");
    CHECK_STR(json_string_value(json_object_get(sms, "method")), "PUT");
    CHECK_STR(json_string_value(json_object_get(fields, "mobile")),
              n.recipient);
    CHECK_STR(json_string_value(json_object_get(fields, "msg")), n.text);
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(sms, "query"), "ref")),
              n.event_id);
    json_decref(s);
    notifier_free(nf);
}

static void
test_sms_status_mapping(void)
{
    static const struct {
        const char *mode;
        enum notify_status want;
        long ra;
    } cases[] = {
        { "500", NOTIFY_TRANSIENT, -1 },
        { "429", NOTIFY_TRANSIENT, 7000 },
        { "400", NOTIFY_PERMANENT, -1 },
    };
    for (size_t i = 0; i < SM_ARRAY_LEN(cases); i++) {
        char cfg[256];
        struct notifier *nf;
        struct outcome o;

        snprintf(cfg, sizeof(cfg),
                 "{\"type\":\"sms\",\"url\":\"http://127.0.0.1:%d/sms/%s\","
                 "\"body\":\"{\\\"to\\\":\\\"{phone}\\\"}\"}",
                 http_port, cases[i].mode);
        nf = make(cfg);
        o = send_and_wait(nf, &order_notice);
        CHECK_INT(o.r.status, cases[i].want);
        CHECK_INT(o.r.retry_after_ms, cases[i].ra);
        notifier_free(nf);
    }
}

/* ---- file ---- */

static void
test_file_appends_json_lines(void)
{
    char cfg[256], path[128], line[2048];
    struct notifier *nf;
    struct notice n = order_notice;
    struct outcome o;
    FILE *f;
    int lines = 0;

    snprintf(path, sizeof(path), "%s/notices.jsonl", tmpdir);
    snprintf(cfg, sizeof(cfg), "{\"type\":\"file\",\"path\":\"%s\"}", path);
    nf = make(cfg);
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_DELIVERED);
    n.event_id = "order:42:v3";
    n.json = "not json";
    o = send_and_wait(nf, &n);
    CHECK_INT(o.r.status, NOTIFY_DELIVERED);
    f = fopen(path, "r");
    CHECK(f != NULL);
    while (f && fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, NULL);

        lines++;
        CHECK(j != NULL);
        CHECK(line[strlen(line) - 1] == '\n');
        if (lines == 1) {
            CHECK_STR(json_string_value(json_object_get(j, "event_id")),
                      "order:42:v2");
            CHECK_STR(json_string_value(json_object_get(j, "text")),
                      order_notice.text);
            CHECK_INT(json_integer_value(json_object_get(
                          json_object_get(j, "payload"), "order_id")),
                      42);
            CHECK(strstr(json_string_value(json_object_get(j, "written_at")),
                         "+08:00") != NULL);
        } else {
            CHECK_STR(json_string_value(json_object_get(j, "event_id")),
                      "order:42:v3");
            CHECK_STR(json_string_value(json_object_get(j, "payload")),
                      "not json");
        }
        json_decref(j);
    }
    CHECK_INT(lines, 2);
    if (f)
        fclose(f);
    notifier_free(nf);

    /* an unwritable path is transient: the directory may come back */
    snprintf(cfg, sizeof(cfg),
             "{\"type\":\"file\",\"path\":\"%s/missing/dir.jsonl\"}", tmpdir);
    nf = make(cfg);
    o = send_and_wait(nf, &order_notice);
    CHECK_INT(o.r.status, NOTIFY_TRANSIENT);
    notifier_free(nf);
}

/* the notices sent in one loop turn share one append-and-flush */
static void
test_file_one_flush_per_turn(void)
{
    char cfg[256], path[128], line[2048];
    struct notifier *nf;
    struct notice n[3] = { order_notice, order_notice, order_notice };
    struct outcome o[3] = { { 0 } };
    struct timeval ten = { 10, 0 };
    struct event *dog = evtimer_new(base, on_watchdog, NULL);
    FILE *f;
    int lines = 0;

    snprintf(path, sizeof(path), "%s/turn.jsonl", tmpdir);
    snprintf(cfg, sizeof(cfg), "{\"type\":\"file\",\"path\":\"%s\"}", path);
    nf = make(cfg);
    n[1].event_id = "order:42:v4";
    n[2].event_id = NULL; /* refused, without holding the others back */
    in_send = true;
    for (int i = 0; i < 3; i++)
        notifier_send(nf, &n[i], on_done, &o[i]);
    in_send = false;
    CHECK_INT(o[0].calls + o[1].calls + o[2].calls, 0);
    CHECK_INT((long)notifier_file_flushes(nf), 0);
    evtimer_add(dog, &ten);
    event_base_dispatch(base);
    event_free(dog);
    CHECK_INT((long)notifier_file_flushes(nf), 1);
    CHECK_INT(o[0].calls, 1);
    CHECK_INT(o[0].r.status, NOTIFY_DELIVERED);
    CHECK_INT(o[1].r.status, NOTIFY_DELIVERED);
    CHECK_INT(o[2].r.status, NOTIFY_PERMANENT);
    f = fopen(path, "r");
    CHECK(f != NULL);
    while (f && fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, NULL);
        CHECK_STR(json_string_value(json_object_get(j, "event_id")),
                  lines == 0 ? "order:42:v2" : "order:42:v4");
        json_decref(j);
        lines++;
    }
    CHECK_INT(lines, 2);
    if (f)
        fclose(f);
    notifier_free(nf);
}

/* ---- configuration ---- */

static enum sm_err
try_config(const char *config_json, struct sm_diag *d)
{
    struct notifier *nf = NULL;
    json_t *cfg = json_loads(config_json, 0, NULL);
    enum sm_err err;

    memset(d, 0, sizeof(*d));
    err = notifier_create(&nf, base, &env, cfg, d);
    json_decref(cfg);
    CHECK((err == SM_OK) == (nf != NULL));
    notifier_free(nf);
    return err;
}

static void
test_config_errors_name_the_key(void)
{
    struct sm_diag d;

    CHECK(notifier_find("webhook") == &notifier_webhook_ops);
    CHECK(notifier_find("email") == &notifier_email_ops);
    CHECK(notifier_find("sms") == &notifier_sms_ops);
    CHECK(notifier_find("file") == &notifier_file_ops);
    CHECK(notifier_find("pager") == NULL);
    CHECK_INT(try_config("{\"type\":\"pager\"}", &d), SM_ERR_NOTFOUND);
    CHECK_STR(d.code, "unknown_notifier");
    CHECK_INT(try_config("{\"url\":\"http://x/\"}", &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "missing_key");
    CHECK_INT(try_config("{\"type\":\"webhook\",\"url\":\"http://x/\"}", &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "missing_key");
    CHECK(strstr(d.text, "\"secret\"") != NULL);
    CHECK_INT(
        try_config(
            "{\"type\":\"webhook\",\"url\":\"ftp://x/\",\"secret\":\"s\"}", &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_url");
    CHECK_INT(
        try_config("{\"type\":\"webhook\",\"secret\":\"s\",\"retries\":3}", &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_key");
    CHECK(strstr(d.text, "\"retries\"") != NULL);
    CHECK_INT(
        try_config("{\"type\":\"webhook\",\"secret\":\"s\",\"timeout_ms\":5}",
                   &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "out_of_range");
    CHECK_INT(
        try_config(
            "{\"type\":\"webhook\",\"secret\":\"s\",\"headers\":{\"X-A\":\"a\\r\\nB: c\"}}",
            &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_header");
    CHECK_INT(
        try_config(
            "{\"type\":\"email\",\"url\":\"smtp://127.0.0.1\",\"from\":\"a@b\",\"tls\":\"maybe\"}",
            &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_tls");
    CHECK_INT(
        try_config(
            "{\"type\":\"email\",\"url\":\"http://127.0.0.1\",\"from\":\"a@b\"}",
            &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_url");
    CHECK_INT(
        try_config(
            "{\"type\":\"sms\",\"url\":\"http://gw/\",\"body\":\"to={mobile}\"}",
            &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_placeholder");
    CHECK(strstr(d.text, "{mobile}") != NULL);
    CHECK_INT(
        try_config(
            "{\"type\":\"sms\",\"url\":\"http://gw/\",\"method\":\"GET\",\"body\":\"x\"}",
            &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_body");
    CHECK_INT(try_config("{\"type\":\"file\"}", &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "missing_key");
    CHECK_INT(
        try_config("{\"type\":\"file\",\"path\":\"/tmp/x\",\"sync\":\"yes\"}",
                   &d),
        SM_ERR_INVAL);
    CHECK_STR(d.code, "bad_type");
}

int
main(void)
{
    static const struct check_case cases[] = {
        CHECK_CASE(test_webhook_delivered_and_signed),
        CHECK_CASE(test_webhook_wrong_secret_is_refused_by_receiver),
        CHECK_CASE(test_webhook_500_is_transient),
        CHECK_CASE(test_webhook_408_is_transient),
        CHECK_CASE(test_webhook_429_retry_after_seconds),
        CHECK_CASE(test_webhook_429_retry_after_http_date),
        CHECK_CASE(test_webhook_400_is_permanent),
        CHECK_CASE(test_webhook_connection_refused_is_transient),
        CHECK_CASE(test_webhook_hang_times_out_without_blocking_the_loop),
        CHECK_CASE(test_webhook_parallel_sends_each_delivered_once),
        CHECK_CASE(test_webhook_free_abandons_sends_in_flight),
        CHECK_CASE(test_webhook_bad_notice_is_permanent_and_deferred),
        CHECK_CASE(test_retry_after_parsing),
        CHECK_CASE(test_email_delivered_with_chinese_text_and_json_attachment),
        CHECK_CASE(test_email_4xx_transient_5xx_permanent),
        CHECK_CASE(test_email_relay_down_is_transient),
        CHECK_CASE(test_email_subject_encoding),
        CHECK_CASE(test_sms_json_template),
        CHECK_CASE(test_sms_form_template_and_query),
        CHECK_CASE(test_sms_status_mapping),
        CHECK_CASE(test_file_appends_json_lines), CHECK_CASE(test_file_one_flush_per_turn),
        CHECK_CASE(test_config_errors_name_the_key),
    };
    int rc;

    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/smogd-notify-XXXXXX");
    if (!mkdtemp(tmpdir))
        abort();
    receivers_start();
    dead_port = unused_port();
    base = event_base_new();
    if (curl_loop_new(&curl, base) != SM_OK)
        abort();
    env.curl = curl;
    env.now_ms = real_now_ms;
    rc = check_run(cases, SM_ARRAY_LEN(cases));
    curl_loop_free(curl);
    event_base_free(base);
    receivers_stop();
    {
        char path[128];

        snprintf(path, sizeof(path), "%s/notices.jsonl", tmpdir);
        unlink(path);
        rmdir(tmpdir);
    }
    return rc;
}
