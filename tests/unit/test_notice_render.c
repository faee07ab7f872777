/* notice templates: the renderer, its errors, and the shipped templates. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "check.h"
#include "notice_render.h"

static const char *
templates_dir(void)
{
    static char dir[512];
    const char *src = getenv("SMOGD_SOURCE_DIR");

    snprintf(dir, sizeof(dir), "%s/notifiers/templates",
             src ? src : SMOGD_SOURCE_DIR);
    return dir;
}

/* new: the example order used in the templates' documentation */
static json_t *
order_vars(void)
{
    json_t *v = json_pack(
        "{s:s, s:s, s:s, s:i, s:i, s:[{s:s, s:s}, {s:s, s:s}], s:s, s:s, s:s, s:s}",
        "enterprise_name", "绛县示例钢铁有限公司", "uscc", "91140826MA0GRX0001",
        "level_text", notice_level_text(LEVEL_ORANGE), "order_id", 42,
        "version", 2, "measures", "line", "烧结机1#", "action", "停产", "line",
        "高炉2#", "action", "限产50%", "effective_from", "2026-01-12 08:00",
        "ack_deadline", "2026-01-12 10:00", "ack_url",
        "https://smogd.example/ack/abc", "reason", "webhook 连续失败");
    return v;
}

static enum sm_err
render(const char *tmpl, json_t *vars, struct buf *out, struct sm_diag *d)
{
    buf_reset(out);
    memset(d, 0, sizeof(*d));
    return notice_render(tmpl, vars, out, d);
}

static void
test_placeholders_and_loop(void)
{
    json_t *v = order_vars();
    struct buf out;
    struct sm_diag d;

    buf_init(&out, 4096);
    CHECK_INT(render("{{enterprise_name}}：{{ level_text }}第{{version}}版", v,
                     &out, &d),
              SM_OK);
    CHECK_STR(out.data, "绛县示例钢铁有限公司：橙色第2版");
    CHECK_INT(
        render(
            "措施：\n{{#measures}}\n- {{line}}：{{action}}（{{order_id}}）\n{{/measures}}\n完",
            v, &out, &d),
        SM_OK);
    CHECK_STR(out.data,
              "措施：\n- 烧结机1#：停产（42）\n- 高炉2#：限产50%（42）\n完");
    CHECK_INT(render("{{#measures}}{{line}};{{/measures}}", v, &out, &d),
              SM_OK);
    CHECK_STR(out.data, "烧结机1#;高炉2#;");
    json_object_set_new(v, "tags", json_pack("[s,s]", "a", "b"));
    CHECK_INT(render("{{#tags}}<{{.}}>{{/tags}} { single } }}", v, &out, &d),
              SM_OK);
    CHECK_STR(out.data, "<a><b> { single } }}");
    json_object_set_new(v, "none", json_null());
    json_object_set_new(v, "pm25", json_real(115.5));
    CHECK_INT(render("[{{none}}]{{pm25}}", v, &out, &d), SM_OK);
    CHECK_STR(out.data, "[]115.5");
    buf_release(&out);
    json_decref(v);
}

static void
test_errors_name_the_place(void)
{
    json_t *v = order_vars();
    struct buf out;
    struct sm_diag d;

    buf_init(&out, 4096);
    CHECK_INT(render("第一行\n您好，{{enterprise}}！", v, &out, &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_placeholder");
    CHECK_STR(d.text, "unknown placeholder {{enterprise}}");
    CHECK_INT(d.line, 2);
    CHECK_INT(d.column, 4);
    CHECK_INT(render("{{#measures}}{{line}}{{lane}}{{/measures}}", v, &out, &d),
              SM_ERR_INVAL);
    CHECK_STR(d.text, "unknown placeholder {{lane}}");
    CHECK_INT(render("a {{uscc", v, &out, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "unterminated_tag");
    CHECK_INT(d.column, 3);
    CHECK_INT(render("{{uscc!}}", v, &out, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "bad_tag");
    CHECK_INT(render("{{#measures}}x", v, &out, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "unclosed_section");
    CHECK_INT(render("{{#measures}}x{{/uscc}}", v, &out, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "mismatched_section");
    CHECK_INT(render("x{{/measures}}", v, &out, &d), SM_ERR_PARSE);
    CHECK_STR(d.code, "mismatched_section");
    CHECK_INT(render("{{#uscc}}x{{/uscc}}", v, &out, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "not_a_list");
    CHECK_INT(render("{{measures}}", v, &out, &d), SM_ERR_INVAL);
    CHECK_STR(d.code, "not_a_scalar");
    buf_release(&out);

    buf_init(&out, 8);
    CHECK_INT(render("{{enterprise_name}}", v, &out, &d), SM_ERR_LIMIT);
    CHECK_STR(d.code, "output_too_long");
    buf_release(&out);
    json_decref(v);
}

static void
test_sections_nest_with_a_depth_cap(void)
{
    json_t *v = json_pack("{s:[{s:[{s:[{s:[{s:[{s:s}]}]}]}]}]}", "a", "a", "a",
                          "a", "a", "x", "deep");
    struct buf out;
    struct sm_diag d;

    buf_init(&out, 4096);
    CHECK_INT(render("{{#a}}{{#a}}{{#a}}{{#a}}{{x}}{{/a}}{{/a}}{{/a}}{{/a}}", v,
                     &out, &d),
              SM_ERR_INVAL); /* 4 deep: the 4th a has no x */
    CHECK_INT(
        render(
            "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{x}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}",
            v, &out, &d),
        SM_ERR_LIMIT);
    CHECK_STR(d.code, "too_deep");
    buf_release(&out);
    json_decref(v);
}

static void
test_level_text(void)
{
    CHECK_STR(notice_level_text(LEVEL_YELLOW), "黄色");
    CHECK_STR(notice_level_text(LEVEL_ORANGE), "橙色");
    CHECK_STR(notice_level_text(LEVEL_RED), "红色");
    CHECK_STR(notice_level_text(LEVEL_NONE), "无");
}

static void
test_shipped_templates_render(void)
{
    static const char *const kinds[] = { "order_issued", "order_superseded",
                                         "order_lifted", "ack_reminder",
                                         "officer_alert" };
    json_t *v = order_vars();
    struct sm_diag d = { 0 };

    for (size_t i = 0; i < SM_ARRAY_LEN(kinds); i++) {
        struct buf subject, body;

        buf_init(&subject, 1024);
        buf_init(&body, 16384);
        CHECK_INT(notice_render_kind(templates_dir(), kinds[i], v, &subject,
                                     &body, &d),
                  SM_OK);
        CHECK(subject.data && strstr(subject.data, "绛县示例钢铁有限公司"));
        CHECK(subject.data && !strchr(subject.data, '\n'));
        CHECK(body.data && strstr(body.data, "91140826MA0GRX0001"));
        CHECK(body.data && !strstr(body.data, "{{"));
        buf_release(&subject);
        buf_release(&body);
    }
    json_decref(v);
}

static void
test_order_issued_text(void)
{
    json_t *v = order_vars();
    struct buf subject, body;
    struct sm_diag d = { 0 };

    buf_init(&subject, 1024);
    buf_init(&body, 16384);
    CHECK_INT(notice_render_kind(templates_dir(), "order_issued", v, &subject,
                                 &body, &d),
              SM_OK);
    CHECK_STR(subject.data,
              "【绛县重污染天气应急】橙色预警减排指令：绛县示例钢铁有限公司");
    CHECK(
        strstr(
            body.data,
            "\n\n烧结机1#：停产\n高炉2#：限产50%\n\n请于 2026-01-12 10:00 前") !=
        NULL);
    CHECK(strstr(body.data, "https://smogd.example/ack/abc\n") != NULL);
    CHECK(strstr(body.data, "（指令编号 42，第 2 版）") != NULL);
    buf_release(&subject);
    buf_release(&body);

    /* a template naming a variable the order lacks fails, naming it */
    json_object_del(v, "ack_url");
    buf_init(&subject, 1024);
    buf_init(&body, 16384);
    CHECK_INT(notice_render_kind(templates_dir(), "order_issued", v, &subject,
                                 &body, &d),
              SM_ERR_INVAL);
    CHECK_STR(d.code, "unknown_placeholder");
    CHECK_STR(d.text, "unknown placeholder {{ack_url}}");
    CHECK_STR(d.source, "order_issued.txt");
    CHECK(d.line > 1);
    CHECK_INT(notice_render_kind(templates_dir(), "no_such_kind", v, &subject,
                                 &body, &d),
              SM_ERR_NOTFOUND);
    CHECK_INT(
        notice_render_kind(templates_dir(), "../etc", v, &subject, &body, &d),
        SM_ERR_INVAL);
    buf_release(&subject);
    buf_release(&body);
    json_decref(v);
}

CHECK_MAIN(CHECK_CASE(test_placeholders_and_loop),
           CHECK_CASE(test_errors_name_the_place),
           CHECK_CASE(test_sections_nest_with_a_depth_cap),
           CHECK_CASE(test_level_text),
           CHECK_CASE(test_shipped_templates_render),
           CHECK_CASE(test_order_issued_text))
