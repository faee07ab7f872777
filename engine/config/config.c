/* Table-driven configuration: one row per directive, with its type, default
 * and bounds, so the file reader, flags and docs agree. */
#include "config/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

enum cfg_type { CFG_STRING, CFG_LONG, CFG_INT };

struct cfg_def {
    const char *name;
    enum cfg_type type;
    const char *def;
    size_t offset;
    long min, max;
};

#define STR(n, f, d) { n, CFG_STRING, d, offsetof(struct config, f), 0, 0 }
#define NUM(n, f, d, lo, hi) { n, CFG_LONG, d, offsetof(struct config, f), lo, hi }
#define INT(n, f, d, lo, hi) { n, CFG_INT, d, offsetof(struct config, f), lo, hi }

static const struct cfg_def defs[] = {
    STR("listen", listen, "127.0.0.1:8080"),
    STR("db", db_path, "./smogd.db"),
    STR("rules", rules_dir, NULL),
    STR("county_code", county_code, "140826"),
    STR("county_name", county_name, "绛县"),
    STR("parent_codes", parent_codes, "140800 140000"),
    STR("timezone", timezone, "Asia/Shanghai"),
    NUM("max_body_bytes", max_body_bytes, "1048576", 1024, 64L * 1024 * 1024),
    NUM("max_header_bytes", max_header_bytes, "8192", 1024, 1024 * 1024),
    NUM("max_list_bytes", max_list_bytes, "67108864", 1024, 512L * 1024 * 1024),
    INT("request_timeout", request_timeout_s, "10", 1, 3600),
    STR("log_level", log_level, "info"),
    STR("notifiers", notifiers_path, NULL),
    STR("public_url", public_url, "http://127.0.0.1:8080"),
    INT("daily_report_hour", daily_report_hour, "16", 0, 23),
    INT("station_stale_hours", station_stale_hours, "3", 1, 720),
    INT("daily_report_lead_minutes", daily_report_lead_minutes, "30", 0, 720),
};

static const struct cfg_def *
find_def(const char *name)
{
    for (size_t i = 0; i < SM_ARRAY_LEN(defs); i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

static enum sm_err
apply(struct config *c, const struct cfg_def *d, const char *value,
      struct sm_diag *diag)
{
    char *base = (char *)c;

    if (d->type == CFG_STRING) {
        char **slot = (char **)(void *)(base + d->offset);
        free(*slot);
        *slot = value ? xstrdup(value) : NULL;
        return SM_OK;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < d->min || v > d->max) {
        sm_diag_set(diag, "bad_value", "%s: '%s' is not a number in %ld..%ld",
                    d->name, value, d->min, d->max);
        return SM_ERR_INVAL;
    }
    if (d->type == CFG_LONG)
        *(long *)(void *)(base + d->offset) = v;
    else
        *(int *)(void *)(base + d->offset) = (int)v;
    return SM_OK;
}

void
config_init_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < SM_ARRAY_LEN(defs); i++)
        if (defs[i].def || defs[i].type == CFG_STRING)
            if (apply(c, &defs[i], defs[i].def, NULL) != SM_OK)
                abort(); /* a bad built-in default is a programming error */
    c->tz_min = SM_TZ_SHANGHAI_MIN;
}

void
config_release(struct config *c)
{
    for (size_t i = 0; i < SM_ARRAY_LEN(defs); i++)
        if (defs[i].type == CFG_STRING) {
            char **slot = (char **)(void *)((char *)c + defs[i].offset);
            free(*slot);
            *slot = NULL;
        }
}

enum sm_err
config_set(struct config *c, const char *name, const char *value,
           struct sm_diag *diag)
{
    const struct cfg_def *d = find_def(name);

    if (!d) {
        sm_diag_set(diag, "unknown_directive", "unknown directive '%s'", name);
        return SM_ERR_INVAL;
    }
    return apply(c, d, value, diag);
}

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

enum sm_err
config_load_file(struct config *c, const char *path, struct sm_diag *diag)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int lineno = 0;
    enum sm_err err = SM_OK;

    if (!f) {
        sm_diag_set(diag, "config_unreadable", "cannot open %s: %s", path, strerror(errno));
        return SM_ERR_IO;
    }
    while (fgets(line, sizeof(line), f)) {
        char *s, *name, *value;
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            err = SM_ERR_INVAL;
            sm_diag_set(diag, "line_too_long", "line longer than %zu bytes", sizeof(line) - 2);
            break;
        }
        s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        name = s;
        value = s + strcspn(s, " \t");
        if (*value)
            *value++ = '\0';
        value = trim(value);
        if (*value == '"' && strlen(value) >= 2 && value[strlen(value) - 1] == '"') {
            value[strlen(value) - 1] = '\0';
            value++;
        }
        if (*value == '\0') {
            err = SM_ERR_INVAL;
            sm_diag_set(diag, "missing_value", "directive '%s' has no value", name);
            break;
        }
        err = config_set(c, name, value, diag);
        if (err)
            break;
    }
    fclose(f);
    if (err && diag) {
        snprintf(diag->source, sizeof(diag->source), "%s", path);
        diag->line = lineno;
    }
    return err;
}

enum sm_err
config_finish(struct config *c, struct sm_diag *diag)
{
    if (!sm_tz_parse(c->timezone, &c->tz_min)) {
        sm_diag_set(diag, "bad_value", "timezone: '%s' is not Asia/Shanghai, UTC or +hh:mm",
                    c->timezone);
        return SM_ERR_INVAL;
    }
    if (strlen(c->county_code) != 6 || strspn(c->county_code, "0123456789") != 6) {
        sm_diag_set(diag, "bad_value", "county_code: '%s' is not a 6-digit GB/T 2260 code",
                    c->county_code);
        return SM_ERR_INVAL;
    }
    if (sm_log_parse_level(c->log_level) < 0) {
        sm_diag_set(diag, "bad_value", "log_level: '%s' is not debug, info, notice, warning or err",
                    c->log_level);
        return SM_ERR_INVAL;
    }
    if (!strchr(c->listen, ':')) {
        sm_diag_set(diag, "bad_value", "listen: '%s' is not HOST:PORT", c->listen);
        return SM_ERR_INVAL;
    }
    return SM_OK;
}

const char *
config_rules_dir(const struct config *c)
{
    static const char *const candidates[] = { SMOGD_DATA_DIR "/rules",
                                              SMOGD_SOURCE_DIR "/rules" };

    if (c->rules_dir)
        return c->rules_dir;
    for (size_t i = 0; i < SM_ARRAY_LEN(candidates); i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return "rules";
}
