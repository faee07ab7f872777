/* One validator per step kind (the table below): what each step's value
 * must look like. Running them is the replay module's job. */
#include <stdio.h>
#include <string.h>

#include "base/level.h"
#include "list/uscc.h"
#include "scenario/scenario_int.h"

typedef enum sm_err step_check_fn(struct scn_check *c, struct scenario_step *st,
                                  const char *path);

static enum sm_err
check_warning(struct scn_check *c, struct scenario_step *st, const char *path)
{
    if (json_is_string(st->arg)) {
        if (json_string_length(st->arg) == 0)
            return scn_fail(c, path, "not_a_string", "must name a CAP or JSON file");
        return SM_OK;
    }
    if (!json_is_object(st->arg))
        return scn_fail(c, path, "bad_warning",
                        "must be a file name (CAP XML or JSON) or a JSON warning object");
    return SM_OK; /* the message itself is checked by the ingest parser at load */
}

static enum sm_err
check_escalate(struct scn_check *c, struct scenario_step *st, const char *path)
{
    static const char *const keys[] = { "level", "reason", NULL };
    const char *reason;
    enum sm_err err = scn_object(c, st->arg, path, keys);

    if (!err)
        err = scn_level(c, st->arg, path, "level", true);
    if (!err)
        err = scn_string(c, st->arg, path, "reason", true, &reason);
    return err;
}

static enum sm_err
check_ack(struct scn_check *c, struct scenario_step *st, const char *path)
{
    static const char *const keys[] = { "enterprises", "delay", "spread", "except", "note",
                                        "contact", "drill", NULL };
    static const char *const frac_keys[] = { "fraction", "seed", NULL };
    json_t *who = json_object_get(st->arg, "enterprises"), *v;
    const char *s;
    int64_t d;
    char p[300];
    enum sm_err err = scn_object(c, st->arg, path, keys);

    if (err)
        return err;
    snprintf(p, sizeof(p), "%s.enterprises", path);
    if (!who)
        return scn_fail(c, path, "missing_key",
                        "missing \"enterprises\": \"all\", a list of USCCs or {\"fraction\", \"seed\"}");
    if (json_is_string(who)) {
        if (strcmp(json_string_value(who), "all") != 0)
            return scn_fail(c, p, "bad_enterprises",
                            "'%s': use \"all\", a list of USCCs or {\"fraction\", \"seed\"}",
                            json_string_value(who));
    } else if (json_is_array(who)) {
        err = scn_uscc_array(c, who, p);
    } else {
        err = scn_object(c, who, p, frac_keys);
        if (err)
            return err;
        v = json_object_get(who, "fraction");
        if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1) {
            char q[320];
            snprintf(q, sizeof(q), "%s.fraction", p);
            return scn_fail(c, v ? q : p, "bad_fraction", "\"fraction\" must be a number in (0, 1]");
        }
        v = json_object_get(who, "seed");
        if (v && !json_is_integer(v)) {
            char q[320];
            snprintf(q, sizeof(q), "%s.seed", p);
            return scn_fail(c, q, "bad_seed", "must be an integer");
        }
    }
    if (!err)
        err = scn_duration(c, st->arg, path, "delay", false, &d);
    if (!err)
        err = scn_duration(c, st->arg, path, "spread", false, &d);
    if (!err && (v = json_object_get(st->arg, "except"))) {
        snprintf(p, sizeof(p), "%s.except", path);
        err = scn_uscc_array(c, v, p);
    }
    if (!err)
        err = scn_string(c, st->arg, path, "note", false, &s);
    if (!err)
        err = scn_string(c, st->arg, path, "contact", false, &s);
    if (!err && (v = json_object_get(st->arg, "drill")) && !json_is_boolean(v)) {
        snprintf(p, sizeof(p), "%s.drill", path);
        err = scn_fail(c, p, "not_a_boolean", "must be true or false");
    }
    return err;
}

static enum sm_err
check_uscc_key(struct scn_check *c, json_t *obj, const char *path, const char *key)
{
    const char *s;
    struct sm_diag d = { 0 };
    enum sm_err err = scn_string(c, obj, path, key, true, &s);
    char p[300];

    if (err)
        return err;
    snprintf(p, sizeof(p), "%s.%s", path, key);
    if (!uscc_valid(s, &d))
        return scn_fail(c, p, d.code, "'%s': %s", s, d.text);
    return SM_OK;
}

static enum sm_err
check_reissue(struct scn_check *c, struct scenario_step *st, const char *path)
{
    static const char *const keys[] = { "enterprise", "reason", NULL };
    const char *reason;
    enum sm_err err = scn_object(c, st->arg, path, keys);

    if (!err)
        err = check_uscc_key(c, st->arg, path, "enterprise");
    if (!err)
        err = scn_string(c, st->arg, path, "reason", true, &reason);
    return err;
}

/* Items of readings, meter and inspection steps: an array of objects. */
typedef enum sm_err item_check_fn(struct scn_check *c, struct scenario_step *st, json_t *item,
                                  const char *path);

static enum sm_err
check_items(struct scn_check *c, struct scenario_step *st, const char *path, item_check_fn *fn)
{
    size_t i;
    json_t *item;

    if (!json_is_array(st->arg) || json_array_size(st->arg) == 0)
        return scn_fail(c, path, "not_an_array", "must be a non-empty array");
    json_array_foreach(st->arg, i, item) {
        char p[300];
        enum sm_err err;
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        err = fn(c, st, item, p);
        if (err)
            return err;
    }
    return SM_OK;
}

static enum sm_err
check_item_time(struct scn_check *c, json_t *item, const char *path)
{
    json_t *at = json_object_get(item, "at");
    int64_t ms;
    char p[300];

    if (!at)
        return SM_OK;
    snprintf(p, sizeof(p), "%s.at", path);
    return scn_time(c, at, p, c->sc->start_ms, &ms);
}

static enum sm_err
check_number(struct scn_check *c, json_t *item, const char *path, const char *key)
{
    json_t *v = json_object_get(item, key);
    char p[300];

    snprintf(p, sizeof(p), "%s.%s", path, key);
    if (!v)
        return scn_fail(c, path, "missing_key", "missing \"%s\"", key);
    if (!json_is_number(v) || json_number_value(v) < 0)
        return scn_fail(c, p, "bad_value", "must be a number >= 0");
    return SM_OK;
}

static bool
in_set(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static enum sm_err
check_reading(struct scn_check *c, struct scenario_step *st, json_t *item, const char *path)
{
    static const char *const keys[] = { "station", "pollutant", "value", "unit", "at", NULL };
    static const char *const pollutants[] = { "pm25", "pm10", "so2", "no2", "o3", "co", NULL };
    static const char *const units[] = { "ug/m3", "mg/m3", NULL };
    const char *station, *pollutant, *unit;
    enum sm_err err = scn_object(c, item, path, keys);
    char p[300];
    bool known = false;
    size_t i;
    json_t *s;

    (void)st;
    if (!err)
        err = scn_string(c, item, path, "station", true, &station);
    if (err)
        return err;
    json_array_foreach(c->sc->stations, i, s)
        if (strcmp(json_string_value(json_object_get(s, "id")), station) == 0)
            known = true;
    snprintf(p, sizeof(p), "%s.station", path);
    if (!known)
        return scn_fail(c, p, "unknown_station", "'%s' is not in \"stations\"", station);
    err = scn_string(c, item, path, "pollutant", true, &pollutant);
    snprintf(p, sizeof(p), "%s.pollutant", path);
    if (!err && !in_set(pollutant, pollutants))
        return scn_fail(c, p, "bad_pollutant", "'%s' is not pm25, pm10, so2, no2, o3 or co",
                        pollutant);
    if (!err)
        err = check_number(c, item, path, "value");
    if (!err)
        err = scn_string(c, item, path, "unit", false, &unit);
    snprintf(p, sizeof(p), "%s.unit", path);
    if (!err && unit && !in_set(unit, units))
        return scn_fail(c, p, "bad_unit", "'%s' is not ug/m3 or mg/m3", unit);
    if (!err)
        err = check_item_time(c, item, path);
    return err;
}

static enum sm_err
check_meter_item(struct scn_check *c, struct scenario_step *st, json_t *item, const char *path)
{
    static const char *const keys[] = { "uscc", "line", "power_kw", "at", NULL };
    const char *line;
    enum sm_err err = scn_object(c, item, path, keys);

    (void)st;
    if (!err)
        err = check_uscc_key(c, item, path, "uscc");
    if (!err)
        err = scn_string(c, item, path, "line", true, &line);
    if (!err)
        err = check_number(c, item, path, "power_kw");
    if (!err)
        err = check_item_time(c, item, path);
    return err;
}

static enum sm_err
check_inspection_item(struct scn_check *c, struct scenario_step *st, json_t *item,
                      const char *path)
{
    static const char *const keys[] = { "uscc", "line", "result", "note", "at", NULL };
    static const char *const results[] = { "compliant", "violation", NULL };
    const char *line, *result, *note;
    char p[300];
    enum sm_err err = scn_object(c, item, path, keys);

    (void)st;
    if (!err)
        err = check_uscc_key(c, item, path, "uscc");
    if (!err)
        err = scn_string(c, item, path, "line", true, &line);
    if (!err)
        err = scn_string(c, item, path, "result", true, &result);
    snprintf(p, sizeof(p), "%s.result", path);
    if (!err && !in_set(result, results))
        return scn_fail(c, p, "bad_result", "'%s' is not compliant or violation", result);
    if (!err)
        err = scn_string(c, item, path, "note", false, &note);
    if (!err)
        err = check_item_time(c, item, path);
    return err;
}

static enum sm_err
check_readings(struct scn_check *c, struct scenario_step *st, const char *path)
{
    return check_items(c, st, path, check_reading);
}

static enum sm_err
check_meter(struct scn_check *c, struct scenario_step *st, const char *path)
{
    return check_items(c, st, path, check_meter_item);
}

static enum sm_err
check_inspection(struct scn_check *c, struct scenario_step *st, const char *path)
{
    return check_items(c, st, path, check_inspection_item);
}

static enum sm_err
check_outage(struct scn_check *c, struct scenario_step *st, const char *path)
{
    static const char *const keys[] = { "channel", "for", NULL };
    static const char *const channels[] = { "webhook", "email", "sms", "file" };
    const char *channel = NULL;
    int64_t d = 0;
    bool known = false;
    char p[300];
    enum sm_err err = scn_object(c, st->arg, path, keys);

    if (!err)
        err = scn_string(c, st->arg, path, "channel", true, &channel);
    for (size_t i = 0; !err && i < SM_ARRAY_LEN(channels); i++)
        known = known || strcmp(channel, channels[i]) == 0;
    snprintf(p, sizeof(p), "%s.channel", path);
    if (!err && !known)
        return scn_fail(c, p, "unknown_channel",
                        "unknown channel \"%s\" (webhook, email, sms, file)", channel);
    if (!err)
        err = scn_duration(c, st->arg, path, "for", true, &d);
    if (!err && d <= 0) {
        snprintf(p, sizeof(p), "%s.for", path);
        return scn_fail(c, p, "bad_duration", "must be longer than zero");
    }
    return err;
}

static enum sm_err
check_counts(struct scn_check *c, json_t *obj, const char *path, const char *const *keys)
{
    const char *key;
    json_t *v;
    enum sm_err err = scn_object(c, obj, path, keys);

    json_object_foreach(obj, key, v) {
        json_int_t n;
        if (err)
            break;
        if (strcmp(key, "level") == 0)
            err = scn_level(c, obj, path, key, true);
        else
            err = scn_count(c, obj, path, key, &n);
    }
    return err;
}

/* expect.deliveries: counts over every channel, and per channel. */
static enum sm_err
check_deliveries(struct scn_check *c, json_t *obj, const char *path)
{
    static const char *const keys[] = { "delivered", "pending", "dead", "failed_attempts",
                                        "duplicates", "undelivered_notices", "webhook",
                                        "email", "sms", "file", NULL };
    static const char *const channel_keys[] = { "delivered", "pending", "dead",
                                                "failed_attempts", "duplicates",
                                                "undelivered_notices", NULL };
    const char *key;
    json_t *v;
    enum sm_err err = scn_object(c, obj, path, keys);

    json_object_foreach(obj, key, v) {
        char p[300];
        json_int_t n;
        if (err)
            break;
        if ((size_t)snprintf(p, sizeof(p), "%s.%s", path, key) >= sizeof(p))
            p[sizeof(p) - 1] = '\0'; /* a path that long is only shown, cut */
        if (strcmp(key, "webhook") == 0 || strcmp(key, "email") == 0 || strcmp(key, "sms") == 0 ||
            strcmp(key, "file") == 0)
            err = check_counts(c, v, p, channel_keys);
        else
            err = scn_count(c, obj, path, key, &n);
    }
    return err;
}

static enum sm_err
check_expect(struct scn_check *c, struct scenario_step *st, const char *path)
{
    static const char *const keys[] = { "drill", "level", "orders", "notices", "episode",
                                        "compliance", "deliveries", NULL };
    static const char *const order_keys[] = { "active", "acknowledged", "overdue", "lifted",
                                              "superseded", "versions", "enterprises",
                                              "version", "level", NULL };
    static const char *const notice_keys[] = { "order_issued", "order_superseded",
                                               "order_lifted", "ack_reminder", "officer_alert",
                                               NULL };
    static const char *const compliance_keys[] = { "compliant", "violation", "unknown", NULL };
    json_t *v;
    char p[300];
    enum sm_err err = scn_object(c, st->arg, path, keys);

    if (!err && json_object_size(st->arg) == 0)
        return scn_fail(c, path, "empty_expect", "names nothing to check");
    if (!err && (v = json_object_get(st->arg, "drill")) && !json_is_boolean(v)) {
        snprintf(p, sizeof(p), "%s.drill", path);
        return scn_fail(c, p, "not_a_boolean", "must be true or false");
    }
    if (!err)
        err = scn_level(c, st->arg, path, "level", false);
    snprintf(p, sizeof(p), "%s.orders", path);
    if (!err && (v = json_object_get(st->arg, "orders")))
        err = check_counts(c, v, p, order_keys);
    snprintf(p, sizeof(p), "%s.notices", path);
    if (!err && (v = json_object_get(st->arg, "notices")))
        err = check_counts(c, v, p, notice_keys);
    snprintf(p, sizeof(p), "%s.compliance", path);
    if (!err && (v = json_object_get(st->arg, "compliance")))
        err = check_counts(c, v, p, compliance_keys);
    snprintf(p, sizeof(p), "%s.deliveries", path);
    if (!err && (v = json_object_get(st->arg, "deliveries")))
        err = check_deliveries(c, v, p);
    snprintf(p, sizeof(p), "%s.episode", path);
    if (!err && (v = json_object_get(st->arg, "episode")) && !json_is_object(v))
        err = scn_fail(c, p, "not_an_object",
                       "must be an object: the figures of GET /v1/episodes/{id} to compare");
    return err;
}

static const struct {
    const char *name;
    step_check_fn *check;
} kinds[STEP_KIND_COUNT] = {
    [STEP_ADVANCE] = { "advance", NULL },
    [STEP_WARNING] = { "warning", check_warning },
    [STEP_ESCALATE] = { "escalate", check_escalate },
    [STEP_ACK] = { "ack", check_ack },
    [STEP_PHONE_ACK] = { "phone_ack", check_ack },
    [STEP_REISSUE] = { "reissue", check_reissue },
    [STEP_READINGS] = { "readings", check_readings },
    [STEP_METER] = { "meter", check_meter },
    [STEP_INSPECTION] = { "inspection", check_inspection },
    [STEP_OUTAGE] = { "outage", check_outage },
    [STEP_EXPECT] = { "expect", check_expect },
};

const char *
scenario_step_name(enum step_kind k)
{
    return k < STEP_KIND_COUNT ? kinds[k].name : "?";
}

enum sm_err
scn_step_validate(struct scn_check *c, struct scenario_step *st, const char *path)
{
    if (!kinds[st->kind].check)
        return SM_OK;
    return kinds[st->kind].check(c, st, path);
}
