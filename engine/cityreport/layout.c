/* The report as tables with Chinese captions and headings: what the HTML
 * page and the workbook show, built once so both agree cell for cell. */
#include <stdio.h>
#include <string.h>

#include "cityreport/cityreport_int.h"

static const struct {
    const char *key, *label;
} labels[] = {
    { "yellow", "黄色" },        { "orange", "橙色" },          { "red", "红色" },
    { "none", "无" },            { "issued", "已下达未确认" },  { "acknowledged", "已确认" },
    { "superseded", "已被替代" }, { "lifted", "已解除" },        { "on_time", "按时确认" },
    { "late", "逾期确认" },      { "missing", "超期未确认" },   { "pending", "待确认（未到期）" },
    { "withdrawn", "到期前已撤销" }, { "compliant", "合规" },    { "violation", "违规" },
    { "unknown", "未知" },       { "so2", "二氧化硫" },         { "nox", "氮氧化物" },
    { "pm", "颗粒物" },          { "vocs", "挥发性有机物" },    { "daily", "日报" },
    { "summary", "总结报告" },   { "municipal", "市级预警" },   { "local", "本地触发" },
    { "manual", "人工调整" },    { "timer", "定时" },
};

const char *
cityreport_label(const char *key)
{
    for (size_t i = 0; key && i < SM_ARRAY_LEN(labels); i++)
        if (strcmp(labels[i].key, key) == 0)
            return labels[i].label;
    return key ? key : "";
}

static const char *
s(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));

    return v ? v : "";
}

static json_t *
table(const char *caption, json_t *header)
{
    return json_pack("{s:s,s:o,s:[]}", "caption", caption, "header", header, "rows");
}

static void
add_row(json_t *t, json_t *row)
{
    json_array_append_new(json_object_get(t, "rows"), row);
}

static json_t *
kv(const char *k, json_t *v)
{
    return json_pack("[s,o]", k, v ? v : json_string(""));
}

static json_t *
copy_or_empty(const json_t *v)
{
    return v && !json_is_null(v) ? json_copy((json_t *)v) : json_string("");
}

static json_t *
basics(const json_t *r)
{
    const json_t *ep = json_object_get(r, "episode"), *county = json_object_get(r, "county");
    const json_t *period = json_object_get(r, "period");
    json_t *t = table("基本情况", json_pack("[s,s]", "项目", "内容"));
    char buf[160];

    snprintf(buf, sizeof(buf), "%s（%s）", s(county, "name"), s(county, "code"));
    add_row(t, kv("县（区）", json_string(buf)));
    add_row(t, kv("报告类型", json_string(cityreport_label(s(r, "kind")))));
    add_row(t, kv("期数", copy_or_empty(json_object_get(r, "number"))));
    add_row(t, kv("应急过程编号", copy_or_empty(json_object_get(ep, "id"))));
    add_row(t, kv("启动时间", copy_or_empty(json_object_get(ep, "opened_at"))));
    add_row(t, kv("解除时间", copy_or_empty(json_object_get(ep, "closed_at"))));
    add_row(t, kv("最高预警级别", json_string(cityreport_label(s(ep, "max_level")))));
    snprintf(buf, sizeof(buf), "%s 至 %s", s(period, "from"), s(period, "to"));
    add_row(t, kv("统计时段", json_string(buf)));
    add_row(t, kv("截止时间", copy_or_empty(json_object_get(r, "cutoff"))));
    add_row(t, kv("生成时间", copy_or_empty(json_object_get(r, "generated_at"))));
    if (json_is_true(json_object_get(r, "drill")))
        add_row(t, kv("性质", json_string("演练")));
    return t;
}

static json_t *
orders_table(const json_t *r)
{
    static const char *const st[] = { "issued", "acknowledged", "superseded", "lifted", "total" };
    const json_t *orders = json_object_get(r, "orders"), *lv;
    json_t *t = table("减排指令下达情况（指令版本数）",
                      json_pack("[s,s,s,s,s,s]", "预警级别", "已下达未确认", "已确认", "已被替代",
                                "已解除", "合计"));
    size_t i;

    json_array_foreach(json_object_get(orders, "by_level"), i, lv) {
        json_t *row = json_pack("[s]", cityreport_label(s(lv, "level")));
        for (size_t k = 0; k < SM_ARRAY_LEN(st); k++)
            json_array_append(row, json_object_get(lv, st[k]));
        add_row(t, row);
    }
    json_t *row = json_pack("[s]", "合计");
    for (size_t k = 0; k + 1 < SM_ARRAY_LEN(st); k++)
        json_array_append(row, json_object_get(json_object_get(orders, "by_status"), st[k]));
    json_array_append(row, json_object_get(orders, "versions"));
    add_row(t, row);
    return t;
}

static json_t *
acks_table(const json_t *r)
{
    static const char *const keys[] = { "on_time", "late", "missing", "pending", "withdrawn" };
    const json_t *a = json_object_get(r, "acknowledgements");
    json_t *t = table("指令确认情况", json_pack("[s,s]", "项目", "数量"));

    for (size_t i = 0; i < SM_ARRAY_LEN(keys); i++)
        add_row(t, kv(cityreport_label(keys[i]), copy_or_empty(json_object_get(a, keys[i]))));
    return t;
}

static json_t *
compliance_table(const json_t *r, const char *caption, const char *by, const char *keyname,
                 const char *heading)
{
    const json_t *c = json_object_get(r, "compliance"), *g;
    json_t *t = table(caption, json_pack("[s,s,s,s,s]", heading, "企业数", "合规", "违规", "未知"));
    size_t i;

    json_array_foreach(json_object_get(c, by), i, g)
        add_row(t, json_pack("[s,O,O,O,O]", s(g, keyname), json_object_get(g, "enterprises"),
                             json_object_get(g, "compliant"), json_object_get(g, "violation"),
                             json_object_get(g, "unknown")));
    add_row(t, json_pack("[s,O,O,O,O]", "合计", json_object_get(c, "enterprises"),
                         json_object_get(c, "compliant"), json_object_get(c, "violation"),
                         json_object_get(c, "unknown")));
    return t;
}

static json_t *
inspections_table(const json_t *r)
{
    const json_t *in = json_object_get(r, "inspections");
    json_t *t = table("现场检查情况", json_pack("[s,s,s,s]", "时段", "检查次数", "合规", "违规"));
    const char *const keys[] = { "period", "episode" };
    const char *const names[] = { "本期", "应急过程累计" };

    for (int i = 0; i < 2; i++) {
        const json_t *p = json_object_get(in, keys[i]);
        add_row(t, json_pack("[s,O,O,O]", names[i], json_object_get(p, "total"),
                             json_object_get(p, "compliant"), json_object_get(p, "violation")));
    }
    return t;
}

static json_t *
reductions_table(const json_t *r)
{
    const json_t *red = json_object_get(r, "reductions"), *p;
    char caption[128];
    json_t *t;
    size_t i;

    snprintf(caption, sizeof(caption), "污染物减排情况（%s预警要求）",
             cityreport_label(s(red, "level")));
    t = table(caption, json_pack("[s,s,s,s,s,s,s,s,s]", "污染物", "基准排放量(kg/d)",
                                 "承诺减排量(kg/d)", "实测减排量(kg/d)", "承诺减排比例(%)",
                                 "实测减排比例(%)", "要求减排比例(%)", "承诺是否达标",
                                 "实测是否达标"));
    json_array_foreach(json_object_get(red, "pollutants"), i, p)
        add_row(t, json_pack("[s,O,O,O,O,O,O,s,s]", cityreport_label(s(p, "pollutant")),
                             json_object_get(p, "baseline_kg_d"),
                             json_object_get(p, "promised_kg_d"),
                             json_object_get(p, "achieved_kg_d"), json_object_get(p, "promised_pct"),
                             json_object_get(p, "achieved_pct"), json_object_get(p, "required_pct"),
                             json_is_true(json_object_get(p, "promised_meets_required")) ? "是" : "否",
                             json_is_true(json_object_get(p, "achieved_meets_required")) ? "是"
                                                                                         : "否"));
    return t;
}

static json_t *
notes_table(const json_t *r)
{
    json_t *t = table("备注", json_pack("[s,s]", "项目", "内容"));

    add_row(t, kv("备注", copy_or_empty(json_object_get(r, "remarks"))));
    if (json_object_get(r, "lessons"))
        add_row(t, kv("经验与教训", copy_or_empty(json_object_get(r, "lessons"))));
    return t;
}

static json_t *
violations_table(const json_t *r)
{
    json_t *t = table("违规企业及处置情况",
                      json_pack("[s,s,s,s,s,s,s,s]", "指令编号", "企业名称", "统一社会信用代码",
                                "乡镇", "生产线/工序", "判定时间", "证据摘要", "处置措施"));
    const json_t *v;
    size_t i;

    json_array_foreach(json_object_get(r, "violations"), i, v)
        add_row(t, json_pack("[O,s,s,s,s,o,s,s]", json_object_get(v, "order_id"),
                             s(v, "enterprise_name"), s(v, "enterprise"), s(v, "town"),
                             s(v, "line"), copy_or_empty(json_object_get(v, "judged_at")),
                             s(v, "evidence"), s(v, "action_taken")));
    return t;
}

static json_t *
timeline_table(const json_t *r)
{
    json_t *t = table("预警级别变化过程", json_pack("[s,s,s,s,s]", "时间", "调整前", "调整后",
                                                    "来源", "原因"));
    const json_t *d;
    size_t i;

    json_array_foreach(json_object_get(r, "timeline"), i, d)
        add_row(t, json_pack("[s,s,s,s,s]", s(d, "at"), cityreport_label(s(d, "from")),
                             cityreport_label(s(d, "to")), cityreport_label(s(d, "source")),
                             s(d, "reason")));
    return t;
}

json_t *
cityreport_layout(const json_t *r)
{
    json_t *main_tables = json_array();

    json_array_append_new(main_tables, basics(r));
    json_array_append_new(main_tables, orders_table(r));
    json_array_append_new(main_tables, acks_table(r));
    json_array_append_new(main_tables, compliance_table(r, "企业合规情况（按乡镇）", "by_town",
                                                        "town", "乡镇"));
    json_array_append_new(main_tables, compliance_table(r, "企业合规情况（按行业）",
                                                        "by_industry", "industry", "行业"));
    json_array_append_new(main_tables, inspections_table(r));
    json_array_append_new(main_tables, reductions_table(r));
    json_array_append_new(main_tables, notes_table(r));
    return json_pack("{s:o,s:o,s:o}", "main", main_tables, "violations", violations_table(r),
                     "timeline", timeline_table(r));
}
