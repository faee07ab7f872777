/* The notice template renderer: {{name}} and {{#list}}...{{/list}}. */
#include "notice_render.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct render {
    const char *tmpl; /* whole template, for line and column */
    struct buf *out;
    struct sm_diag *diag;
};

/* One parsed {{...}} tag. */
struct tag {
    const char *start; /* at "{{" */
    const char *end;   /* just past "}}" */
    char sigil;        /* '#', '/' or 0 */
    const char *name;
    size_t name_len;
};

static void
where(const struct render *r, const char *p, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *q = r->tmpl; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            (*col)++; /* columns count characters, not bytes */
        }
    }
}

#define RENDER_FAIL(r, at, err, code, ...)                       \
    do {                                                         \
        int line_, col_;                                         \
        where((r), (at), &line_, &col_);                         \
        sm_diag_at((r)->diag, line_, col_, (code), __VA_ARGS__); \
        return (err);                                            \
    } while (0)

static bool
is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Finds the next tag at or after p, before end. 0 = none, 1 = found,
 * -1 = malformed (diag set through *bad). */
static int
next_tag(const char *p, const char *end, struct tag *t, const char **bad)
{
    const char *open = NULL, *close, *q;

    for (q = p; q + 1 < end; q++)
        if (q[0] == '{' && q[1] == '{') {
            open = q;
            break;
        }
    if (!open)
        return 0;
    *bad = open;
    close = NULL;
    for (q = open + 2; q + 1 < end; q++) {
        if (q[0] == '}' && q[1] == '}') {
            close = q;
            break;
        }
        if (*q == '\n' || (q[0] == '{' && q[1] == '{'))
            break;
    }
    if (!close)
        return -1;
    t->start = open;
    t->end = close + 2;
    q = open + 2;
    while (q < close && *q == ' ')
        q++;
    t->sigil = (*q == '#' || *q == '/') ? *q++ : 0;
    while (q < close && *q == ' ')
        q++;
    t->name = q;
    while (q < close && is_name_char(*q))
        q++;
    t->name_len = (size_t)(q - t->name);
    while (q < close && *q == ' ')
        q++;
    if (q != close || t->name_len == 0)
        return -2;
    return 1;
}

/* borrowed: the value of name in the innermost scope that has it */
static const json_t *
lookup(const json_t *const *scopes, int nscopes, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return scopes[nscopes - 1];
    for (int i = nscopes - 1; i >= 0; i--) {
        const json_t *v;

        if (!json_is_object(scopes[i]))
            continue;
        v = json_object_getn(scopes[i], name, len);
        if (v)
            return v;
    }
    return NULL;
}

static enum sm_err
emit_scalar(struct render *r, const struct tag *t, const json_t *v)
{
    bool ok = true;

    if (json_is_string(v))
        ok = buf_add(r->out, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        ok = buf_printf(r->out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        ok = buf_printf(r->out, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        ok = buf_addstr(r->out, json_is_true(v) ? "true" : "false");
    else if (!json_is_null(v))
        RENDER_FAIL(r, t->start, SM_ERR_INVAL, "not_a_scalar",
                    "{{%.*s}} is an object or array, not text",
                    (int)t->name_len, t->name);
    if (!ok)
        RENDER_FAIL(r, t->start, SM_ERR_LIMIT, "output_too_long",
                    "rendered text exceeds %zu bytes", r->out->limit);
    return SM_OK;
}

/* The {{/name}} that closes the section opened by open, or -1. */
static int
find_close(struct render *r, const struct tag *open, const char *end,
           struct tag *close, enum sm_err *err)
{
    const char *p = open->end, *bad;
    int depth = 0, found;
    struct tag t;

    while ((found = next_tag(p, end, &t, &bad)) == 1) {
        p = t.end;
        if (t.sigil == '#') {
            depth++;
        } else if (t.sigil == '/') {
            if (depth > 0) {
                depth--;
                continue;
            }
            if (t.name_len != open->name_len ||
                memcmp(t.name, open->name, t.name_len) != 0) {
                int line, col;

                where(r, t.start, &line, &col);
                sm_diag_at(r->diag, line, col, "mismatched_section",
                           "{{/%.*s}} closes {{#%.*s}}", (int)t.name_len,
                           t.name, (int)open->name_len, open->name);
                *err = SM_ERR_PARSE;
                return -1;
            }
            *close = t;
            return 0;
        }
    }
    {
        int line, col;

        where(r, found < 0 ? bad : open->start, &line, &col);
        if (found < 0)
            sm_diag_at(r->diag, line, col,
                       found == -1 ? "unterminated_tag" : "bad_tag",
                       "a tag opened here is not a {{name}}");
        else
            sm_diag_at(r->diag, line, col, "unclosed_section",
                       "{{#%.*s}} has no {{/%.*s}}", (int)open->name_len,
                       open->name, (int)open->name_len, open->name);
    }
    *err = SM_ERR_PARSE;
    return -1;
}

static enum sm_err
render_range(struct render *r, const char *p, const char *end,
             const json_t **scopes, int nscopes)
{
    const char *bad;
    struct tag t;
    int found;
    enum sm_err err;

    while ((found = next_tag(p, end, &t, &bad)) == 1) {
        const json_t *v;

        if (!buf_add(r->out, p, (size_t)(t.start - p)))
            RENDER_FAIL(r, t.start, SM_ERR_LIMIT, "output_too_long",
                        "rendered text exceeds %zu bytes", r->out->limit);
        if (t.sigil == '/')
            RENDER_FAIL(r, t.start, SM_ERR_PARSE, "mismatched_section",
                        "{{/%.*s}} closes no section", (int)t.name_len, t.name);
        v = lookup(scopes, nscopes, t.name, t.name_len);
        if (!v)
            RENDER_FAIL(r, t.start, SM_ERR_INVAL, "unknown_placeholder",
                        "unknown placeholder {{%.*s}}", (int)t.name_len,
                        t.name);
        if (t.sigil == 0) {
            if ((err = emit_scalar(r, &t, v)) != SM_OK)
                return err;
            p = t.end;
            continue;
        }
        /* a section */
        struct tag close;
        size_t i;
        const json_t *item;
        const char *inner;

        if (find_close(r, &t, end, &close, &err) < 0)
            return err;
        if (!json_is_array(v))
            RENDER_FAIL(r, t.start, SM_ERR_INVAL, "not_a_list",
                        "{{#%.*s}} needs an array", (int)t.name_len, t.name);
        if (nscopes >= NOTICE_RENDER_MAX_DEPTH + 1)
            RENDER_FAIL(r, t.start, SM_ERR_LIMIT, "too_deep",
                        "sections nest deeper than %d",
                        NOTICE_RENDER_MAX_DEPTH);
        /* A section tag alone on its line takes its line break with it,
         * so list items come out one per line. */
        inner = t.end;
        if (*inner == '\n' && (t.start == r->tmpl || t.start[-1] == '\n'))
            inner++;
        json_array_foreach(v, i, item)
        {
            scopes[nscopes] = item;
            if ((err = render_range(r, inner, close.start, scopes,
                                    nscopes + 1)) != SM_OK)
                return err;
        }
        p = close.end;
        if (*p == '\n' && close.start[-1] == '\n')
            p++;
    }
    if (found < 0)
        RENDER_FAIL(r, bad, SM_ERR_PARSE,
                    found == -1 ? "unterminated_tag" : "bad_tag",
                    "a tag opened here is not a {{name}} closed on its line");
    if (!buf_add(r->out, p, (size_t)(end - p)))
        RENDER_FAIL(r, p, SM_ERR_LIMIT, "output_too_long",
                    "rendered text exceeds %zu bytes", r->out->limit);
    return SM_OK;
}

enum sm_err
notice_render(const char *tmpl, const json_t *vars, struct buf *out,
              struct sm_diag *diag)
{
    const json_t *scopes[NOTICE_RENDER_MAX_DEPTH + 1];
    struct render r = { tmpl, out, diag };

    if (!json_is_object(vars)) {
        sm_diag_set(diag, "vars_not_object",
                    "template variables must be a JSON object");
        return SM_ERR_INVAL;
    }
    scopes[0] = vars;
    return render_range(&r, tmpl, tmpl + strlen(tmpl), scopes, 1);
}

const char *
notice_level_text(enum level l)
{
    switch (l) {
    case LEVEL_YELLOW:
        return "黄色";
    case LEVEL_ORANGE:
        return "橙色";
    case LEVEL_RED:
        return "红色";
    case LEVEL_NONE:
        break;
    }
    return "无";
}

enum sm_err
notice_template_load(const char *dir, const char *kind, struct buf *out,
                     struct sm_diag *diag)
{
    enum sm_err err = SM_OK;
    char chunk[4096], *path;
    size_t n;
    FILE *f;

    if (!*kind || strspn(kind, "abcdefghijklmnopqrstuvwxyz_") != strlen(kind)) {
        sm_diag_set(diag, "bad_kind", "notice kind \"%.40s\" is not [a-z_]+",
                    kind);
        return SM_ERR_INVAL;
    }
    path = xasprintf("%s/%s.txt", dir, kind);
    f = fopen(path, "rb");
    if (!f) {
        int e = errno;

        sm_diag_set(diag, "no_template", "%s: %s", path, strerror(e));
        free(path);
        return e == ENOENT ? SM_ERR_NOTFOUND : SM_ERR_IO;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (out->len + n > NOTICE_TEMPLATE_MAX_LEN || !buf_add(out, chunk, n)) {
            sm_diag_set(diag, "template_too_long", "%s exceeds %d bytes", path,
                        NOTICE_TEMPLATE_MAX_LEN);
            err = SM_ERR_LIMIT;
            break;
        }
    }
    if (err == SM_OK && ferror(f)) {
        sm_diag_set(diag, "read_failed", "%s: read error", path);
        err = SM_ERR_IO;
    }
    fclose(f);
    free(path);
    return err;
}

enum sm_err
notice_render_text(const char *tmpl, const char *kind, const json_t *vars,
                   struct buf *subject, struct buf *body, struct sm_diag *diag)
{
    struct buf text;
    const char *nl, *rest;
    enum sm_err err;

    buf_init(&text, body->limit);
    if ((err = notice_render(tmpl, vars, &text, diag)) != SM_OK)
        goto out;
    err = SM_ERR_LIMIT;
    nl = text.data ? strchr(text.data, '\n') : NULL;
    if (!nl) {
        sm_diag_set(diag, "no_body", "%s.txt needs a subject line and a body",
                    kind);
        err = SM_ERR_INVAL;
        goto out;
    }
    rest = nl + 1;
    if (*rest == '\n')
        rest++;
    if (!buf_add(subject, text.data, (size_t)(nl - text.data)) ||
        !buf_addstr(body, rest)) {
        sm_diag_set(diag, "output_too_long", "rendered %s exceeds its cap",
                    kind);
        goto out;
    }
    err = SM_OK;
out:
    buf_release(&text);
    return err;
}

enum sm_err
notice_render_kind(const char *dir, const char *kind, const json_t *vars,
                   struct buf *subject, struct buf *body, struct sm_diag *diag)
{
    struct buf tmpl;
    enum sm_err err;

    buf_init(&tmpl, NOTICE_TEMPLATE_MAX_LEN);
    err = notice_template_load(dir, kind, &tmpl, diag);
    if (!err && diag)
        snprintf(diag->source, sizeof(diag->source), "%s.txt", kind);
    if (!err)
        err = notice_render_text(tmpl.data ? tmpl.data : "", kind, vars, subject,
                                 body, diag);
    buf_release(&tmpl);
    return err;
}

/* ---- a set read once ---- */

struct notice_templates {
    char *dir;
    size_t n;
    struct {
        char *kind, *text;
    } t[NOTICE_TEMPLATES_MAX];
};

enum sm_err
notice_templates_load(const char *dir, const char *const *kinds,
                      struct notice_templates **out, struct sm_diag *diag)
{
    struct notice_templates *set = xcalloc(1, sizeof(*set));
    enum sm_err err = SM_OK;

    set->dir = xstrdup(dir);
    for (size_t i = 0; !err && kinds[i]; i++) {
        struct buf b;

        if (set->n == NOTICE_TEMPLATES_MAX) {
            sm_diag_set(diag, "too_many_kinds", "more than %d notice kinds",
                        NOTICE_TEMPLATES_MAX);
            err = SM_ERR_LIMIT;
            break;
        }
        buf_init(&b, NOTICE_TEMPLATE_MAX_LEN);
        err = notice_template_load(dir, kinds[i], &b, diag);
        if (err == SM_ERR_NOTFOUND) {
            err = SM_OK; /* a kind without a template goes out as plain text */
        } else if (!err) {
            set->t[set->n].kind = xstrdup(kinds[i]);
            set->t[set->n].text = b.data ? buf_detach(&b) : xstrdup("");
            set->n++;
        }
        buf_release(&b);
    }
    if (err) {
        notice_templates_free(set);
        return err;
    }
    *out = set;
    return SM_OK;
}

const char *
notice_templates_get(const struct notice_templates *t, const char *kind)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->t[i].kind, kind) == 0)
            return t->t[i].text;
    return NULL;
}

const char *
notice_templates_dir(const struct notice_templates *t)
{
    return t ? t->dir : "";
}

void
notice_templates_free(struct notice_templates *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->t[i].kind);
        free(t->t[i].text);
    }
    free(t->dir);
    free(t);
}
