/* The notice that carries a report to the city. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "dispatch/dispatch_int.h"

static long long
num(const json_t *o, const char *a, const char *b)
{
    return (long long)json_integer_value(json_object_get(json_object_get(o, a), b));
}

static const char *
str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

void
dispatch_report_notice(const struct delivery_row *d, const char *public_url,
                       struct dispatch_notice *out)
{
    json_t *r = json_loads(d->payload, 0, NULL);
    const json_t *county = json_object_get(r, "county"), *period = json_object_get(r, "period");
    long long id = 0;
    int version = 0;
    struct buf t;

    memset(out, 0, sizeof(*out));
    /* event ids are "report:<id>:v<n>" (written by ops/cityreport.c) */
    if (strncmp(d->event_id, "report:", 7) == 0) {
        char *end = NULL;
        id = strtoll(d->event_id + 7, &end, 10);
        if (end && strncmp(end, ":v", 2) == 0)
            version = (int)strtol(end + 2, &end, 10);
        if (!end || *end || id <= 0 || version <= 0)
            id = version = 0;
    }
    out->subject = xasprintf("【%s】%s（第%lld期）%s", str(county, "name"), str(r, "title"),
                             (long long)json_integer_value(json_object_get(r, "number")),
                             json_is_true(json_object_get(r, "drill")) ? "【演练】" : "");
    buf_init(&t, 64 * 1024);
    /* the figures the city reads first; the whole report is attached */
    if (!buf_printf(&t, "%s%s（第%lld期）\n统计时段：%s 至 %s\n\n", str(county, "name"),
                    str(r, "title"), (long long)json_integer_value(json_object_get(r, "number")),
                    str(period, "from"), str(period, "to")) ||
        !buf_printf(&t, "减排指令：%lld 个版本，涉及 %lld 家企业；按时确认 %lld，逾期确认 %lld，"
                        "超期未确认 %lld，待确认 %lld。\n",
                    num(r, "orders", "versions"), num(r, "orders", "enterprises"),
                    num(r, "acknowledgements", "on_time"), num(r, "acknowledgements", "late"),
                    num(r, "acknowledgements", "missing"), num(r, "acknowledgements", "pending")) ||
        !buf_printf(&t, "企业合规：合规 %lld，违规 %lld，未知 %lld；本期现场检查 %lld 次。\n",
                    num(r, "compliance", "compliant"), num(r, "compliance", "violation"),
                    num(r, "compliance", "unknown"),
                    (long long)json_integer_value(json_object_get(
                        json_object_get(json_object_get(r, "inspections"), "period"), "total"))) ||
        !buf_printf(&t, "违规企业（生产线）：%zu 条，处置情况见附件。\n",
                    json_array_size(json_object_get(r, "violations"))) ||
        (*str(r, "remarks") && !buf_printf(&t, "备注：%s\n", str(r, "remarks"))) ||
        !buf_printf(&t, "\n完整报告（JSON）见附件；表格版：%s/v1/reports/%lld?format=xlsx\n",
                    public_url ? public_url : "", id))
        buf_reset(&t); /* a huge remark: the attachment still carries everything */
    out->text = t.len ? xstrndup(t.data, t.len) : xstrdup("见附件。\n");
    buf_release(&t);
    out->json = xstrdup(d->payload);
    out->attachment_name = xasprintf("city-report-%lld-v%d.json", id, version);
    json_decref(r);
}
