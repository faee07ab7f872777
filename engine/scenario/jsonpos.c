/* Re-walks valid JSON text to map a path to its line and column. */
#include "scenario/jsonpos.h"

#include <stdio.h>
#include <string.h>

#define JSONPOS_MAX_DEPTH 64
#define JSONPOS_MAX_PATH 512

struct walker {
    const char *p, *end;
    int line, col;
    const char *target;
    char path[JSONPOS_MAX_PATH];
    bool found;
    int found_line, found_col;
};

static void
step(struct walker *w)
{
    if (w->p >= w->end)
        return;
    if (*w->p == '\n') {
        w->line++;
        w->col = 1;
    } else if (((unsigned char)*w->p & 0xC0) != 0x80) {
        w->col++; /* count characters, not UTF-8 continuation bytes */
    }
    w->p++;
}

static void
skip_ws(struct walker *w)
{
    while (w->p < w->end && (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r'))
        step(w);
}

/* Copies a string's raw bytes (escapes left as they are) into out. */
static bool
read_string(struct walker *w, char *out, size_t cap)
{
    size_t n = 0;

    if (w->p >= w->end || *w->p != '"')
        return false;
    step(w);
    while (w->p < w->end && *w->p != '"') {
        if (*w->p == '\\' && w->p + 1 < w->end) {
            if (out && n + 1 < cap)
                out[n++] = *w->p;
            step(w);
        }
        if (out && n + 1 < cap)
            out[n++] = *w->p;
        step(w);
    }
    if (out)
        out[n] = '\0';
    if (w->p >= w->end)
        return false;
    step(w);
    return true;
}

static void
mark(struct walker *w, int line, int col)
{
    if (!w->found && strcmp(w->path, w->target) == 0) {
        w->found = true;
        w->found_line = line;
        w->found_col = col;
    }
}

static bool walk_value(struct walker *w, int depth);

static bool
walk_object(struct walker *w, int depth)
{
    size_t base = strlen(w->path);

    step(w); /* { */
    skip_ws(w);
    if (w->p < w->end && *w->p == '}') {
        step(w);
        return true;
    }
    for (;;) {
        char key[256];
        int kl, kc;
        skip_ws(w);
        kl = w->line;
        kc = w->col;
        if (!read_string(w, key, sizeof(key)))
            return false;
        snprintf(w->path + base, sizeof(w->path) - base, "%s%s", base ? "." : "", key);
        mark(w, kl, kc);
        skip_ws(w);
        if (w->p >= w->end || *w->p != ':')
            return false;
        step(w);
        if (!walk_value(w, depth + 1))
            return false;
        w->path[base] = '\0';
        skip_ws(w);
        if (w->p < w->end && *w->p == ',') {
            step(w);
            continue;
        }
        if (w->p < w->end && *w->p == '}') {
            step(w);
            return true;
        }
        return false;
    }
}

static bool
walk_array(struct walker *w, int depth)
{
    size_t base = strlen(w->path);

    step(w); /* [ */
    skip_ws(w);
    if (w->p < w->end && *w->p == ']') {
        step(w);
        return true;
    }
    for (int i = 0;; i++) {
        snprintf(w->path + base, sizeof(w->path) - base, "[%d]", i);
        skip_ws(w);
        mark(w, w->line, w->col);
        if (!walk_value(w, depth + 1))
            return false;
        w->path[base] = '\0';
        skip_ws(w);
        if (w->p < w->end && *w->p == ',') {
            step(w);
            continue;
        }
        if (w->p < w->end && *w->p == ']') {
            step(w);
            return true;
        }
        return false;
    }
}

static bool
walk_value(struct walker *w, int depth)
{
    if (depth > JSONPOS_MAX_DEPTH)
        return false;
    skip_ws(w);
    if (w->p >= w->end)
        return false;
    if (*w->p == '{')
        return walk_object(w, depth);
    if (*w->p == '[')
        return walk_array(w, depth);
    if (*w->p == '"')
        return read_string(w, NULL, 0);
    while (w->p < w->end && !strchr(",]} \t\r\n", *w->p))
        step(w); /* number, true, false, null */
    return true;
}

bool
jsonpos_find(const char *text, size_t len, const char *path, int *line, int *column)
{
    struct walker w = { text, text + len, 1, 1, path, "", false, 0, 0 };

    *line = *column = 0;
    skip_ws(&w);
    if (path[0] == '\0') {
        *line = w.line;
        *column = w.col;
        return true;
    }
    (void)walk_value(&w, 0);
    if (!w.found)
        return false;
    *line = w.found_line;
    *column = w.found_col;
    return true;
}
