/* Every rule a list row must follow (contract §5, domain.md §4, §6, §7):
 * field syntax, USCC checksum and region, town inside the county, grade,
 * numbers, measures; one name per USCC and unique lines per enterprise
 * across rows; warnings for measures weaker at a higher level and for
 * voluntary measures at orange or red outside A and 保障类. */
#include "list/validate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "list/uscc.h"

#define FIELD_MAX_BYTES 1024

void
list_validator_init(struct list_validator *v, const char *county,
                    const struct measure_rules *measures)
{
    snprintf(v->county, sizeof(v->county), "%s", county ? county : "");
    v->own_rules = measures ? NULL : ruleset_default();
    v->measures = measures ? measures : &v->own_rules->measures;
    list_strmap_init(&v->names);
    list_strmap_init(&v->lines);
}

void
list_validator_release(struct list_validator *v)
{
    list_strmap_release(&v->names);
    list_strmap_release(&v->lines);
    ruleset_unref(v->own_rules);
    v->own_rules = NULL;
}

bool
list_parse_number(const char *s, double *out)
{
    const char *p = s;
    char *end = NULL;
    double x;

    while (*p == ' ' || *p == '\t')
        p++;
    /* only plain decimals: strtod alone would take "0x1p3", "inf", "nan" */
    for (const char *q = p; *q; q++) {
        if (!strchr("0123456789.+-eE \t", *q))
            return false;
    }
    if (!*p)
        return false;
    errno = 0;
    x = strtod(p, &end);
    /* ERANGE: beyond a double, or so small it would be read as 0 */
    if (end == p || errno == ERANGE)
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || !isfinite(x))
        return false;
    *out = x;
    return true;
}

static const char *
label_of(const struct list_fields *f, enum list_column c)
{
    return f->label[c] ? f->label[c] : list_column_key(c);
}

static bool
is_blank_str(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    }
    return true;
}

/* a trimmed copy of the required text column c, or NULL after an error */
static char *
take_text(const struct list_fields *f, enum list_column c,
          struct list_diags *d)
{
    const char *s = f->value[c];
    const char *b, *e;

    if (!s || is_blank_str(s)) {
        list_diags_error(d, f->line, label_of(f, c), "value_missing",
                         "required value is empty");
        return NULL;
    }
    if (strlen(s) > FIELD_MAX_BYTES) {
        list_diags_error(d, f->line, label_of(f, c), "value_too_long",
                         "value is longer than %d bytes", FIELD_MAX_BYTES);
        return NULL;
    }
    b = s;
    e = s + strlen(s);
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return xstrndup(b, (size_t)(e - b));
}

static bool
check_uscc(struct list_validator *v, const struct list_fields *f,
           const char *uscc, struct list_diags *d)
{
    struct sm_diag sd = { 0 };
    char region[7];

    if (!uscc_valid(uscc, &sd)) {
        list_diags_error(d, f->line, label_of(f, LIST_COL_USCC), sd.code, "%s",
                         sd.text);
        return false;
    }
    uscc_region(uscc, region);
    if (v->county[0] && strncmp(region, v->county, 2) != 0) {
        list_diags_warning(d, f->line, label_of(f, LIST_COL_USCC),
                           "uscc_region_elsewhere",
                           "%s was registered in region %s, outside province %.2s0000",
                           uscc, region, v->county);
    }
    return true;
}

static bool
check_town(struct list_validator *v, const struct list_fields *f,
           const char *town, struct list_diags *d)
{
    size_t n = strlen(town);
    size_t cn = strlen(v->county);

    for (size_t i = 0; i < n; i++) {
        if (town[i] < '0' || town[i] > '9')
            n = 0;
    }
    if (n != 9) {
        list_diags_error(d, f->line, label_of(f, LIST_COL_TOWN), "town_format",
                         "\"%s\" is not a 9-digit town code", town);
        return false;
    }
    if (cn && strncmp(town, v->county, cn) != 0) {
        list_diags_error(d, f->line, label_of(f, LIST_COL_TOWN),
                         "town_outside_county",
                         "town %s is not in county %s", town, v->county);
        return false;
    }
    return true;
}

static bool
take_number(const struct list_fields *f, enum list_column c, bool required,
            double *out, struct list_diags *d)
{
    const char *s = f->value[c];

    *out = 0;
    if (!s || is_blank_str(s)) {
        if (!required)
            return true; /* an emission the line does not have */
        list_diags_error(d, f->line, label_of(f, c), "value_missing",
                         "required value is empty");
        return false;
    }
    if (!list_parse_number(s, out)) {
        list_diags_error(d, f->line, label_of(f, c), "number_syntax",
                         "\"%s\" is not a number", s);
        return false;
    }
    if (*out < 0) {
        list_diags_error(d, f->line, label_of(f, c), "number_negative",
                         "%s is negative", s);
        return false;
    }
    return true;
}

static bool
take_measure(const struct list_validator *v, const struct list_fields *f,
             enum list_column c, struct measure *out, struct list_diags *d)
{
    struct sm_diag sd = { 0 };
    const char *s = f->value[c];

    if (!s || is_blank_str(s)) {
        list_diags_error(d, f->line, label_of(f, c), "value_missing",
                         "required value is empty");
        return false;
    }
    if (measure_parse(s, v->measures, out, &sd) != SM_OK) {
        list_diags_error(d, f->line, label_of(f, c), sd.code, "%s", sd.text);
        return false;
    }
    return true;
}

/* warnings only: the ordering and grade rules of the measures */
static void
check_measure_policy(const struct list_fields *f, const struct list_row *r,
                     struct list_diags *d)
{
    static const enum list_column cols[3] = { LIST_COL_YELLOW, LIST_COL_ORANGE,
                                              LIST_COL_RED };
    static const char *const lv[3] = { "yellow", "orange", "red" };
    char a[160], b[160];

    for (int i = 1; i < 3; i++) {
        if (measure_reduction_pct(&r->measures[i]) <
            measure_reduction_pct(&r->measures[i - 1])) {
            list_diags_warning(d, f->line, label_of(f, cols[i]),
                               "measure_weaker",
                               "%s measure %s removes less than the %s measure %s",
                               lv[i], measure_format(&r->measures[i], a, sizeof(a)),
                               lv[i - 1],
                               measure_format(&r->measures[i - 1], b, sizeof(b)));
        }
    }
    if (grade_allows_voluntary(r->grade))
        return;
    for (int i = 1; i < 3; i++) {
        if (measure_reduction_pct(&r->measures[i]) <= 0) {
            list_diags_warning(d, f->line, label_of(f, cols[i]),
                               "voluntary_not_allowed",
                               "voluntary measure at %s for grade %s (only A and 保障类 rows may stay voluntary)",
                               lv[i], grade_name(r->grade));
        }
    }
}

/* one name per USCC and unique lines within an enterprise */
static bool
check_across_rows(struct list_validator *v, const struct list_fields *f,
                  const struct list_row *r, struct list_diags *d)
{
    struct list_strmap_entry *e;
    int created = 0;
    char *key;
    bool ok = true;

    e = list_strmap_put(&v->names, r->uscc, &created);
    if (created) {
        e->value = xstrdup(r->name);
        e->first_line = f->line;
    } else if (strcmp(e->value, r->name) != 0) {
        list_diags_error(d, f->line, label_of(f, LIST_COL_NAME),
                         "uscc_name_mismatch",
                         "%s is named \"%s\" on line %ld, here \"%s\"",
                         r->uscc, e->value, e->first_line, r->name);
        ok = false;
    }
    key = xasprintf("%s\x1f%s", r->uscc, r->line);
    e = list_strmap_put(&v->lines, key, &created);
    free(key);
    if (created) {
        e->first_line = f->line;
    } else {
        list_diags_error(d, f->line, label_of(f, LIST_COL_LINE),
                         "line_duplicate",
                         "line \"%s\" of %s is already listed on line %ld",
                         r->line, r->uscc, e->first_line);
        ok = false;
    }
    return ok;
}

bool
list_validate_row(struct list_validator *v, const struct list_fields *f,
                  struct list_row *r, struct list_diags *d)
{
    size_t before = d->error_total;
    bool uscc_ok = false;
    bool measures_ok = true;

    r->source_line = f->line;
    r->uscc = take_text(f, LIST_COL_USCC, d);
    if (r->uscc)
        uscc_ok = check_uscc(v, f, r->uscc, d);
    r->name = take_text(f, LIST_COL_NAME, d);
    r->town = take_text(f, LIST_COL_TOWN, d);
    if (r->town)
        check_town(v, f, r->town, d);
    r->industry = take_text(f, LIST_COL_INDUSTRY, d);
    if (f->value[LIST_COL_GRADE] && !is_blank_str(f->value[LIST_COL_GRADE])) {
        char *g = take_text(f, LIST_COL_GRADE, d);
        if (g && !grade_parse(g, &r->grade)) {
            list_diags_error(d, f->line, label_of(f, LIST_COL_GRADE),
                             "grade_unknown",
                             "\"%s\" is not a grade: A, B, B-, C, D, 引领性, 非引领性 or 保障类",
                             g);
        }
        free(g);
    } else {
        list_diags_error(d, f->line, label_of(f, LIST_COL_GRADE),
                         "value_missing", "required value is empty");
    }
    r->line = take_text(f, LIST_COL_LINE, d);
    take_number(f, LIST_COL_SO2, false, &r->so2, d);
    take_number(f, LIST_COL_NOX, false, &r->nox, d);
    take_number(f, LIST_COL_PM, false, &r->pm, d);
    take_number(f, LIST_COL_VOCS, false, &r->vocs, d);
    take_number(f, LIST_COL_POWER_KW, true, &r->power_kw, d);
    for (int i = 0; i < 3; i++) {
        if (!take_measure(v, f, (enum list_column)(LIST_COL_YELLOW + i),
                          &r->measures[i], d))
            measures_ok = false;
    }
    if (measures_ok && d->error_total == before)
        check_measure_policy(f, r, d);
    if (uscc_ok && r->name && r->line)
        check_across_rows(v, f, r, d);
    if (f->note_count) {
        r->notes = xcalloc(f->note_count, sizeof(*r->notes));
        for (size_t i = 0; i < f->note_count; i++) {
            r->notes[i].key = xstrdup(f->notes[i].key);
            r->notes[i].value = xstrdup(f->notes[i].value);
        }
        r->note_count = f->note_count;
    }
    return d->error_total == before;
}
