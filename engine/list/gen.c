/* Synthetic yearly lists for tests, demos and load: deterministic for a
 * seed, valid by construction (checksummed USCCs, lines unique within an
 * enterprise, one name per USCC). */
#include "list/gen.h"

#include <stdbool.h>
#include <string.h>

#include "list/uscc.h"

struct rng {
    uint64_t s;
};

/* splitmix64: small, fast, and the same on every platform */
static uint64_t
rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned
rng_below(struct rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

static double
rng_between(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rng_next(r) >> 11) / 9007199254740992.0);
}

struct industry {
    const char *name;      /* as listed */
    const char *suffix;    /* of the enterprise name */
    const char *line;      /* line name; "%d#" is put in front when numbered */
    bool numbered;
    int weight;            /* share of enterprises, percent */
    double so2[2], nox[2], pm[2], vocs[2], kw[2];
    /* grade mix in percent: A B B- C D 引领性 非引领性 保障类 */
    int grades[8];
};

static const struct industry INDUSTRIES[] = {
    { "铁合金", "铁合金有限公司", "矿热炉", true, 20,
      { 20, 80 }, { 30, 120 }, { 10, 40 }, { 0, 0 }, { 8000, 25000 },
      { 10, 25, 10, 35, 20, 0, 0, 0 } },
    { "铸造", "铸造有限公司", "熔炼线", true, 20,
      { 1, 5 }, { 2, 8 }, { 3, 15 }, { 2, 10 }, { 500, 3000 },
      { 5, 30, 10, 35, 20, 0, 0, 0 } },
    { "焦化", "焦化有限公司", "焦炉", true, 5,
      { 50, 200 }, { 100, 400 }, { 30, 100 }, { 20, 80 }, { 3000, 10000 },
      { 20, 40, 0, 40, 0, 0, 0, 0 } },
    { "水泥粉磨", "建材有限公司", "水泥磨", true, 10,
      { 0, 0 }, { 0, 0 }, { 5, 30 }, { 0, 0 }, { 1500, 5000 },
      { 10, 30, 0, 40, 20, 0, 0, 0 } },
    { "化工", "化工有限公司", "合成车间", true, 10,
      { 2, 20 }, { 5, 30 }, { 1, 10 }, { 10, 60 }, { 800, 4000 },
      { 0, 0, 0, 0, 0, 15, 85, 0 } },
    { "制药", "制药有限公司", "提取车间", true, 10,
      { 0.5, 3 }, { 1, 5 }, { 0.5, 3 }, { 5, 30 }, { 300, 2000 },
      { 0, 0, 0, 0, 0, 15, 85, 0 } },
    { "机械制造", "机械制造有限公司", "喷涂线", true, 20,
      { 0, 0.5 }, { 0, 1 }, { 0.5, 3 }, { 1, 8 }, { 200, 1500 },
      { 0, 0, 0, 0, 0, 10, 90, 0 } },
    { "供热", "热力有限公司", "燃煤锅炉", true, 5,
      { 30, 120 }, { 50, 150 }, { 10, 40 }, { 0, 0 }, { 1000, 4000 },
      { 0, 0, 0, 0, 0, 0, 0, 100 } },
};

static const char *const GRADE_NAMES[8] = { "A", "B", "B-", "C", "D",
                                            "引领性", "非引领性", "保障类" };

/* yellow, orange, red by grade: the national guide's pattern, strong enough
 * for 10/20/30 % */
static const char *const MEASURES[8][3] = {
    { "自主减排", "自主减排", "自主减排;国五及以上车辆运输" },
    { "限产10%;禁止国四及以下重型货车进出", "限产20%", "停产" },
    { "限产20%", "限产30%", "停产" },
    { "限产50%", "停产", "停产" },
    { "停产", "停产", "停产" },
    { "自主减排", "限产10%", "限产20%" },
    { "限产30%", "限产50%", "停产" },
    { "自主减排;保障民生供热", "限产10%;仅保障供热", "限产20%；仅保障供热" },
};

static const char *const WORD1[] = { "恒", "鑫", "宏", "华", "晋", "瑞", "永",
                                     "金", "中", "泰", "盛", "源", "昌", "丰",
                                     "兴", "安", "顺", "远", "达", "通" };
static const char *const WORD2[] = { "盛", "达", "远", "泰", "源", "丰", "兴",
                                     "石", "和", "鼎", "运", "峰", "辉", "昊",
                                     "信", "祥", "隆", "业", "宇", "晟" };

static const char *const SHANXI_REGIONS[] = { "140802", "140821", "140822",
                                              "140823", "140824", "140825",
                                              "140827", "140105", "140800" };
static const char *const TOWN_SUFFIXES[] = { "100", "101", "102", "103", "104",
                                             "105", "106", "107", "200", "201" };

static const char *const NOTES[] = { "", "", "分表计电已安装", "已安装CEMS",
                                     "门禁视频已联网" };

static const struct industry *
pick_industry(struct rng *r)
{
    unsigned x = rng_below(r, 100);

    for (size_t i = 0; i < SM_ARRAY_LEN(INDUSTRIES); i++) {
        if (x < (unsigned)INDUSTRIES[i].weight)
            return &INDUSTRIES[i];
        x -= (unsigned)INDUSTRIES[i].weight;
    }
    return &INDUSTRIES[0];
}

static int
pick_grade(struct rng *r, const struct industry *ind)
{
    unsigned x = rng_below(r, 100);

    for (int g = 0; g < 8; g++) {
        if (x < (unsigned)ind->grades[g])
            return g;
        x -= (unsigned)ind->grades[g];
    }
    return 6;
}

static void
make_uscc(struct rng *r, long index, const char *county, char out[19])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const char *region = rng_below(r, 100) < 75
                             ? county
                             : SHANXI_REGIONS[rng_below(r, SM_ARRAY_LEN(SHANXI_REGIONS))];
    /* 7919 is prime to 10^8, so the organisation digits differ per index */
    unsigned long org = (unsigned long)((index * 7919L + 1234567L) % 100000000L);

    snprintf(out, 19, "91%.6s%08lu%c", region, org, alphabet[rng_below(r, 31)]);
    out[17] = uscc_check_char(out);
    out[18] = '\0';
}

static double
amount(struct rng *r, const double range[2])
{
    return range[1] <= 0 ? 0 : rng_between(r, range[0], range[1]);
}

enum sm_err
list_generate_csv(FILE *out, long n_lines, uint64_t seed, const char *county)
{
    struct rng r = { seed };
    long written = 0, ent = 0;
    const bool jiang = !county || strcmp(county, "140826") == 0;

    if (!county)
        county = "140826";
    fprintf(out, "统一社会信用代码,企业名称,乡镇,行业,绩效等级,生产线/工序,"
                 "二氧化硫,氮氧化物,颗粒物,挥发性有机物,正常生产负荷,"
                 "黄色预警措施,橙色预警措施,红色预警措施,备注\n");
    while (written < n_lines) {
        const struct industry *ind = pick_industry(&r);
        int grade = pick_grade(&r, ind);
        unsigned roll = rng_below(&r, 100);
        int lines = roll < 55 ? 1 : roll < 85 ? 2 : 3;
        char uscc[19], town[16], name[160];
        size_t w1 = (size_t)ent % SM_ARRAY_LEN(WORD1);
        size_t w2 = ((size_t)ent / SM_ARRAY_LEN(WORD1) + (size_t)ent) %
                    SM_ARRAY_LEN(WORD2);
        long round = ent / (long)(SM_ARRAY_LEN(WORD1) * SM_ARRAY_LEN(WORD2));

        make_uscc(&r, ent, county, uscc);
        snprintf(town, sizeof(town), "%.6s%s", county,
                 TOWN_SUFFIXES[rng_below(&r, jiang ? 10 : 8)]);
        if (round)
            snprintf(name, sizeof(name), "%s%s%s第%ld%s", jiang ? "绛县" : "山西",
                     WORD1[w1], WORD2[w2], round + 1, ind->suffix);
        else
            snprintf(name, sizeof(name), "%s%s%s%s", jiang ? "绛县" : "山西",
                     WORD1[w1], WORD2[w2], ind->suffix);
        for (int l = 1; l <= lines && written < n_lines; l++, written++) {
            double kw = amount(&r, ind->kw);
            fprintf(out, "%s,%s,%s,%s,%s,%d#%s,%.2f,%.2f,%.2f,%.2f,%.0f,%s,%s,%s,%s\n",
                    uscc, name, town, ind->name, GRADE_NAMES[grade], l,
                    ind->line, amount(&r, ind->so2), amount(&r, ind->nox),
                    amount(&r, ind->pm), amount(&r, ind->vocs), kw,
                    MEASURES[grade][0], MEASURES[grade][1], MEASURES[grade][2],
                    NOTES[rng_below(&r, SM_ARRAY_LEN(NOTES))]);
        }
        ent++;
    }
    if (fflush(out) != 0 || ferror(out))
        return SM_ERR_IO;
    return SM_OK;
}
