/* Reading a scenario file: strict JSON (duplicate and unknown keys
 * refused), times resolved against "start", steps in time order, warning
 * files read and parsed up front so a bad one is named before anything
 * runs. */
#include "scenario/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "ingest/warning.h"
#include "scenario/jsonpos.h"
#include "scenario/scenario_int.h"

void
scenario_locate(const struct scenario *sc, const char *path, int *line, int *column)
{
    if (!sc->text || !jsonpos_find(sc->text, sc->text_len, path, line, column))
        *line = *column = 0;
}

void
scenario_free(struct scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->nsteps; i++) {
        free(sc->steps[i].body);
        free(sc->steps[i].content_type);
    }
    free(sc->steps);
    json_decref(sc->doc);
    free(sc->name);
    free(sc->text);
    free(sc->dir);
    free(sc->list_path);
    free(sc->rules_dir);
    free(sc);
}

static char *
resolve(const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir || !dir[0])
        return xstrdup(rel);
    return xasprintf("%s/%s", dir, rel);
}

static const char *const step_actions[] = { "warning", "escalate", "ack", "phone_ack",
                                            "reissue", "readings", "meter", "inspection",
                                            "outage", "expect", NULL };
static const enum step_kind step_action_kinds[] = { STEP_WARNING, STEP_ESCALATE, STEP_ACK,
                                                    STEP_PHONE_ACK, STEP_REISSUE, STEP_READINGS,
                                                    STEP_METER, STEP_INSPECTION, STEP_OUTAGE,
                                                    STEP_EXPECT };

static enum sm_err
parse_step(struct scn_check *c, json_t *v, size_t i, int64_t prev_ms, struct scenario_step *st)
{
    static const char *const keys[] = { "at", "note", "warning", "content_type", "result",
                                        "escalate", "ack", "phone_ack", "reissue", "readings",
                                        "meter", "inspection", "outage", "expect", NULL };
    char path[64], p[96];
    const char *action = NULL;
    int col;
    enum sm_err err;

    snprintf(path, sizeof(path), "steps[%zu]", i);
    st->index = (int)i;
    st->kind = STEP_ADVANCE;
    scenario_locate(c->sc, path, &st->line, &col);
    err = scn_object(c, v, path, keys);
    if (err)
        return err;
    if (!json_object_get(v, "at"))
        return scn_fail(c, path, "missing_key", "missing \"at\"");
    snprintf(p, sizeof(p), "%s.at", path);
    err = scn_time(c, json_object_get(v, "at"), p, c->sc->start_ms, &st->at_ms);
    if (err)
        return err;
    if (st->at_ms < prev_ms)
        return scn_fail(c, p, "steps_out_of_order",
                        "is earlier than the step before it; steps run in time order");
    if (st->at_ms < c->sc->start_ms)
        return scn_fail(c, p, "before_start", "is before the scenario's \"start\"");
    err = scn_string(c, v, path, "note", false, &st->note);
    if (err)
        return err;
    for (size_t k = 0; step_actions[k]; k++) {
        if (!json_object_get(v, step_actions[k]))
            continue;
        if (action)
            return scn_fail(c, path, "two_actions",
                            "has both \"%s\" and \"%s\"; one action per step", action,
                            step_actions[k]);
        action = step_actions[k];
        st->kind = step_action_kinds[k];
        st->arg = json_object_get(v, action);
    }
    if (st->kind != STEP_WARNING &&
        (json_object_get(v, "content_type") || json_object_get(v, "result"))) {
        snprintf(p, sizeof(p), "%s.%s", path,
                 json_object_get(v, "content_type") ? "content_type" : "result");
        return scn_fail(c, p, "warning_only", "belongs to a \"warning\" step only");
    }
    if (st->kind == STEP_WARNING) {
        static const char *const result_keys[] = { "applied", "reason", "duplicate", "level",
                                                   "state", "drill", NULL };
        const char *ct;
        err = scn_string(c, v, path, "content_type", false, &ct);
        if (err)
            return err;
        if (ct)
            st->content_type = xstrdup(ct);
        st->result = json_object_get(v, "result");
        snprintf(p, sizeof(p), "%s.result", path);
        if (st->result && (err = scn_object(c, st->result, p, result_keys)))
            return err;
        if (st->result && (err = scn_level(c, st->result, p, "level", false)))
            return err;
    }
    snprintf(p, sizeof(p), "%s.%s", path, action ? action : "");
    return scn_step_validate(c, st, p);
}

static enum sm_err
parse_stations(struct scn_check *c, json_t *arr)
{
    static const char *const keys[] = { "id", "name", "kind", "lat", "lon", NULL };
    size_t i;
    json_t *s;

    if (!json_is_array(arr))
        return scn_fail(c, "stations", "not_an_array", "must be an array of stations");
    json_array_foreach(arr, i, s) {
        char p[64];
        const char *id, *name, *kind;
        enum sm_err err;
        snprintf(p, sizeof(p), "stations[%zu]", i);
        err = scn_object(c, s, p, keys);
        if (!err)
            err = scn_string(c, s, p, "id", true, &id);
        if (!err)
            err = scn_string(c, s, p, "name", true, &name);
        if (!err)
            err = scn_string(c, s, p, "kind", false, &kind);
        if (!err && kind && strcmp(kind, "official") != 0 && strcmp(kind, "lowcost") != 0)
            err = scn_fail(c, p, "bad_kind", "\"kind\" '%s' is not official or lowcost", kind);
        for (const char *const *k = keys + 3; !err && *k; k++) {
            json_t *n = json_object_get(s, *k);
            if (n && !json_is_number(n))
                err = scn_fail(c, p, "bad_value", "\"%s\" must be a number", *k);
        }
        for (size_t j = 0; !err && j < i; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(arr, j), "id")), id) == 0)
                err = scn_fail(c, p, "duplicate_station", "station '%s' is listed twice", id);
        if (err)
            return err;
    }
    return SM_OK;
}

static enum sm_err
parse_doc(struct scn_check *c)
{
    static const char *const keys[] = { "title", "description", "start", "end", "county",
                                        "list", "rules", "config", "stations", "steps", NULL };
    static const char *const county_keys[] = { "code", "name", "parents", NULL };
    struct scenario *sc = c->sc;
    json_t *doc = sc->doc, *v;
    const char *list, *rules;
    enum sm_err err = scn_object(c, doc, "", keys);

    if (!err)
        err = scn_string(c, doc, "", "title", true, &sc->title);
    if (!err)
        err = scn_string(c, doc, "", "description", false, &sc->description);
    if (err)
        return err;
    if (!json_object_get(doc, "start"))
        return scn_fail(c, "", "missing_key", "missing \"start\" (RFC 3339 with an offset)");
    err = scn_time(c, json_object_get(doc, "start"), "start", 0, &sc->start_ms);
    if (err)
        return err;
    v = json_object_get(doc, "county");
    if (!v)
        return scn_fail(c, "", "missing_key", "missing \"county\": {\"code\", \"name\"}");
    err = scn_object(c, v, "county", county_keys);
    if (!err)
        err = scn_string(c, v, "county", "code", true, &sc->county_code);
    if (!err && (strlen(sc->county_code) != 6 || strspn(sc->county_code, "0123456789") != 6))
        err = scn_fail(c, "county.code", "bad_county", "'%s' is not a 6-digit GB/T 2260 code",
                       sc->county_code);
    if (!err)
        err = scn_string(c, v, "county", "name", true, &sc->county_name);
    if (!err)
        err = scn_string(c, v, "county", "parents", false, &sc->parent_codes);
    if (!err)
        err = scn_string(c, doc, "", "list", true, &list);
    if (!err)
        err = scn_string(c, doc, "", "rules", false, &rules);
    if (err)
        return err;
    sc->list_path = resolve(sc->dir, list);
    sc->rules_dir = rules ? resolve(sc->dir, rules) : NULL;
    sc->config = json_object_get(doc, "config");
    if (sc->config) {
        const char *key;
        json_t *val;
        if (!json_is_object(sc->config))
            return scn_fail(c, "config", "not_an_object",
                            "must be an object of configuration directives");
        json_object_foreach(sc->config, key, val)
            if (!json_is_string(val) && !json_is_integer(val)) {
                char p[160];
                snprintf(p, sizeof(p), "config.%s", key);
                return scn_fail(c, p, "bad_value", "must be a string or a whole number");
            }
    }
    sc->stations = json_object_get(doc, "stations");
    if (!sc->stations) {
        sc->stations = json_array();
        json_object_set_new(doc, "stations", sc->stations);
    } else if ((err = parse_stations(c, sc->stations))) {
        return err;
    }
    v = json_object_get(doc, "steps");
    if (!json_is_array(v) || json_array_size(v) == 0)
        return scn_fail(c, v ? "steps" : "", v ? "not_an_array" : "missing_key",
                        "\"steps\" must be a non-empty array");
    if (json_array_size(v) > SCENARIO_MAX_STEPS)
        return scn_fail(c, "steps", "too_many_steps", "more than %d steps", SCENARIO_MAX_STEPS);
    sc->steps = xcalloc(json_array_size(v), sizeof(*sc->steps));
    for (size_t i = 0; i < json_array_size(v); i++) {
        err = parse_step(c, json_array_get(v, i), i, i ? sc->steps[i - 1].at_ms : sc->start_ms,
                         &sc->steps[i]);
        sc->nsteps = i + 1;
        if (err)
            return err;
    }
    if (json_object_get(doc, "end")) {
        err = scn_time(c, json_object_get(doc, "end"), "end", sc->start_ms, &sc->end_ms);
        if (!err && sc->end_ms < sc->steps[sc->nsteps - 1].at_ms)
            err = scn_fail(c, "end", "end_before_steps", "is before the last step");
    }
    return err;
}

enum sm_err
scenario_parse(const char *text, size_t len, const char *name, const char *dir,
               struct scenario **out, struct sm_diag *diag)
{
    struct scenario *sc = xcalloc(1, sizeof(*sc));
    struct scn_check c = { sc, diag };
    json_error_t je;
    enum sm_err err;

    *out = NULL;
    sc->name = xstrdup(name);
    sc->dir = xstrdup(dir ? dir : "");
    sc->text = xstrndup(text, len);
    sc->text_len = len;
    if (len > (size_t)SCENARIO_MAX_BYTES) {
        sm_diag_set(diag, "too_large", "scenario larger than %ld bytes", SCENARIO_MAX_BYTES);
        err = SM_ERR_LIMIT;
        goto fail;
    }
    sc->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!sc->doc) {
        sm_diag_at(diag, je.line, je.column, "bad_json", "%s", je.text);
        err = SM_ERR_PARSE;
        goto fail;
    }
    err = parse_doc(&c);
    if (err)
        goto fail;
    *out = sc;
    return SM_OK;
fail:
    if (diag)
        snprintf(diag->source, sizeof(diag->source), "%s", name);
    scenario_free(sc);
    return err;
}

static enum sm_err
read_file(const char *path, long limit, char **data, size_t *len, struct sm_diag *diag)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 65536, n = 0;
    char *p;

    *data = NULL;
    if (!f) {
        sm_diag_set(diag, "unreadable", "cannot open %s: %s", path, strerror(errno));
        return SM_ERR_IO;
    }
    p = xmalloc(cap + 1);
    for (;;) {
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (n > (size_t)limit) {
            fclose(f);
            free(p);
            sm_diag_set(diag, "too_large", "%s is larger than %ld bytes", path, limit);
            return SM_ERR_LIMIT;
        }
        if (got == 0)
            break;
        if (n == cap) {
            cap *= 2;
            p = xrealloc(p, cap + 1);
        }
    }
    if (ferror(f)) {
        fclose(f);
        free(p);
        sm_diag_set(diag, "unreadable", "cannot read %s", path);
        return SM_ERR_IO;
    }
    fclose(f);
    p[n] = '\0';
    *data = p;
    *len = n;
    return SM_OK;
}

static const char *
type_for(const char *file)
{
    size_t n = strlen(file);
    return n > 5 && strcmp(file + n - 5, ".json") == 0 ? "application/json"
                                                      : "application/cap+xml";
}

/* Reads each warning step's message and checks that it parses, naming the
 * step's line when it does not. */
static enum sm_err
load_warnings(struct scenario *sc, struct sm_diag *diag)
{
    struct scn_check c = { sc, diag };

    for (size_t i = 0; i < sc->nsteps; i++) {
        struct scenario_step *st = &sc->steps[i];
        struct warning_msg *m = NULL;
        struct sm_diag wd = { 0 };
        char p[64];
        enum sm_err err;

        if (st->kind != STEP_WARNING)
            continue;
        snprintf(p, sizeof(p), "steps[%zu].warning", i);
        if (json_is_string(st->arg)) {
            char *file = resolve(sc->dir, json_string_value(st->arg));
            err = read_file(file, SCENARIO_MAX_WARNING_BYTES, &st->body, &st->body_len, &wd);
            if (!st->content_type)
                st->content_type = xstrdup(type_for(file));
            free(file);
            if (err)
                return scn_fail(&c, p, wd.code, "%s", wd.text);
        } else {
            st->body = json_dumps(st->arg, JSON_COMPACT);
            st->body_len = strlen(st->body);
            if (!st->content_type)
                st->content_type = xstrdup("application/json");
        }
        err = warning_parse(st->content_type, st->body, st->body_len, &m, &wd);
        warning_msg_free(m);
        if (err) {
            char where[64] = "";
            if (wd.line)
                snprintf(where, sizeof(where), " (line %d of the message)", wd.line);
            return scn_fail(&c, p, wd.code[0] ? wd.code : "bad_warning",
                            "the warning does not parse%s: %s", where, wd.text);
        }
    }
    return SM_OK;
}

enum sm_err
scenario_load(const char *path, struct scenario **out, struct sm_diag *diag)
{
    char *text = NULL, *dir;
    const char *slash = strrchr(path, '/');
    size_t len = 0;
    enum sm_err err;

    *out = NULL;
    ingest_init();
    err = read_file(path, SCENARIO_MAX_BYTES, &text, &len, diag);
    if (err)
        return err;
    dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    err = scenario_parse(text, len, path, dir, out, diag);
    free(dir);
    free(text);
    if (!err) {
        err = load_warnings(*out, diag);
        if (err) {
            scenario_free(*out);
            *out = NULL;
        }
    }
    return err;
}
