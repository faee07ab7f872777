/* email: SMTP through libcurl (a local relay over smtp://, or smtps:// and
 * STARTTLS by config). The message is MIME: a UTF-8 plain-text part for
 * people (base64, so Chinese survives any relay) and the JSON payload as an
 * attachment for machines. SMTP 4xx is transient, 5xx permanent. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "curl_loop.h"
#include "notifier.h"
#include "notifier_int.h"

#define EMAIL_MAX_SUBJECT_LEN 900 /* bytes of UTF-8; headers stay < 998 */

struct email {
    struct event_base *base;  /* borrowed */
    struct notifier_env *env; /* borrowed */
    char *url;
    char *from;
    char *username; /* NULL: no AUTH */
    char *password; /* never logged */
    long use_ssl;   /* CURLUSESSL_NONE, _TRY or _ALL */
    long timeout_ms;
    long connect_timeout_ms;
};

struct email_send {
    struct email *em;
    notifier_done_fn *done;
    void *arg;
    struct curl_slist *rcpt;
    struct curl_slist *headers;
    curl_mime *mime;
    char errbuf[CURL_ERROR_SIZE];
};

static void
email_destroy(void *state)
{
    struct email *em = state;

    if (!em)
        return;
    curl_loop_cancel_owner(em->env->curl, em);
    free(em->url);
    free(em->from);
    free(em->username);
    free(em->password);
    free(em);
}

/* A bare address: one '@', no spaces, brackets or line breaks. */
static bool
is_plain_address(const char *s)
{
    const char *at = strchr(s, '@');

    return at && at != s && at[1] && !strchr(at + 1, '@') &&
           !strpbrk(s, " \t\r\n<>,;\"()");
}

static enum sm_err
email_create(struct event_base *base, struct notifier_env *env,
             const json_t *config, void **state, struct sm_diag *diag)
{
    static const char *const keys[] = {
        "url", "from",       "username",           "password",
        "tls", "timeout_ms", "connect_timeout_ms", NULL
    };
    static const char *const smtp_schemes[] = { "smtp", "smtps", NULL };
    struct email *em = xcalloc(1, sizeof(*em));
    const char *url, *from, *user, *pass, *tls;
    enum sm_err err;

    em->base = base;
    em->env = env;
    *state = NULL;
    if ((err = notifier_cfg_check_keys(config, keys, diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "url", true, &url, diag)) !=
            SM_OK ||
        (err = notifier_cfg_get_string(config, "from", true, &from, diag)) !=
            SM_OK ||
        (err = notifier_cfg_get_string(config, "username", false, &user,
                                       diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "password", false, &pass,
                                       diag)) != SM_OK ||
        (err = notifier_cfg_get_string(config, "tls", false, &tls, diag)) !=
            SM_OK ||
        (err = notifier_cfg_get_long(
             config, "timeout_ms", NOTIFIER_DEFAULT_TIMEOUT_MS, 100,
             NOTIFIER_MAX_TIMEOUT_MS, &em->timeout_ms, diag)) != SM_OK ||
        (err = notifier_cfg_get_long(config, "connect_timeout_ms",
                                     NOTIFIER_DEFAULT_CONNECT_TIMEOUT_MS, 100,
                                     NOTIFIER_MAX_TIMEOUT_MS,
                                     &em->connect_timeout_ms, diag)) != SM_OK)
        goto fail;
    err = SM_ERR_INVAL;
    if (!notifier_url_has_scheme(url, smtp_schemes)) {
        sm_diag_set(diag, "bad_url", "\"url\" must be smtp:// or smtps://");
        goto fail;
    }
    if (!is_plain_address(from)) {
        sm_diag_set(diag, "bad_address",
                    "\"from\" must be a bare address like duty@example.org");
        goto fail;
    }
    if (!user != !pass) {
        sm_diag_set(diag, "bad_auth",
                    "\"username\" and \"password\" go together");
        goto fail;
    }
    if (!tls || strcmp(tls, "none") == 0) {
        em->use_ssl = CURLUSESSL_NONE;
    } else if (strcmp(tls, "try") == 0) {
        em->use_ssl = CURLUSESSL_TRY;
    } else if (strcmp(tls, "all") == 0) {
        em->use_ssl = CURLUSESSL_ALL;
    } else {
        sm_diag_set(diag, "bad_tls",
                    "\"tls\" must be \"none\", \"try\" or \"all\"");
        goto fail;
    }
    em->url = xstrdup(url);
    em->from = xstrdup(from);
    em->username = user ? xstrdup(user) : NULL;
    em->password = pass ? xstrdup(pass) : NULL;
    *state = em;
    return SM_OK;
fail:
    email_destroy(em);
    return err;
}

static bool
is_ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* RFC 2047 "B" encoded words of at most 45 bytes of UTF-8 each (60 base64
 * characters, so every word stays under 75), never splitting a character.
 * Words are separated by a space, which readers drop between encoded words. */
bool
notifier_email_encode_subject(const char *s, struct buf *out)
{
    size_t len = strlen(s), off = 0;

    if (is_ascii_printable(s))
        return buf_addstr(out, s);
    while (off < len) {
        size_t n = len - off > 45 ? 45 : len - off;
        unsigned char b64[64];

        /* back up to the start of a character */
        while (n < len - off && n > 0 &&
               ((unsigned char)s[off + n] & 0xC0) == 0x80)
            n--;
        EVP_EncodeBlock(b64, (const unsigned char *)s + off, (int)n);
        if (!buf_printf(out, "%s=?UTF-8?B?%s?=", off ? " " : "", b64))
            return false;
        off += n;
    }
    return true;
}

/* RFC 5322 date in +08:00: "Tue, 13 Jan 2026 08:00:00 +0800". */
static void
email_date(int64_t now_ms, char out[40])
{
    static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed",
                                        "Thu", "Fri", "Sat" };
    static const char *const mon[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    int64_t local_ms = now_ms + SM_TZ_SHANGHAI_MIN * SM_MS_PER_MIN;
    int64_t days = local_ms / SM_MS_PER_DAY, ms_of_day;
    int y;
    unsigned m, d;

    if (local_ms % SM_MS_PER_DAY < 0)
        days--;
    ms_of_day = local_ms - days * SM_MS_PER_DAY;
    sm_civil_from_days(days, &y, &m, &d);
    snprintf(out, 40, "%s, %u %s %d %02d:%02d:%02d +0800",
             wday[((days % 7) + 11) % 7], d, mon[m - 1], y,
             (int)(ms_of_day / 3600000), (int)(ms_of_day / 60000 % 60),
             (int)(ms_of_day / 1000 % 60));
}

static void
email_send_free(struct email_send *x)
{
    curl_slist_free_all(x->rcpt);
    curl_slist_free_all(x->headers);
    curl_mime_free(x->mime);
    free(x);
}

static void
on_email_done(void *arg, CURL *easy, CURLcode rc, bool cancelled)
{
    struct email_send *x = arg;
    notifier_done_fn *done = x->done;
    void *done_arg = x->arg;
    struct notify_result r;
    long code = 0;

    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK)
        notify_result_set(&r, NOTIFY_DELIVERED, "SMTP %ld", code);
    else if (code >= 500 && code <= 599)
        notify_result_set(&r, NOTIFY_PERMANENT, "SMTP %ld: %s", code,
                          x->errbuf);
    else if (code >= 400 && code <= 499)
        notify_result_set(&r, NOTIFY_TRANSIENT, "SMTP %ld: %s", code,
                          x->errbuf);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        notify_result_set(&r, NOTIFY_TRANSIENT, "timeout after %ld ms",
                          x->em->timeout_ms);
    else
        notify_result_set(
            &r,
            notifier_curl_error_is_permanent(rc) ? NOTIFY_PERMANENT
                                                 : NOTIFY_TRANSIENT,
            "%s: %s", curl_easy_strerror(rc), *x->errbuf ? x->errbuf : "-");
    r.smtp_code = (int)code;
    curl_easy_cleanup(easy);
    email_send_free(x);
    if (!cancelled)
        done(done_arg, &r);
}

static void
add_header(struct curl_slist **list, const char *name, const char *value)
{
    char *line = xasprintf("%s: %s", name, value);

    *list = curl_slist_append(*list, line);
    free(line);
}

static void
email_send(void *state, const struct notice *n, notifier_done_fn *done,
           void *arg)
{
    struct email *em = state;
    struct email_send *x = xcalloc(1, sizeof(*x));
    struct notify_result r;
    struct buf subject;
    curl_mimepart *part;
    char date[40];
    CURL *easy = NULL;

    x->em = em;
    x->done = done;
    x->arg = arg;
    buf_init(&subject, 4096);
    if (!n->recipient || !is_plain_address(n->recipient) || !n->event_id ||
        notifier_has_line_break(n->event_id) || !n->text) {
        notify_result_set(&r, NOTIFY_PERMANENT,
                          "notice needs an e-mail address, an event_id and a "
                          "text");
        goto fail;
    }
    if (!n->subject || strlen(n->subject) > EMAIL_MAX_SUBJECT_LEN ||
        notifier_has_line_break(n->subject) ||
        !notifier_email_encode_subject(n->subject, &subject)) {
        notify_result_set(&r, NOTIFY_PERMANENT,
                          "notice needs a one-line subject of at most %d bytes",
                          EMAIL_MAX_SUBJECT_LEN);
        goto fail;
    }
    if (!(easy = curl_easy_init())) {
        notify_result_set(&r, NOTIFY_TRANSIENT, "curl_easy_init failed");
        goto fail;
    }
    x->rcpt = curl_slist_append(NULL, n->recipient);
    email_date(em->env->now_ms(em->env->clock), date);
    add_header(&x->headers, "Date", date);
    add_header(&x->headers, "From", em->from);
    add_header(&x->headers, "To", n->recipient);
    add_header(&x->headers, "Subject", subject.data);
    add_header(&x->headers, "X-Smogd-Event", n->event_id);
    if (n->kind && !notifier_has_line_break(n->kind))
        add_header(&x->headers, "X-Smogd-Kind", n->kind);

    x->mime = curl_mime_init(easy);
    part = curl_mime_addpart(x->mime);
    curl_mime_data(part, n->text, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=UTF-8");
    curl_mime_encoder(part, "base64");
    if (n->json) {
        const char *name =
            n->attachment_name ? n->attachment_name : "notice.json";

        part = curl_mime_addpart(x->mime);
        curl_mime_data(part, n->json, CURL_ZERO_TERMINATED);
        curl_mime_type(part, "application/json; charset=UTF-8");
        curl_mime_filename(part, notifier_has_line_break(name) ? "notice.json"
                                                               : name);
        curl_mime_encoder(part, "base64");
    }

    curl_easy_setopt(easy, CURLOPT_URL, em->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(easy, CURLOPT_USE_SSL, em->use_ssl);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, em->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, em->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, em->from);
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, x->rcpt);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(easy, CURLOPT_MIMEPOST, x->mime);
    if (em->username) {
        curl_easy_setopt(easy, CURLOPT_USERNAME, em->username);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, em->password);
    }
    if (curl_loop_add(em->env->curl, easy, em, on_email_done, x) != SM_OK) {
        notify_result_set(&r, NOTIFY_TRANSIENT, "cannot start transfer");
        goto fail;
    }
    buf_release(&subject);
    return;
fail:
    buf_release(&subject);
    if (easy)
        curl_easy_cleanup(easy);
    email_send_free(x);
    notify_report_later(em->base, done, arg, &r);
}

const struct notifier_ops notifier_email_ops = {
    .name = "email",
    .create = email_create,
    .send = email_send,
    .destroy = email_destroy,
};
