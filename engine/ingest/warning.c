/* The format-independent warning message: construction, freeing, names, and
 * the choice of reader by media type. */
#include "ingest/warning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/crypto.h"
#include "base/xalloc.h"
#include "ingest/ingest_int.h"

struct warning_msg *
warning_msg_new(const char *format, const char *data, size_t len)
{
    struct warning_msg *m = xcalloc(1, sizeof(*m));

    snprintf(m->format, sizeof(m->format), "%s", format);
    sm_sha256_hex(data, len, m->sha256);
    m->sender = xstrdup("");
    m->identifier = xstrdup("");
    m->severity = xstrdup("");
    m->headline = xstrdup("");
    m->description = xstrdup("");
    m->primary_pollutant = xstrdup("");
    return m;
}

void
warning_msg_free(struct warning_msg *m)
{
    if (!m)
        return;
    free(m->sender);
    free(m->identifier);
    for (size_t i = 0; i < m->ref_count; i++) {
        free(m->refs[i].sender);
        free(m->refs[i].identifier);
    }
    free(m->refs);
    free(m->severity);
    free(m->headline);
    free(m->description);
    for (size_t i = 0; i < m->area_count; i++) {
        free(m->areas[i].value_name);
        free(m->areas[i].code);
    }
    free(m->areas);
    free(m->primary_pollutant);
    free(m->forecast_aqi);
    free(m);
}

const char *
warning_msg_type_name(enum warning_msg_type t)
{
    switch (t) {
    case WARNING_MSG_ALERT: return "alert";
    case WARNING_MSG_UPDATE: return "update";
    case WARNING_MSG_CANCEL: return "cancel";
    case WARNING_MSG_ACK: return "ack";
    case WARNING_MSG_ERROR: return "error";
    }
    return "alert";
}

const char *
warning_status_name(enum warning_status s)
{
    switch (s) {
    case WARNING_STATUS_ACTUAL: return "actual";
    case WARNING_STATUS_EXERCISE: return "exercise";
    case WARNING_STATUS_SYSTEM: return "system";
    case WARNING_STATUS_TEST: return "test";
    case WARNING_STATUS_DRAFT: return "draft";
    }
    return "actual";
}

/* Compares the media type part of a Content-Type (before ';', blanks
 * trimmed, case-insensitive) with want. */
static bool
media_type_is(const char *content_type, const char *want)
{
    const char *p = content_type, *end;
    size_t n = strlen(want);

    while (*p == ' ' || *p == '\t')
        p++;
    end = p;
    while (*end && *end != ';')
        end++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return (size_t)(end - p) == n && strncasecmp(p, want, n) == 0;
}

enum sm_err
warning_parse(const char *content_type, const char *data, size_t len,
              struct warning_msg **out, struct sm_diag *diag)
{
    *out = NULL;
    if (content_type && *content_type) {
        if (media_type_is(content_type, "application/cap+xml") ||
            media_type_is(content_type, "application/xml") ||
            media_type_is(content_type, "text/xml"))
            return warning_parse_cap(data, len, out, diag);
        if (media_type_is(content_type, "application/json"))
            return warning_parse_json(data, len, out, diag);
        sm_diag_set(diag, "unsupported_media_type",
                    "Content-Type '%.80s' is not one of application/cap+xml, "
                    "application/xml, text/xml, application/json", content_type);
        return SM_ERR_INVAL;
    }
    /* No type given: sniff the first byte after blanks and a UTF-8 BOM. */
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
                       data[i] == '\n'))
        i++;
    if (i < len && data[i] == '<')
        return warning_parse_cap(data, len, out, diag);
    if (i < len && data[i] == '{')
        return warning_parse_json(data, len, out, diag);
    sm_diag_set(diag, "unknown_format",
                "body is neither XML (starts with '<') nor JSON (starts with '{')");
    return SM_ERR_PARSE;
}
