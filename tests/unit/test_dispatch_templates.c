/* dispatch: notice templates are read and checked once (start, reload),
 * never per delivery; a broken set at reload keeps the old one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "check.h"
#include "dispatch/dispatch.h"
#include "dispatch/dispatch_int.h"

static char dir[64];

static void
write_template(const char *kind, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.txt", dir, kind);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void
remove_dir(void)
{
    char path[128];

    for (size_t i = 0; dispatch_template_kinds[i]; i++) {
        snprintf(path, sizeof(path), "%s/%s.txt", dir, dispatch_template_kinds[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void
make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/smogd-templates-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

static enum sm_err
parse_config(struct dispatch_config *c, struct sm_diag *d)
{
    char *text = xasprintf("{\"templates\": \"%s\"}", dir);
    enum sm_err err = dispatch_config_parse(c, text, "n.json", "db", d);

    free(text);
    return err;
}

/* new (caller frees): the subject of an ack_reminder notice for order 7 */
static char *
subject_of(const struct dispatch_config *c, const char *kind)
{
    struct delivery_row row = { .id = 1, .order_id = 0, .event_id = "order:7:v1:x",
                                .kind = kind, .payload = "{}" };
    struct dispatch_notice n;
    char *s;

    /* order_id 0: no order to read, so no store is needed */
    CHECK_INT(dispatch_notice_build(NULL, c, NULL, 480, "https://jx.example.cn", &row, &n), SM_OK);
    s = xstrdup(n.subject ? n.subject : "");
    dispatch_notice_release(&n);
    return s;
}

static void
check_subject(const struct dispatch_config *c, const char *kind, const char *want)
{
    char *got = subject_of(c, kind);

    CHECK_STR(got, want);
    free(got);
}

static void
templates_read_once_not_per_delivery(void)
{
    struct dispatch_config c;
    struct sm_diag d = { 0 };

    make_dir();
    write_template("ack_reminder", "提醒 {{uscc}}\n\n请确认 {{ack_url}}\n");
    CHECK_INT(parse_config(&c, &d), SM_OK);
    check_subject(&c, "ack_reminder", "提醒 ");
    /* a change on disk is not seen by the next delivery... */
    write_template("ack_reminder", "已改 {{uscc}}\n\n请确认\n");
    check_subject(&c, "ack_reminder", "提醒 ");
    /* ...nor a file gone */
    remove_dir();
    check_subject(&c, "ack_reminder", "提醒 ");
    /* a kind the set lacks goes out as the plain fallback */
    check_subject(&c, "order_issued", "【绛县重污染天气应急】order_issued order:7:v1:x");
    dispatch_config_release(&c);
}

static void
reload_swaps_a_good_set_keeps_the_old_on_error(void)
{
    struct dispatch_config c;
    struct sm_diag d = { 0 };
    char want_source[128];

    make_dir();
    write_template("ack_reminder", "提醒 {{order_id}}\n\n请确认\n");
    CHECK_INT(parse_config(&c, &d), SM_OK);
    check_subject(&c, "ack_reminder", "提醒 0");

    /* a placeholder no notice has: refused with file, line, column, why */
    write_template("ack_reminder", "已改 {{order_id}}\n\n请 {{ack_link}} 确认\n");
    d = (struct sm_diag){ 0 };
    CHECK_INT(dispatch_config_reload_templates(&c, &d), SM_ERR_INVAL);
    snprintf(want_source, sizeof(want_source), "%s/ack_reminder.txt", dir);
    CHECK_STR(d.source, want_source);
    CHECK_INT(d.line, 3);
    CHECK_INT(d.column, 3);
    CHECK_STR(d.code, "unknown_placeholder");
    CHECK(strstr(d.text, "ack_link") != NULL);
    check_subject(&c, "ack_reminder", "提醒 0");

    /* a malformed tag in another kind: the whole new set is refused */
    write_template("ack_reminder", "已改 {{order_id}}\n\n请确认\n");
    write_template("officer_alert", "告警\n\n{{#reason}}\n");
    d = (struct sm_diag){ 0 };
    CHECK_INT(dispatch_config_reload_templates(&c, &d), SM_ERR_PARSE);
    snprintf(want_source, sizeof(want_source), "%s/officer_alert.txt", dir);
    CHECK_STR(d.source, want_source);
    CHECK_STR(d.code, "unclosed_section");
    CHECK_INT(d.line, 3);
    check_subject(&c, "ack_reminder", "提醒 0");

    /* fixed: swapped in */
    write_template("officer_alert", "告警 {{reason}}\n\n{{reason}}\n");
    CHECK_INT(dispatch_config_reload_templates(&c, &d), SM_OK);
    check_subject(&c, "ack_reminder", "已改 0");
    dispatch_config_release(&c);

    /* at start a broken template is refused the same way */
    write_template("order_lifted", "解除 {{levl_text}}\n\nx\n");
    d = (struct sm_diag){ 0 };
    CHECK_INT(parse_config(&c, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_placeholder");
    CHECK_INT(d.line, 1);
    CHECK_INT(d.column, 4);
    remove_dir();
}

static void
shipped_templates_pass_the_check(void)
{
    struct dispatch_config c;
    struct sm_diag d = { 0 };

    /* the default directory is the installed or the source tree's set */
    CHECK_INT(dispatch_config_parse(&c, NULL, "default", "db", &d), SM_OK);
    for (size_t i = 0; dispatch_template_kinds[i]; i++) {
        char *s = subject_of(&c, dispatch_template_kinds[i]);
        char *fallback = xasprintf("【绛县重污染天气应急】%s order:7:v1:x", dispatch_template_kinds[i]);
        CHECK(strcmp(s, fallback) != 0);
        CHECK(strncmp(s, "【绛县重污染天气应急】", strlen("【绛县重污染天气应急】")) == 0);
        free(fallback);
        free(s);
    }
    dispatch_config_release(&c);
}

CHECK_MAIN(CHECK_CASE(templates_read_once_not_per_delivery),
           CHECK_CASE(reload_swaps_a_good_set_keeps_the_old_on_error),
           CHECK_CASE(shipped_templates_pass_the_check))
