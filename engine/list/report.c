/* Reduction ratios of a list and its composition: per level and pollutant
 * the baseline, the reduction the measures achieve (halt 100 %, limit N %,
 * voluntary 0 %), the share and whether it meets the required share. */
#include "list/report.h"

#include <stdlib.h>
#include <string.h>

static const char *const LEVEL_KEYS[3] = { "yellow", "orange", "red" };

void
list_required_shares_default(struct list_required_shares *s)
{
    for (int l = 0; l < 3; l++) {
        for (int p = 0; p < LIST_POLLUTANT_COUNT; p++)
            s->pct[l][p] = 10.0 * (l + 1);
    }
}

void
list_report_init(struct list_report *rep,
                 const struct list_required_shares *required)
{
    memset(rep, 0, sizeof(*rep));
    if (required)
        rep->required = *required;
    else
        list_required_shares_default(&rep->required);
    list_strmap_init(&rep->enterprises);
    list_strmap_init(&rep->industries);
    list_strmap_init(&rep->towns);
}

void
list_report_release(struct list_report *rep)
{
    list_strmap_release(&rep->enterprises);
    list_strmap_release(&rep->industries);
    list_strmap_release(&rep->towns);
}

void
list_report_add_row(struct list_report *rep, const struct list_row *r)
{
    rep->rows++;
    if ((unsigned)r->grade < GRADE_COUNT)
        rep->grade_count[r->grade]++;
    list_strmap_put(&rep->enterprises, r->uscc ? r->uscc : "", NULL)->count++;
    list_strmap_put(&rep->industries, r->industry ? r->industry : "", NULL)
        ->count++;
    list_strmap_put(&rep->towns, r->town ? r->town : "", NULL)->count++;
    for (int p = 0; p < LIST_POLLUTANT_COUNT; p++) {
        double base = list_row_emission(r, (enum list_pollutant)p);
        rep->baseline_kg_day[p] += base;
        for (int l = 0; l < 3; l++)
            rep->reduced_kg_day[l][p] +=
                base * measure_reduction_pct(&r->measures[l]) / 100.0;
    }
}

long
list_report_enterprises(const struct list_report *rep)
{
    return (long)rep->enterprises.count;
}

double
list_report_share_pct(const struct list_report *rep, int level,
                      enum list_pollutant p)
{
    double base;

    if (level < 1 || level > 3 || (unsigned)p >= LIST_POLLUTANT_COUNT)
        return 0;
    base = rep->baseline_kg_day[p];
    return base > 0 ? 100.0 * rep->reduced_kg_day[level - 1][p] / base : 0;
}

double
list_report_required_pct(const struct list_report *rep, int level,
                         enum list_pollutant p)
{
    if (level < 1 || level > 3 || (unsigned)p >= LIST_POLLUTANT_COUNT)
        return 0;
    return rep->required.pct[level - 1][p];
}

bool
list_report_passes(const struct list_report *rep, int level,
                   enum list_pollutant p)
{
    if (rep->baseline_kg_day[p] <= 0)
        return true;
    /* a hair of tolerance: shares are sums of products of decimals */
    return list_report_share_pct(rep, level, p) + 1e-9 >=
           list_report_required_pct(rep, level, p);
}

bool
list_report_all_pass(const struct list_report *rep)
{
    for (int l = 1; l <= 3; l++) {
        for (int p = 0; p < LIST_POLLUTANT_COUNT; p++) {
            if (!list_report_passes(rep, l, (enum list_pollutant)p))
                return false;
        }
    }
    return true;
}

/* columns a terminal gives the UTF-8 string: wide for U+1100 and up */
static int
display_width(const char *s)
{
    int w = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        w += *p >= 0xE1 ? 2 : 1;
    }
    return w;
}

static bool
pad_str(struct buf *out, const char *s, int width)
{
    int w = display_width(s);

    if (!buf_addstr(out, s))
        return false;
    for (; w < width; w++) {
        if (!buf_addstr(out, " "))
            return false;
    }
    return true;
}

static bool
render_counts(struct buf *out, const char *title,
              const struct list_strmap *m)
{
    struct list_strmap_entry **v;
    size_t n;
    bool ok = true;
    int width = 8;

    v = list_strmap_sorted(m, &n);
    for (size_t i = 0; i < n; i++) {
        int w = display_width(v[i]->key);
        if (w > width)
            width = w;
    }
    ok = buf_printf(out, "\n%s\n", title);
    for (size_t i = 0; ok && i < n; i++) {
        ok = buf_addstr(out, "  ") && pad_str(out, v[i]->key, width) &&
             buf_printf(out, " %6ld\n", v[i]->count);
    }
    free(v);
    return ok;
}

bool
list_report_render_text(const struct list_report *rep, struct buf *out)
{
    bool pass = list_report_all_pass(rep);
    bool ok;

    if (rep->year)
        ok = buf_printf(out, "Emission-reduction list %d: ", rep->year);
    else
        ok = buf_addstr(out, "Emission-reduction list: ");
    ok = ok && buf_printf(out, "%ld lines, %ld enterprises\n\n", rep->rows,
                          list_report_enterprises(rep));
    ok = ok && buf_printf(out, "%-7s %-5s %14s %14s %8s %9s  %s\n", "level",
                          "poll.", "baseline kg/d", "reduced kg/d", "share",
                          "required", "result");
    for (int l = 1; ok && l <= 3; l++) {
        for (int p = 0; ok && p < LIST_POLLUTANT_COUNT; p++) {
            enum list_pollutant pp = (enum list_pollutant)p;
            bool none = rep->baseline_kg_day[p] <= 0;
            ok = buf_printf(out, "%-7s %-5s %14.2f %14.2f %6.1f %% %7.1f %%  %s\n",
                            LEVEL_KEYS[l - 1], list_pollutant_name(pp),
                            rep->baseline_kg_day[p],
                            rep->reduced_kg_day[l - 1][p],
                            list_report_share_pct(rep, l, pp),
                            list_report_required_pct(rep, l, pp),
                            none ? "n/a (no baseline)"
                                 : list_report_passes(rep, l, pp) ? "pass"
                                                                  : "FAIL");
        }
    }
    if (ok && !pass) {
        ok = buf_addstr(out, "\n*** THE LIST DOES NOT MEET THE REQUIRED "
                             "REDUCTION SHARES ***\n");
        for (int l = 1; ok && l <= 3; l++) {
            for (int p = 0; ok && p < LIST_POLLUTANT_COUNT; p++) {
                enum list_pollutant pp = (enum list_pollutant)p;
                if (list_report_passes(rep, l, pp))
                    continue;
                ok = buf_printf(out, "*** %s %s: %.1f %% < required %.1f %%\n",
                                LEVEL_KEYS[l - 1], list_pollutant_name(pp),
                                list_report_share_pct(rep, l, pp),
                                list_report_required_pct(rep, l, pp));
            }
        }
    } else if (ok) {
        ok = buf_addstr(out, "\nAll required reduction shares are met.\n");
    }
    ok = ok && buf_addstr(out, "\nGrades\n");
    for (int g = 0; ok && g < GRADE_COUNT; g++) {
        if (!rep->grade_count[g])
            continue;
        ok = buf_addstr(out, "  ") && pad_str(out, grade_name((enum grade)g), 8) &&
             buf_printf(out, " %6ld\n", rep->grade_count[g]);
    }
    ok = ok && render_counts(out, "Industries", &rep->industries);
    ok = ok && render_counts(out, "Towns", &rep->towns);
    return ok;
}

static json_t *
counts_json(const struct list_strmap *m)
{
    json_t *o = json_object();
    struct list_strmap_entry **v;
    size_t n;

    v = list_strmap_sorted(m, &n);
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, v[i]->key, json_integer(v[i]->count));
    free(v);
    return o;
}

json_t *
list_report_to_json(const struct list_report *rep)
{
    json_t *root = json_object();
    json_t *levels = json_object();
    json_t *grades = json_object();

    json_object_set_new(root, "year",
                        rep->year ? json_integer(rep->year) : json_null());
    json_object_set_new(root, "rows", json_integer(rep->rows));
    json_object_set_new(root, "enterprises",
                        json_integer(list_report_enterprises(rep)));
    json_object_set_new(root, "pass", json_boolean(list_report_all_pass(rep)));
    for (int l = 1; l <= 3; l++) {
        json_t *lv = json_object();
        json_t *pols = json_object();
        bool lpass = true;
        double lreq = 0;

        for (int p = 0; p < LIST_POLLUTANT_COUNT; p++) {
            enum list_pollutant pp = (enum list_pollutant)p;
            json_t *po = json_object();
            bool ppass = list_report_passes(rep, l, pp);
            double req = list_report_required_pct(rep, l, pp);

            lpass = lpass && ppass;
            if (req > lreq)
                lreq = req;
            json_object_set_new(po, "baseline_kg_day",
                                json_real(rep->baseline_kg_day[p]));
            json_object_set_new(po, "reduced_kg_day",
                                json_real(rep->reduced_kg_day[l - 1][p]));
            json_object_set_new(po, "share_pct",
                                json_real(list_report_share_pct(rep, l, pp)));
            json_object_set_new(po, "required_pct", json_real(req));
            json_object_set_new(po, "pass", json_boolean(ppass));
            json_object_set_new(pols, list_pollutant_name(pp), po);
        }
        json_object_set_new(lv, "required_pct", json_real(lreq));
        json_object_set_new(lv, "pass", json_boolean(lpass));
        json_object_set_new(lv, "pollutants", pols);
        json_object_set_new(levels, LEVEL_KEYS[l - 1], lv);
    }
    json_object_set_new(root, "levels", levels);
    for (int g = 0; g < GRADE_COUNT; g++)
        json_object_set_new(grades, grade_key((enum grade)g),
                            json_integer(rep->grade_count[g]));
    json_object_set_new(root, "grades", grades);
    json_object_set_new(root, "industries", counts_json(&rep->industries));
    json_object_set_new(root, "towns", counts_json(&rep->towns));
    return root;
}
