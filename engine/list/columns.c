/* Header names: the contract's English keys, its Chinese names and the
 * spellings common in county lists. */
#include "list/columns.h"

#include <string.h>
#include <strings.h>

#define MAX_ALIASES 8

static const struct {
    const char *key;
    const char *zh;
    const char *aliases[MAX_ALIASES];
} COLUMNS[LIST_COL_COUNT] = {
    [LIST_COL_USCC] = { "uscc", "统一社会信用代码",
                        { "信用代码", "社会信用代码" } },
    [LIST_COL_NAME] = { "name", "企业名称", { "enterprise", "单位名称" } },
    [LIST_COL_TOWN] = { "town", "乡镇", { "乡镇代码", "所在乡镇" } },
    [LIST_COL_INDUSTRY] = { "industry", "行业", { "所属行业", "行业类别" } },
    [LIST_COL_GRADE] = { "grade", "绩效等级", { "绩效分级", "等级" } },
    [LIST_COL_LINE] = { "line", "生产线/工序",
                        { "生产线", "工序", "生产线或工序" } },
    [LIST_COL_SO2] = { "so2", "二氧化硫",
                       { "SO2排放量", "二氧化硫排放量", "排放量SO2" } },
    [LIST_COL_NOX] = { "nox", "氮氧化物",
                       { "NOx排放量", "氮氧化物排放量", "排放量NOx" } },
    [LIST_COL_PM] = { "pm", "颗粒物",
                      { "PM排放量", "颗粒物排放量", "排放量PM" } },
    [LIST_COL_VOCS] = { "vocs", "挥发性有机物",
                        { "VOCs排放量", "挥发性有机物排放量", "排放量VOCs" } },
    [LIST_COL_POWER_KW] = { "power_kw", "正常生产负荷",
                            { "power", "负荷", "用电负荷" } },
    [LIST_COL_YELLOW] = { "yellow", "黄色预警措施",
                          { "黄色", "黄色预警" } },
    [LIST_COL_ORANGE] = { "orange", "橙色预警措施",
                          { "橙色", "橙色预警" } },
    [LIST_COL_RED] = { "red", "红色预警措施", { "红色", "红色预警" } },
};

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* header trimmed and without a trailing "(...)" / "（...）" into out */
static void
normalise(const char *h, char *out, size_t cap)
{
    const char *b = h, *e = h + strlen(h);
    size_t n;

    while (b < e && is_blank(*b))
        b++;
    while (e > b && is_blank(e[-1]))
        e--;
    if (e > b && e[-1] == ')') {
        const char *p = e - 1;
        while (p > b && *p != '(')
            p--;
        if (*p == '(' && p > b)
            e = p;
    } else if (e - b >= 3 && memcmp(e - 3, "\xef\xbc\x89", 3) == 0) {
        const char *p = e - 3;
        while (p - b >= 3 && memcmp(p, "\xef\xbc\x88", 3) != 0)
            p--;
        if (p > b && memcmp(p, "\xef\xbc\x88", 3) == 0)
            e = p;
    }
    while (e > b && is_blank(e[-1]))
        e--;
    n = (size_t)(e - b);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, b, n);
    out[n] = '\0';
}

int
list_column_lookup(const char *header)
{
    char h[256];

    normalise(header, h, sizeof(h));
    for (int c = 0; c < LIST_COL_COUNT; c++) {
        if (strcasecmp(h, COLUMNS[c].key) == 0 ||
            strcmp(h, COLUMNS[c].zh) == 0)
            return c;
        for (int i = 0; i < MAX_ALIASES && COLUMNS[c].aliases[i]; i++) {
            if (strcasecmp(h, COLUMNS[c].aliases[i]) == 0)
                return c;
        }
    }
    return -1;
}

const char *
list_column_key(enum list_column c)
{
    return (unsigned)c < LIST_COL_COUNT ? COLUMNS[c].key : "?";
}

const char *
list_column_zh(enum list_column c)
{
    return (unsigned)c < LIST_COL_COUNT ? COLUMNS[c].zh : "?";
}
