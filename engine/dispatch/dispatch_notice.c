/* What a notice expands into, and the text and body each delivery carries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/level.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "dispatch/dispatch_int.h"
#include "list/measure.h"
#include "notice_render.h"
#include "notifier.h"
#include "ruleset/ruleset.h"
#include "store/store_orders.h"

#define LOG_MODULE "dispatch"

static void
add_target(struct dispatch_target *out, int *n, enum dispatch_channel ch, const char *recipient)
{
    if (*n >= DISPATCH_MAX_TARGETS || !recipient || !*recipient)
        return;
    out[*n].channel = ch;
    out[*n].recipient = xstrdup(recipient);
    (*n)++;
}

/* the lists were validated when stored (API, import) */
static void
add_json_list(const struct dispatch_config *cfg, const char *text, enum dispatch_channel ch,
              struct dispatch_target *out, int *n)
{
    json_t *list, *v;
    size_t i;

    if (!cfg->channel[ch] || !text)
        return;
    list = json_loads(text, 0, NULL);
    if (json_is_array(list))
        json_array_foreach(list, i, v) add_target(out, n, ch, json_string_value(v));
    json_decref(list);
}

int
dispatch_targets(const struct dispatch_config *cfg, const struct outbox_row *o,
                 const struct contact_rec *c, struct dispatch_target *out)
{
    int n = 0;

    if (o->kind && strcmp(o->kind, "report") == 0) {
        /* reports go up to the city, never to enterprises or officers */
        if (cfg->city_webhook && cfg->channel[CH_WEBHOOK])
            add_target(out, &n, CH_WEBHOOK, cfg->city_webhook);
        for (int i = 0; cfg->channel[CH_EMAIL] && i < cfg->n_city_emails; i++)
            add_target(out, &n, CH_EMAIL, cfg->city_emails[i]);
    } else if (o->enterprise && c) {
        if (c->webhook_url && cfg->channel[CH_WEBHOOK])
            add_target(out, &n, CH_WEBHOOK, c->webhook_url);
        add_json_list(cfg, c->emails, CH_EMAIL, out, &n);
        add_json_list(cfg, c->phones, CH_SMS, out, &n);
    } else if (!o->enterprise) {
        if (cfg->officer_webhook && cfg->channel[CH_WEBHOOK])
            add_target(out, &n, CH_WEBHOOK, cfg->officer_webhook);
        for (int i = 0; cfg->channel[CH_EMAIL] && i < cfg->n_officer_emails; i++)
            add_target(out, &n, CH_EMAIL, cfg->officer_emails[i]);
        for (int i = 0; cfg->channel[CH_SMS] && i < cfg->n_officer_phones; i++)
            add_target(out, &n, CH_SMS, cfg->officer_phones[i]);
        if (cfg->officer_file)
            add_target(out, &n, CH_FILE, cfg->officer_file);
    }
    /* the file channel is the record of every notice */
    if (cfg->channel[CH_FILE])
        add_target(out, &n, CH_FILE,
                   json_string_value(json_object_get(cfg->channel[CH_FILE], "path")));
    return n;
}

void
dispatch_targets_release(struct dispatch_target *t, int n)
{
    for (int i = 0; i < n; i++)
        free(t[i].recipient);
}

/* ---- texts ---- */

char *
dispatch_action_text(const json_t *m, const struct measure_rules *rules)
{
    const char *action = json_string_value(json_object_get(m, "action"));
    const char *text = json_string_value(json_object_get(m, "text"));
    json_t *pct = json_object_get(m, "limit_pct");
    const struct measure_action_rule *ar = measure_rules_find(rules, action);
    char base[MEASURE_NAME_MAX + 32];

    if (ar) {
        /* the action's first name, as the list writes it: 停产, 限产30% */
        struct measure ms = { .takes_pct = ar->takes_limit_pct && json_is_number(pct),
                              .limit_pct = json_number_value(pct) };

        snprintf(ms.name, sizeof(ms.name), "%s", ar->names[0]);
        measure_format(&ms, base, sizeof(base));
        /* an order's text is the list's whole measure ("限产30%；夜间"):
         * the notice shows what follows the action, not the action twice */
        for (size_t i = 0; text && i < ar->n_names; i++) {
            char as_listed[MEASURE_NAME_MAX + 32];
            size_t n;

            snprintf(ms.name, sizeof(ms.name), "%s", ar->names[i]);
            measure_format(&ms, as_listed, sizeof(as_listed));
            n = strlen(as_listed);
            if (n && strncmp(text, as_listed, n) == 0 &&
                (!text[n] || text[n] == ';' || strncmp(text + n, "；", 3) == 0)) {
                text += n;
                text += *text == ';' ? 1 : *text ? 3 : 0;
                break;
            }
        }
    } else {
        /* an action the rules in force no longer have: its key */
        snprintf(base, sizeof(base), "%s", action ? action : "");
    }
    if (text && *text)
        return xasprintf("%s（%s）", base, text);
    return xstrdup(base);
}

static const char *
str_or_empty(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *
alert_reason(const char *kind, const json_t *payload)
{
    const char *reason = json_string_value(json_object_get(payload, "reason"));

    if (reason)
        return reason;
    if (strcmp(kind, "officer_alert") == 0)
        return "企业未在确认期限内确认指令";
    return "";
}

/* new: the template variables for an order (order may be NULL) */
static json_t *
template_vars(const json_t *order, const struct delivery_row *d, const json_t *payload,
              const char *public_url, const struct measure_rules *rules)
{
    json_t *vars = json_object(), *measures = json_array(), *m;
    enum level level = LEVEL_NONE;
    size_t i;
    char *url;

    (void)level_parse(str_or_empty(order, "level"), &level);
    json_object_set_new(vars, "enterprise_name", json_string(str_or_empty(order, "enterprise_name")));
    json_object_set_new(vars, "uscc", json_string(order ? str_or_empty(order, "enterprise")
                                                        : (d->enterprise ? d->enterprise : "")));
    json_object_set_new(vars, "level_text", json_string(notice_level_text(level)));
    json_object_set_new(vars, "order_id", json_integer(d->order_id));
    json_object_set_new(vars, "version", json_integer(json_integer_value(json_object_get(order, "version"))));
    json_array_foreach(json_object_get(order, "measures"), i, m)
    {
        char *a = dispatch_action_text(m, rules);
        json_array_append_new(measures, json_pack("{s:s,s:s}", "line", str_or_empty(m, "line"),
                                                  "action", a));
        free(a);
    }
    json_object_set_new(vars, "measures", measures);
    json_object_set_new(vars, "effective_from", json_string(str_or_empty(order, "effective_from")));
    json_object_set_new(vars, "ack_deadline", json_string(str_or_empty(order, "ack_deadline")));
    url = xasprintf("%s/v1/orders/%lld", public_url ? public_url : "", (long long)d->order_id);
    json_object_set_new(vars, "ack_url", json_string(url));
    free(url);
    json_object_set_new(vars, "reason", json_string(alert_reason(d->kind, payload)));
    return vars;
}

const char *const dispatch_template_kinds[] = { "order_issued",  "order_superseded",
                                                "order_lifted",  "ack_reminder",
                                                "officer_alert", NULL };

/* new: an order with every field a notice shows, to check templates with */
static json_t *
sample_order(void)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:[{s:s,s:s,s:f,s:s}],s:s,s:s}", "enterprise_name",
                     "示例企业", "enterprise", "91140826MA0K000001", "level", "orange",
                     "version", 1, "measures", "line", "1号线", "action", "limit", "limit_pct",
                     30.0, "text", "", "effective_from", "2025-12-01T20:00:00+08:00",
                     "ack_deadline", "2025-12-01T22:00:00+08:00");
}

/* Renders tmpl with a sample of kind's variables; diag names path. */
static enum sm_err
check_template(const char *dir, const char *kind, const char *tmpl, struct sm_diag *diag)
{
    struct delivery_row d = { .order_id = 1, .kind = kind, .enterprise = "91140826MA0K000001",
                              .event_id = "order:1:v1", .payload = "{}" };
    json_t *order = sample_order();
    json_t *vars = template_vars(order, &d, NULL, "https://smogd.example.cn", NULL);
    struct buf subject, body;
    enum sm_err err;

    buf_init(&subject, 4096);
    buf_init(&body, 64 * 1024);
    err = notice_render_text(tmpl, kind, vars, &subject, &body, diag);
    if (err && diag)
        snprintf(diag->source, sizeof(diag->source), "%s/%s.txt", dir, kind);
    buf_release(&subject);
    buf_release(&body);
    json_decref(vars);
    json_decref(order);
    return err;
}

enum sm_err
dispatch_templates_load(const char *dir, struct notice_templates **out, struct sm_diag *diag)
{
    struct notice_templates *set = NULL;
    enum sm_err err = notice_templates_load(dir, dispatch_template_kinds, &set, diag);

    for (size_t i = 0; !err && dispatch_template_kinds[i]; i++) {
        const char *kind = dispatch_template_kinds[i];
        const char *tmpl = notice_templates_get(set, kind);

        if (tmpl)
            err = check_template(dir, kind, tmpl, diag);
        else
            log_warn("no template %s/%s.txt: those notices go out as plain text", dir, kind);
    }
    if (err) {
        notice_templates_free(set);
        return err;
    }
    *out = set;
    return SM_OK;
}

enum sm_err
dispatch_notice_build(struct store *s, const struct dispatch_config *cfg,
                      const struct measure_rules *rules, int tz_min, const char *public_url,
                      const struct delivery_row *d, struct dispatch_notice *out)
{
    json_t *order = NULL, *payload, *body, *vars;
    struct buf subject, text;
    struct sm_diag diag = { 0 };
    const char *tmpl;
    enum sm_err err;

    memset(out, 0, sizeof(*out));
    if (strcmp(d->kind, "report") == 0) {
        dispatch_report_notice(d, public_url, out);
        return SM_OK;
    }
    if (d->order_id) {
        err = store_order_json(s, d->order_id, tz_min, 0, &order);
        if (err && err != SM_ERR_NOTFOUND)
            return err;
    }
    payload = json_loads(d->payload, 0, NULL);
    vars = template_vars(order, d, payload, public_url, rules);
    buf_init(&subject, 4096);
    buf_init(&text, 64 * 1024);
    tmpl = notice_templates_get(cfg->templates, d->kind);
    if (!tmpl) {
        sm_diag_set(&diag, "no_template", "no template for this kind");
        err = SM_ERR_NOTFOUND;
    } else {
        err = notice_render_text(tmpl, d->kind, vars, &subject, &text, &diag);
    }
    if (err || !subject.data || !text.data) {
        /* a notice is never held back for want of a template */
        log_warn("notice %s: template %s/%s.txt: %s; sending a plain text", d->event_id,
                 notice_templates_dir(cfg->templates), d->kind, diag.text);
        out->subject = xasprintf("【绛县重污染天气应急】%s %s", d->kind, d->event_id);
        out->text = xasprintf("%s\n%s\n", d->event_id, d->payload);
    } else {
        out->subject = xstrndup(subject.data, subject.len);
        out->text = xstrndup(text.data, text.len);
    }
    buf_release(&subject);
    buf_release(&text);
    json_decref(vars);

    body = json_pack("{s:s,s:s,s:b}", "event_id", d->event_id, "kind", d->kind, "drill", d->drill);
    json_object_set_new(body, "order", order ? order : json_null());
    if (strcmp(d->kind, "officer_alert") == 0 && payload)
        json_object_set(body, "alert", payload);
    out->json = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    json_decref(payload);
    return SM_OK;
}

void
dispatch_notice_release(struct dispatch_notice *n)
{
    free(n->subject);
    free(n->text);
    free(n->json);
    free(n->attachment_name);
    memset(n, 0, sizeof(*n));
}
