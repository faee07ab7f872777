/* The measure grammar of the yearly list: Chinese or English keywords, a
 * percentage with at most one decimal, and free text after a semicolon. */
#include "list/measure.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

#define SEMI_FULLWIDTH   "\xef\xbc\x9b" /* ； */
#define PCT_FULLWIDTH    "\xef\xbc\x85" /* ％ */

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* [b, e) trimmed of ASCII blanks and the ideographic space U+3000 */
static void
trim(const char **b, const char **e)
{
    for (;;) {
        if (*b < *e && is_space(**b))
            (*b)++;
        else if (*e - *b >= 3 && memcmp(*b, "\xe3\x80\x80", 3) == 0)
            *b += 3;
        else
            break;
    }
    for (;;) {
        if (*e > *b && is_space((*e)[-1]))
            (*e)--;
        else if (*e - *b >= 3 && memcmp(*e - 3, "\xe3\x80\x80", 3) == 0)
            *e -= 3;
        else
            break;
    }
}

static bool
eat(const char **p, const char *e, const char *word, bool fold)
{
    size_t n = strlen(word);

    if ((size_t)(e - *p) < n)
        return false;
    if (fold ? strncasecmp(*p, word, n) != 0 : memcmp(*p, word, n) != 0)
        return false;
    *p += n;
    return true;
}

/* "N%" with N = digits [ "." digit ]; the whole of [p, e) must be used */
static bool
parse_pct(const char *p, const char *e, double *out)
{
    char num[16];
    size_t n = 0;
    bool dot = false;
    int decimals = 0;

    while (p < e && is_space(*p))
        p++;
    while (p < e && ((*p >= '0' && *p <= '9') || *p == '.')) {
        if (*p == '.') {
            if (dot || n == 0)
                return false;
            dot = true;
        } else if (dot) {
            decimals++;
        }
        if (n + 1 >= sizeof(num))
            return false;
        num[n++] = *p++;
    }
    num[n] = '\0';
    if (n == 0 || num[n - 1] == '.' || decimals > 1)
        return false;
    while (p < e && is_space(*p))
        p++;
    if (!eat(&p, e, "%", false) && !eat(&p, e, PCT_FULLWIDTH, false))
        return false;
    if (p != e)
        return false;
    *out = strtod(num, NULL);
    return true;
}

enum sm_err
measure_parse(const char *s, struct measure *out, struct sm_diag *diag)
{
    const char *b = s, *e = s + strlen(s);
    const char *semi = NULL, *text_b = NULL, *text_e = NULL;
    const char *p;
    struct measure m = { MEASURE_HALT, 0, NULL };

    /* split off the free text at the first ';' or '；' */
    for (p = b; p < e; p++) {
        if (*p == ';') {
            semi = p;
            text_b = p + 1;
            break;
        }
        if (e - p >= 3 && memcmp(p, SEMI_FULLWIDTH, 3) == 0) {
            semi = p;
            text_b = p + 3;
            break;
        }
    }
    if (semi) {
        text_e = e;
        e = semi;
        trim(&text_b, &text_e);
    }
    trim(&b, &e);
    if (b == e) {
        sm_diag_set(diag, "measure_syntax",
                    "no measure: expected 停产, 限产N%% or 自主减排");
        return SM_ERR_INVAL;
    }
    p = b;
    if ((eat(&p, e, "停产", false) || eat(&p, e, "halt", true)) && p == e) {
        m.action = MEASURE_HALT;
    } else if ((p = b, eat(&p, e, "自主减排", false) ||
                           eat(&p, e, "voluntary", true)) && p == e) {
        m.action = MEASURE_VOLUNTARY;
    } else if (p = b, eat(&p, e, "限产", false) || eat(&p, e, "limit", true)) {
        if (!parse_pct(p, e, &m.limit_pct)) {
            sm_diag_set(diag, "measure_syntax",
                        "\"%s\": a limit is 限产N%% or \"limit N%%\" with N a number with at most one decimal",
                        s);
            return SM_ERR_INVAL;
        }
        if (!(m.limit_pct > 0 && m.limit_pct < 100)) {
            sm_diag_set(diag, "measure_range",
                        "\"%s\": a limit must be more than 0%% and less than 100%% (use 停产 for a halt)",
                        s);
            return SM_ERR_INVAL;
        }
        m.action = MEASURE_LIMIT;
    } else {
        sm_diag_set(diag, "measure_syntax",
                    "\"%s\" is not a measure: expected 停产, 限产N%%, 自主减排 (or halt, limit N%%, voluntary), then optional text after ';'",
                    s);
        return SM_ERR_INVAL;
    }
    if (text_b && text_b < text_e)
        m.text = xstrndup(text_b, (size_t)(text_e - text_b));
    *out = m;
    return SM_OK;
}

void
measure_release(struct measure *m)
{
    free(m->text);
    m->text = NULL;
}

void
measure_copy(struct measure *dst, const struct measure *src)
{
    *dst = *src;
    dst->text = src->text ? xstrdup(src->text) : NULL;
}

double
measure_reduction_pct(const struct measure *m)
{
    switch (m->action) {
    case MEASURE_HALT: return 100.0;
    case MEASURE_LIMIT: return m->limit_pct;
    case MEASURE_VOLUNTARY: return 0.0;
    }
    return 0.0;
}

const char *
measure_action_name(enum measure_action a)
{
    switch (a) {
    case MEASURE_HALT: return "halt";
    case MEASURE_LIMIT: return "limit";
    case MEASURE_VOLUNTARY: return "voluntary";
    }
    return "?";
}

char *
measure_format(const struct measure *m, char *buf, unsigned long cap)
{
    const char *sep = m->text ? SEMI_FULLWIDTH : "";
    const char *text = m->text ? m->text : "";

    switch (m->action) {
    case MEASURE_HALT:
        snprintf(buf, cap, "停产%s%s", sep, text);
        break;
    case MEASURE_LIMIT:
        snprintf(buf, cap, "限产%g%%%s%s", m->limit_pct, sep, text);
        break;
    case MEASURE_VOLUNTARY:
        snprintf(buf, cap, "自主减排%s%s", sep, text);
        break;
    }
    return buf;
}
