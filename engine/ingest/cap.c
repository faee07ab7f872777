/* CAP 1.2 municipal warnings -> struct warning_msg. Validates what CAP 1.2
 * requires and what the engine relies on; see README.md for the rules. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "ingest/cap_xml.h"
#include "ingest/ingest_int.h"
#include "ingest/warning.h"

#define CAP_NS "urn:oasis:names:tc:emergency:cap:1.2"

/* Parameter names the engine reads from the <info> it uses. */
#define PARAM_LEVEL     "level"
#define PARAM_POLLUTANT "primary_pollutant"
#define PARAM_FORECAST  "aqi_forecast"

SM_PRINTF(5, 6)
static enum sm_err
fail(struct sm_diag *diag, xmlNodePtr at, enum sm_err rc, const char *code,
     const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sm_diag_at(diag, cap_xml_line(at), 0, code, "%s", text);
    return rc;
}

/* Adds the node's line to a diagnostic a shared helper filled in. */
static enum sm_err
at_node(struct sm_diag *diag, xmlNodePtr at, enum sm_err rc)
{
    if (diag && rc != SM_OK) {
        diag->line = cap_xml_line(at);
        diag->column = 0;
    }
    return rc;
}

static bool
is_cap(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, CAP_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* The only child <name> of parent, or NULL; two of them is an error. */
static enum sm_err
child_one(xmlNodePtr parent, const char *name, xmlNodePtr *out,
          struct sm_diag *diag)
{
    *out = NULL;
    for (xmlNodePtr c = parent->children; c; c = c->next) {
        if (!is_cap(c, name))
            continue;
        if (*out)
            return fail(diag, c, SM_ERR_INVAL, "duplicate_element",
                        "<%s> appears more than once in <%s>", name,
                        (const char *)parent->name);
        *out = c;
    }
    return SM_OK;
}

/* new: text of the only child <name>; NULL (rc SM_OK) when absent and not
 * required. */
static enum sm_err
child_text(xmlNodePtr parent, const char *name, bool required, char **out,
           struct sm_diag *diag)
{
    xmlNodePtr n;
    enum sm_err rc;

    *out = NULL;
    rc = child_one(parent, name, &n, diag);
    if (rc != SM_OK)
        return rc;
    if (!n) {
        if (required)
            return fail(diag, parent, SM_ERR_INVAL, "missing_element",
                        "<%s> lacks the required element <%s>",
                        (const char *)parent->name, name);
        return SM_OK;
    }
    rc = cap_xml_text(n, out, diag);
    if (rc == SM_OK && required && !**out) {
        free(*out);
        *out = NULL;
        return fail(diag, n, SM_ERR_INVAL, "missing_element",
                    "<%s> is empty", name);
    }
    return rc;
}

/* Index of s in names (NULL-terminated), or -1. */
static int
enum_index(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static const char *const status_names[] = { "Actual", "Exercise", "System",
                                             "Test", "Draft", NULL };
static const char *const msg_type_names[] = { "Alert", "Update", "Cancel",
                                              "Ack", "Error", NULL };
static const char *const scope_names[] = { "Public", "Restricted", "Private",
                                           NULL };
static const char *const category_names[] = {
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
    "Transport", "Infra", "CBRNE", "Other", NULL
};
static const char *const urgency_names[] = { "Immediate", "Expected", "Future",
                                             "Past", "Unknown", NULL };
static const char *const severity_names[] = { "Extreme", "Severe", "Moderate",
                                              "Minor", "Unknown", NULL };
static const char *const certainty_names[] = { "Observed", "Likely", "Possible",
                                               "Unlikely", "Unknown", NULL };
/* <severity> -> level, indexed like severity_names */
static const enum level severity_levels[] = { LEVEL_RED, LEVEL_ORANGE,
                                              LEVEL_YELLOW, LEVEL_NONE,
                                              LEVEL_NONE };

/* Reads an enumerated element; *index -1 when absent and not required. */
static enum sm_err
child_enum(xmlNodePtr parent, const char *name, bool required,
           const char *const *names, int *index, char **text,
           struct sm_diag *diag)
{
    xmlNodePtr n;
    char *s;
    enum sm_err rc;

    *index = -1;
    rc = child_text(parent, name, required, &s, diag);
    if (rc != SM_OK || !s)
        return rc;
    *index = enum_index(s, names);
    if (*index < 0) {
        (void)child_one(parent, name, &n, NULL);
        rc = fail(diag, n, SM_ERR_INVAL, "bad_enumeration",
                  "<%s> '%.64s' is not a CAP 1.2 value", name, s);
        free(s);
        return rc;
    }
    if (text)
        *text = s;
    else
        free(s);
    return SM_OK;
}

/* Reads an optional time element into *ms (0 when absent). */
static enum sm_err
child_time(xmlNodePtr parent, const char *name, bool required, int64_t *ms,
           struct sm_diag *diag)
{
    xmlNodePtr n;
    char *s;
    enum sm_err rc;

    *ms = 0;
    rc = child_text(parent, name, required, &s, diag);
    if (rc != SM_OK || !s)
        return rc;
    (void)child_one(parent, name, &n, NULL);
    rc = at_node(diag, n, ingest_time_parse(s, name, ms, diag));
    free(s);
    return rc;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* "sender,identifier,sent sender,identifier,sent ..." */
static enum sm_err
parse_references(struct warning_msg *m, const char *text, xmlNodePtr at,
                 struct sm_diag *diag)
{
    char *copy = xstrdup(text), *p = copy;
    enum sm_err rc = SM_OK;

    for (;;) {
        char *tok, *c1, *c2;
        struct sm_diag why = { 0 };
        int64_t sent = 0;

        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        tok = p;
        while (*p && !is_blank(*p))
            p++;
        if (*p)
            *p++ = '\0';
        c1 = strchr(tok, ',');
        c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c1 || !c2 || strchr(c2 + 1, ',')) {
            rc = fail(diag, at, SM_ERR_INVAL, "bad_references",
                      "<references> entry '%.80s' is not sender,identifier,sent",
                      tok);
            goto out;
        }
        *c1 = '\0';
        *c2 = '\0';
        if (ingest_check_id(tok, "sender", &why) != SM_OK ||
            ingest_check_id(c1 + 1, "identifier", &why) != SM_OK ||
            ingest_time_parse(c2 + 1, "sent", &sent, &why) != SM_OK) {
            rc = fail(diag, at, SM_ERR_INVAL, "bad_references",
                      "<references> entry %zu '%.40s,%.80s,%.32s': %s",
                      m->ref_count + 1, tok, c1 + 1, c2 + 1, why.text);
            goto out;
        }
        if (m->ref_count == INGEST_MAX_REFERENCES) {
            rc = fail(diag, at, SM_ERR_LIMIT, "too_many_references",
                      "<references> names more than %d messages",
                      INGEST_MAX_REFERENCES);
            goto out;
        }
        ingest_ref_add(m, tok, c1 + 1, sent);
    }
    if (m->ref_count == 0)
        rc = fail(diag, at, SM_ERR_INVAL, "bad_references",
                  "<references> is empty");
out:
    free(copy);
    return rc;
}

static bool
info_is_env(xmlNodePtr info)
{
    for (xmlNodePtr c = info->children; c; c = c->next) {
        char *s = NULL;
        bool env;

        if (!is_cap(c, "category") || cap_xml_text(c, &s, NULL) != SM_OK)
            continue;
        env = strcmp(s, "Env") == 0;
        free(s);
        if (env)
            return true;
    }
    return false;
}

/* Every <category> of every <info> must be a CAP value, and each <info>
 * needs at least one. */
static enum sm_err
check_categories(xmlNodePtr info, struct sm_diag *diag)
{
    int count = 0;

    for (xmlNodePtr c = info->children; c; c = c->next) {
        char *s;
        enum sm_err rc;

        if (!is_cap(c, "category"))
            continue;
        rc = cap_xml_text(c, &s, diag);
        if (rc != SM_OK)
            return rc;
        if (enum_index(s, category_names) < 0) {
            rc = fail(diag, c, SM_ERR_INVAL, "bad_enumeration",
                      "<category> '%.64s' is not a CAP 1.2 value", s);
            free(s);
            return rc;
        }
        free(s);
        count++;
    }
    if (count == 0)
        return fail(diag, info, SM_ERR_INVAL, "missing_element",
                    "<info> lacks the required element <category>");
    return SM_OK;
}

struct info_params {
    bool has_level;
    enum level level;
    xmlNodePtr level_node;
};

static enum sm_err
read_parameter(struct warning_msg *m, xmlNodePtr p, struct info_params *ip,
               bool *seen_pollutant, struct sm_diag *diag)
{
    char *name = NULL, *value = NULL;
    enum sm_err rc;

    rc = child_text(p, "valueName", true, &name, diag);
    if (rc == SM_OK)
        rc = child_text(p, "value", false, &value, diag);
    if (rc != SM_OK)
        goto out;
    if (!value)
        value = xstrdup("");
    if (!name)
        name = xstrdup("");
    if (strcmp(name, PARAM_LEVEL) == 0) {
        if (ip->has_level) {
            rc = fail(diag, p, SM_ERR_INVAL, "duplicate_parameter",
                      "parameter '%s' appears more than once", name);
            goto out;
        }
        if (!ingest_level_parse(value, &ip->level)) {
            rc = fail(diag, p, SM_ERR_INVAL, "bad_enumeration",
                      "parameter level '%.64s' is not yellow, orange, red, none, "
                      "黄色, 橙色 or 红色", value);
            goto out;
        }
        ip->has_level = true;
        ip->level_node = p;
    } else if (strcmp(name, PARAM_POLLUTANT) == 0) {
        if (*seen_pollutant) {
            rc = fail(diag, p, SM_ERR_INVAL, "duplicate_parameter",
                      "parameter '%s' appears more than once", name);
            goto out;
        }
        *seen_pollutant = true;
        free(m->primary_pollutant);
        m->primary_pollutant = ingest_pollutant_normalise(value);
    } else if (strcmp(name, PARAM_FORECAST) == 0) {
        if (m->forecast_aqi) {
            rc = fail(diag, p, SM_ERR_INVAL, "duplicate_parameter",
                      "parameter '%s' appears more than once", name);
            goto out;
        }
        rc = at_node(diag, p,
                     ingest_forecast_parse(value, &m->forecast_aqi,
                                           &m->forecast_count, diag));
    }
    /* other parameters are the sender's business */
out:
    free(name);
    free(value);
    return rc;
}

static bool
geocode_name_known(const char *s)
{
    return strcmp(s, "GB/T2260") == 0 || strcmp(s, "GB2260") == 0 ||
           strcmp(s, "adcode") == 0;
}

static enum sm_err
read_area(struct warning_msg *m, xmlNodePtr area, struct sm_diag *diag)
{
    m->has_area = true;
    for (xmlNodePtr g = area->children; g; g = g->next) {
        char *name = NULL, *value = NULL;
        enum sm_err rc;

        if (!is_cap(g, "geocode"))
            continue;
        rc = child_text(g, "valueName", true, &name, diag);
        if (rc == SM_OK)
            rc = child_text(g, "value", true, &value, diag);
        if (rc == SM_OK && name && geocode_name_known(name)) {
            if (!ingest_geocode_valid(value))
                rc = fail(diag, g, SM_ERR_INVAL, "bad_geocode",
                          "geocode %s '%.32s' is not a 6 to 12 digit area code",
                          name, value);
            else if (m->area_count == INGEST_MAX_AREAS)
                rc = fail(diag, g, SM_ERR_LIMIT, "too_many_areas",
                          "more than %d area codes", INGEST_MAX_AREAS);
            else
                ingest_area_add(m, name, value);
        }
        free(name);
        free(value);
        if (rc != SM_OK)
            return rc;
    }
    return SM_OK;
}

static enum sm_err
read_env_info(struct warning_msg *m, xmlNodePtr info, struct sm_diag *diag)
{
    struct info_params ip = { 0 };
    bool seen_pollutant = false;
    int sev = -1, idx;
    char *s = NULL;
    enum sm_err rc;

    rc = child_enum(info, "severity", false, severity_names, &sev, &s, diag);
    if (rc != SM_OK)
        return rc;
    if (s) {
        free(m->severity);
        m->severity = s;
    }
    if ((rc = child_enum(info, "urgency", false, urgency_names, &idx, NULL,
                         diag)) != SM_OK ||
        (rc = child_enum(info, "certainty", false, certainty_names, &idx, NULL,
                         diag)) != SM_OK)
        return rc;

    if ((rc = child_text(info, "headline", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        free(m->headline);
        m->headline = s;
    }
    if ((rc = child_text(info, "description", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        free(m->description);
        m->description = s;
    }
    if ((rc = child_time(info, "effective", false, &m->effective_ms, diag)) ||
        (rc = child_time(info, "onset", false, &m->onset_ms, diag)) ||
        (rc = child_time(info, "expires", false, &m->expires_ms, diag)))
        return rc;

    for (xmlNodePtr c = info->children; c; c = c->next) {
        if (is_cap(c, "parameter"))
            rc = read_parameter(m, c, &ip, &seen_pollutant, diag);
        else if (is_cap(c, "area"))
            rc = read_area(m, c, diag);
        if (rc != SM_OK)
            return rc;
    }

    /* Level: the parameter wins when given; Unknown severity claims
     * nothing, any other severity must agree with it. */
    if (ip.has_level) {
        m->level = ip.level;
        m->level_from_parameter = true;
        if (sev >= 0 && strcmp(severity_names[sev], "Unknown") != 0 &&
            severity_levels[sev] != ip.level)
            return fail(diag, ip.level_node, SM_ERR_INVAL, "level_conflict",
                        "parameter level '%s' contradicts <severity> %s (which "
                        "means %s)", level_name(ip.level), severity_names[sev],
                        level_name(severity_levels[sev]));
    } else if (sev >= 0) {
        m->level = severity_levels[sev];
    } else {
        return fail(diag, info, SM_ERR_INVAL, "missing_element",
                    "<info> has neither a 'level' parameter nor <severity>");
    }

    int64_t start = m->onset_ms ? m->onset_ms : m->effective_ms;
    if (m->expires_ms && start && m->expires_ms <= start) {
        xmlNodePtr n;
        (void)child_one(info, "expires", &n, NULL);
        return fail(diag, n, SM_ERR_INVAL, "expires_before_onset",
                    "<expires> is not after <onset>/<effective>");
    }
    return SM_OK;
}

static enum sm_err
read_alert(struct warning_msg *m, xmlNodePtr root, struct sm_diag *diag)
{
    char *s = NULL;
    int idx = 0;
    enum sm_err rc;
    xmlNodePtr env = NULL, refs;
    int info_count = 0;

    /* CAP 1.2 required elements, in document order */
    if ((rc = child_text(root, "identifier", true, &s, diag)) != SM_OK)
        return rc;
    free(m->identifier);
    m->identifier = s;
    if ((rc = child_text(root, "sender", true, &s, diag)) != SM_OK)
        return rc;
    free(m->sender);
    m->sender = s;
    if ((rc = child_time(root, "sent", true, &m->sent_ms, diag)) != SM_OK)
        return rc;
    if ((rc = child_enum(root, "status", true, status_names, &idx, NULL,
                         diag)) != SM_OK)
        return rc;
    m->status = (enum warning_status)idx;
    if ((rc = child_enum(root, "msgType", true, msg_type_names, &idx, NULL,
                         diag)) != SM_OK)
        return rc;
    m->msg_type = (enum warning_msg_type)idx;
    if ((rc = child_enum(root, "scope", true, scope_names, &idx, NULL, diag)) !=
        SM_OK)
        return rc;

    xmlNodePtr n;
    (void)child_one(root, "identifier", &n, NULL);
    if ((rc = at_node(diag, n, ingest_check_id(m->identifier, "identifier",
                                               diag))) != SM_OK)
        return rc;
    (void)child_one(root, "sender", &n, NULL);
    if ((rc = at_node(diag, n, ingest_check_id(m->sender, "sender", diag))) !=
        SM_OK)
        return rc;

    if ((rc = child_text(root, "references", false, &s, diag)) != SM_OK)
        return rc;
    if (s) {
        (void)child_one(root, "references", &refs, NULL);
        rc = parse_references(m, s, refs, diag);
        free(s);
        if (rc != SM_OK)
            return rc;
    }

    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (!is_cap(c, "info"))
            continue;
        info_count++;
        if ((rc = check_categories(c, diag)) != SM_OK)
            return rc;
        if (!env && info_is_env(c))
            env = c;
    }
    if (info_count == 0 && (m->msg_type == WARNING_MSG_ALERT ||
                            m->msg_type == WARNING_MSG_UPDATE ||
                            m->msg_type == WARNING_MSG_CANCEL))
        return fail(diag, root, SM_ERR_INVAL, "missing_element",
                    "msgType %s needs at least one <info>",
                    msg_type_names[m->msg_type]);
    if (!env) {
        if (m->msg_type == WARNING_MSG_ACK || m->msg_type == WARNING_MSG_ERROR)
            return SM_OK; /* acknowledgements carry no warning content */
        return fail(diag, root, SM_ERR_INVAL, "no_env_info",
                    "no <info> has <category>Env</category>");
    }
    return read_env_info(m, env, diag);
}

enum sm_err
warning_parse_cap(const char *data, size_t len, struct warning_msg **out,
                  struct sm_diag *diag)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    struct warning_msg *m = NULL;
    enum sm_err rc;

    *out = NULL;
    rc = cap_xml_read(data, len, &doc, diag);
    if (rc != SM_OK)
        return rc;
    root = xmlDocGetRootElement(doc);
    if (!is_cap(root, "alert")) {
        rc = fail(diag, root, SM_ERR_PARSE, "wrong_namespace",
                  "the root element must be <alert> in namespace " CAP_NS
                  " (found <%.40s>%s%.80s)", (const char *)root->name,
                  root->ns && root->ns->href ? " in " : " without a namespace",
                  root->ns && root->ns->href ? (const char *)root->ns->href : "");
        goto out;
    }
    m = warning_msg_new("cap", data, len);
    rc = read_alert(m, root, diag);
    if (rc == SM_OK) {
        *out = m;
        m = NULL;
    }
out:
    warning_msg_free(m);
    xmlFreeDoc(doc);
    return rc;
}
