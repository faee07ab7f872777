#ifndef SM_DISPATCH_DISPATCH_INT_H
#define SM_DISPATCH_DISPATCH_INT_H

/* Inside the dispatch module: the notifiers file, recipients and notices. */
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "dispatch/dispatch.h"
#include "store/store_dispatch.h"

struct measure_rules;
struct notice_templates;
struct store;

enum dispatch_channel { CH_WEBHOOK, CH_EMAIL, CH_SMS, CH_FILE, CH_COUNT };

/* borrowed: "webhook", "email", "sms", "file" */
const char *dispatch_channel_name(enum dispatch_channel ch);
/* false for an unknown name */
bool dispatch_channel_parse(const char *name, enum dispatch_channel *out);

#define DISPATCH_MAX_OFFICER_CONTACTS 32

/* The notifiers file, checked. */
struct dispatch_config {
    json_t *root;              /* owned: the whole file (or the built default) */
    json_t *channel[CH_COUNT]; /* borrowed from root, "type" filled in; NULL: off */
    const char *officer_emails[DISPATCH_MAX_OFFICER_CONTACTS];
    int n_officer_emails;
    const char *officer_phones[DISPATCH_MAX_OFFICER_CONTACTS];
    int n_officer_phones;
    const char *officer_webhook; /* NULL: none */
    const char *officer_file;    /* NULL: none */
    /* the city's recipients of reports (kind "report") */
    const char *city_emails[DISPATCH_MAX_OFFICER_CONTACTS];
    int n_city_emails;
    const char *city_webhook; /* NULL: none */
    int64_t base_ms, cap_ms, deadline_ms;
    int max_attempts;
    char *templates_dir; /* owned */
    /* owned: the notice templates, read and checked with the file (and on
     * reload), so that sending a notice reads no file */
    struct notice_templates *templates;
};

/* Reads path (NULL: the default, one file channel writing
 * <db_path>.notices.jsonl). Unknown keys, wrong types and bad addresses are
 * refused with diag naming the file and the key. */
SM_NODISCARD enum sm_err dispatch_config_load(struct dispatch_config *c, const char *path,
                                              const char *db_path, struct sm_diag *diag);
/* As dispatch_config_load, from text; source names it in messages. */
SM_NODISCARD enum sm_err dispatch_config_parse(struct dispatch_config *c, const char *text,
                                               const char *source, const char *db_path,
                                               struct sm_diag *diag);
void dispatch_config_release(struct dispatch_config *c);

/* The kinds of notice that have templates, NULL-ended (borrowed). */
extern const char *const dispatch_template_kinds[];
/* new (*out): the templates of dispatch_template_kinds under dir, each
 * checked by rendering it with the variables a notice has (a sample order):
 * an unknown placeholder or a malformed tag is an error whose diag names
 * the file (source), line, column and why. A kind without a file is left
 * out (its notices go out as plain text) and logged. On error *out is
 * untouched. */
SM_NODISCARD enum sm_err dispatch_templates_load(const char *dir, struct notice_templates **out,
                                                 struct sm_diag *diag);
/* Reads c->templates_dir again and swaps the new set in; on error the old
 * set stays in force and diag says what, where and why. */
SM_NODISCARD enum sm_err dispatch_config_reload_templates(struct dispatch_config *c,
                                                          struct sm_diag *diag);

/* One recipient of a notice on one channel. */
struct dispatch_target {
    enum dispatch_channel channel;
    char *recipient; /* owned: freed by dispatch_targets_release */
};
#define DISPATCH_MAX_TARGETS 80

/* The deliveries a notice expands into: the enterprise's contacts (c may be
 * NULL) or, for officer alerts (o->enterprise NULL), the officers; plus the
 * file channel for every notice. Channels not configured are skipped.
 * Returns the count written to out. */
int dispatch_targets(const struct dispatch_config *cfg, const struct outbox_row *o,
                     const struct contact_rec *c, struct dispatch_target *out);
void dispatch_targets_release(struct dispatch_target *t, int n);

/* Expands notices not yet expanded into deliveries, in id order: a batch
 * of notices per transaction, and a decision's notice a slice of its
 * per-order notices per transaction (store_notices_write_owed). budget
 * > 0: stops after about that many notices with *more set, so the loop
 * serves others before the next slice; 0: until none is left. */
SM_NODISCARD enum sm_err dispatch_expand(struct store *s, const struct dispatch_config *cfg,
                                         int64_t now, int budget, bool *more);

/* A notice ready to send; every string owned. */
struct dispatch_notice {
    char *subject, *text, *json;
    char *attachment_name; /* NULL: "notice.json" */
};
/* Builds subject and text (from the templates, with the order's data; an
 * action is shown by its name in rules, borrowed, may be NULL) and the JSON
 * body {"event_id", "kind", "drill", "order", ["alert"]}. Never fails for
 * want of a template: a plain fallback text is used and logged. */
SM_NODISCARD enum sm_err dispatch_notice_build(struct store *s, const struct dispatch_config *cfg,
                                               const struct measure_rules *rules, int tz_min,
                                               const char *public_url,
                                               const struct delivery_row *d,
                                               struct dispatch_notice *out);
/* new: how a notice shows one measure of an order ({"action", "limit_pct",
 * "text"}): the first name rules (borrowed; rules/measures.json) give its
 * action, with N% for an action taking one ("停产", "限产30%"), then
 * "（text）" when there is text; the action's key when rules lack it. */
char *dispatch_action_text(const json_t *measure, const struct measure_rules *rules);
void dispatch_notice_release(struct dispatch_notice *n);

/* The notice of a report to the city (kind "report"): the subject and a
 * short Chinese summary from the report JSON in the payload; the JSON body
 * is the payload itself, byte for byte (its SHA-256 is the one audited);
 * attached to e-mail as city-report-<id>-v<n>.json. */
void dispatch_report_notice(const struct delivery_row *d, const char *public_url,
                            struct dispatch_notice *out);

#endif
