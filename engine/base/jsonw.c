/* Direct JSON writing (see jsonw.h). */
#include "base/jsonw.h"

#include <stdio.h>
#include <string.h>

size_t
jsonw_fmt_int(char out[24], int64_t v)
{
    char tmp[24];
    size_t n = 0, len = 0;
    /* negate in unsigned arithmetic: INT64_MIN has no positive int64 */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

bool
jsonw_int(struct buf *b, int64_t v)
{
    char t[24];
    size_t n = jsonw_fmt_int(t, v);

    return buf_add(b, t, n);
}

bool
jsonw_str(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF"; /* as jansson */
    const char *run = s;

    if (!buf_add(b, "\"", 1))
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6];
        size_t n = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (!buf_add(b, run, (size_t)(s - run)))
            return false;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if (!buf_add(b, esc, n))
            return false;
        run = s + 1;
    }
    return buf_add(b, run, (size_t)(s - run)) && buf_add(b, "\"", 1);
}

bool
jsonw_real(struct buf *b, double v)
{
    char t[40];
    int n = snprintf(t, sizeof(t), "%.17g", v);
    char *e;

    if (n < 0 || (size_t)n >= sizeof(t))
        return false;
    if (strspn(t, "0123456789-") == (size_t)n) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    /* as jansson: "1e+20" -> "1e20", "1e-05" -> "1e-5" */
    e = strchr(t, 'e');
    if (e) {
        char *start = e + 1, *end;
        if (*start == '-')
            start++;
        end = *start == '+' ? start + 1 : start;
        while (*end == '0' && end[1] >= '0' && end[1] <= '9')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(t + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    return buf_add(b, t, (size_t)n);
}
