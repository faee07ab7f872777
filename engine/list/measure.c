/* The measure grammar of the yearly list: Chinese or English keywords, a
 * percentage with at most one decimal, and free text after a semicolon. */
#include "list/measure.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
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

/* true when the name ends in a byte outside ASCII (a Chinese word): then
 * N% follows it directly (限产30%), else after a space (limit 30%) */
static bool
ends_wide(const char *name)
{
    size_t n = strlen(name);

    return n > 0 && (unsigned char)name[n - 1] >= 0x80;
}

/* "NAME", "NAME N%" / "NAMEN%" for an action taking N */
static bool
add_word(struct buf *b, const char *name, bool takes_pct, bool quoted)
{
    return buf_printf(b, "%s%s%s%s", quoted ? "\"" : "", name,
                      takes_pct ? (ends_wide(name) ? "N%" : " N%") : "",
                      quoted ? "\"" : "");
}

/* "停产, 限产N%, 自主减排 (or halt, limit N%, voluntary)": every action's
 * first name, then the others */
static void
expected_words(const struct measure_rules *r, char *out, size_t cap)
{
    struct buf b;
    bool first = true, ok = true;

    buf_init(&b, cap - 1);
    for (size_t a = 0; ok && a < r->n_actions; a++) {
        ok = (a == 0 || buf_addstr(&b, ", ")) &&
             add_word(&b, r->actions[a].names[0], r->actions[a].takes_limit_pct, false);
    }
    for (size_t a = 0; ok && a < r->n_actions; a++) {
        for (size_t i = 1; ok && i < r->actions[a].n_names; i++) {
            ok = buf_addstr(&b, first ? " (or " : ", ") &&
                 add_word(&b, r->actions[a].names[i], r->actions[a].takes_limit_pct, false);
            first = false;
        }
    }
    if (ok && !first)
        ok = buf_addstr(&b, ")");
    snprintf(out, cap, "%s%s", b.data ? b.data : "", ok ? "" : "...");
    buf_release(&b);
}

/* "限产N% or \"limit N%\"": the ways to write one action taking N */
static void
action_words(const struct measure_action_rule *ar, char *out, size_t cap)
{
    struct buf b;
    bool ok;

    buf_init(&b, cap - 1);
    ok = add_word(&b, ar->names[0], true, false);
    for (size_t i = 1; ok && i < ar->n_names; i++)
        ok = buf_addstr(&b, " or ") && add_word(&b, ar->names[i], true, true);
    snprintf(out, cap, "%s", b.data ? b.data : "");
    buf_release(&b);
}

static void
set_action(struct measure *m, const struct measure_action_rule *ar)
{
    snprintf(m->action, sizeof(m->action), "%s", ar->key);
    snprintf(m->name, sizeof(m->name), "%s", ar->names[0]);
    m->takes_pct = ar->takes_limit_pct;
    m->reduction_pct = ar->reduction_pct;
}

enum sm_err
measure_parse(const char *s, const struct measure_rules *rules, struct measure *out,
              struct sm_diag *diag)
{
    const char *b = s, *e = s + strlen(s);
    const char *semi = NULL, *text_b = NULL, *text_e = NULL;
    const char *p;
    const struct measure_action_rule *limit = NULL;
    const char *limit_rest = NULL;
    size_t limit_len = 0;
    struct measure m;
    char words[400];

    memset(&m, 0, sizeof(m));
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
        expected_words(rules, words, sizeof(words));
        sm_diag_set(diag, "measure_syntax", "no measure: expected %s", words);
        return SM_ERR_INVAL;
    }
    /* a whole name first; else the longest name of an action taking N that
     * starts the text, the rest being its N% */
    for (size_t a = 0; a < rules->n_actions && !m.action[0]; a++) {
        const struct measure_action_rule *ar = &rules->actions[a];
        for (size_t i = 0; i < ar->n_names; i++) {
            const char *name = ar->names[i];
            size_t n = strlen(name);
            p = b;
            if (!ar->takes_limit_pct && eat(&p, e, name, true) && p == e) {
                set_action(&m, ar);
                break;
            }
            p = b;
            if (ar->takes_limit_pct && n > limit_len && eat(&p, e, name, true)) {
                limit = ar;
                limit_rest = p;
                limit_len = n;
            }
        }
    }
    if (!m.action[0] && limit) {
        action_words(limit, words, sizeof(words));
        if (!parse_pct(limit_rest, e, &m.limit_pct)) {
            sm_diag_set(diag, "measure_syntax",
                        "\"%s\": a %s is %s with N a number with at most one decimal", s,
                        limit->key, words);
            return SM_ERR_INVAL;
        }
        if (!(m.limit_pct > 0 && m.limit_pct < 100)) {
            const struct measure_action_rule *halt = &rules->actions[MEASURE_ACTION_HALT];
            sm_diag_set(diag, "measure_range",
                        "\"%s\": a %s must be more than 0%% and less than 100%% (use %s for a %s)",
                        s, limit->key, halt->names[0], halt->key);
            return SM_ERR_INVAL;
        }
        set_action(&m, limit);
    }
    if (!m.action[0]) {
        expected_words(rules, words, sizeof(words));
        sm_diag_set(diag, "measure_syntax",
                    "\"%s\" is not a measure: expected %s, then optional text after ';'", s,
                    words);
        return SM_ERR_INVAL;
    }
    if (text_b && text_b < text_e)
        m.text = xstrndup(text_b, (size_t)(text_e - text_b));
    *out = m;
    return SM_OK;
}

void
measure_init_voluntary(struct measure *m)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->action, sizeof(m->action), "voluntary");
    snprintf(m->name, sizeof(m->name), "自主减排");
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
    return m->takes_pct ? m->limit_pct : m->reduction_pct;
}

char *
measure_format(const struct measure *m, char *buf, unsigned long cap)
{
    const char *sep = m->text ? SEMI_FULLWIDTH : "";
    const char *text = m->text ? m->text : "";

    if (m->takes_pct)
        snprintf(buf, cap, "%s%s%g%%%s%s", m->name, ends_wide(m->name) ? "" : " ",
                 m->limit_pct, sep, text);
    else
        snprintf(buf, cap, "%s%s%s", m->name, sep, text);
    return buf;
}
