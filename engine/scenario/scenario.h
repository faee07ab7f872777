#ifndef SM_SCENARIO_SCENARIO_H
#define SM_SCENARIO_SCENARIO_H

/* A whole episode as data (scenarios/README.md): a start time, a county, a
 * list, stations and timed steps (warnings, escalations, acknowledgements,
 * readings, compliance data, outages, expectations). Parsing is strict:
 * duplicate keys, unknown keys, bad times and bad values are refused with
 * the JSON path and the line and column in the file. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

#define SCENARIO_MAX_BYTES (4L * 1024 * 1024)
#define SCENARIO_MAX_STEPS 10000
#define SCENARIO_MAX_WARNING_BYTES (1024L * 1024)

enum step_kind {
    STEP_ADVANCE,    /* only "at": move the clock, run what falls due */
    STEP_WARNING,    /* a municipal warning: CAP file or JSON object */
    STEP_ESCALATE,   /* the duty officer's floor */
    STEP_ACK,        /* enterprises acknowledge their current orders */
    STEP_PHONE_ACK,  /* the officer records acknowledgements taken by phone */
    STEP_REISSUE,    /* the officer re-issues one enterprise's order */
    STEP_READINGS,   /* station readings */
    STEP_METER,      /* production-line power measurements */
    STEP_INSPECTION, /* on-site inspection results */
    STEP_OUTAGE,     /* a delivery channel is down for a while */
    STEP_EXPECT,     /* checks against the state at that time */
    STEP_KIND_COUNT
};

/* borrowed: "warning", "ack", ... ("advance" for STEP_ADVANCE) */
const char *scenario_step_name(enum step_kind k);

struct scenario_step {
    enum step_kind kind;
    int index;            /* 0-based position in "steps" */
    int line;             /* line of the step in the file */
    int64_t at_ms;
    const char *note;     /* borrowed from doc; NULL if none */
    json_t *arg;          /* borrowed from doc: the action's value (validated) */
    /* STEP_WARNING: the message to post (new; file contents or JSON text) */
    char *body;
    size_t body_len;
    char *content_type;   /* new */
    json_t *result;       /* borrowed: the expected reply subset, or NULL */
};

struct scenario {
    json_t *doc;          /* the parsed file; steps borrow from it */
    char *name;           /* the file as given, for messages */
    char *text;           /* the file's text, for line lookups */
    size_t text_len;
    char *dir;            /* the file's directory */
    const char *title, *description;
    int64_t start_ms, end_ms; /* end_ms: 0 = the last step */
    const char *county_code, *county_name, *parent_codes; /* parent_codes may be NULL */
    char *list_path;      /* resolved against dir */
    char *rules_dir;      /* resolved against dir; NULL = the default rules */
    json_t *config;       /* borrowed: {"directive": value}, or NULL */
    json_t *stations;     /* borrowed: array (may be empty) */
    struct scenario_step *steps;
    size_t nsteps;
};

/* Parses scenario text (pure: warning files are not read here; steps that
 * name a file keep the path in body until scenario_load resolves it).
 * name is used in messages and dir to resolve relative paths. *out is new.
 * Errors: SM_ERR_PARSE (not JSON, duplicate key) or SM_ERR_INVAL, with
 * diag->source = name and the line and column of the offending value. */
SM_NODISCARD enum sm_err scenario_parse(const char *text, size_t len, const char *name,
                                        const char *dir, struct scenario **out,
                                        struct sm_diag *diag);

/* Reads the file at path, parses it and reads the warning files it names.
 * *out is new. */
SM_NODISCARD enum sm_err scenario_load(const char *path, struct scenario **out,
                                       struct sm_diag *diag);

void scenario_free(struct scenario *sc);

/* Line and column of a JSON path ("steps[2].expect.level") in the file;
 * 0 when unknown. */
void scenario_locate(const struct scenario *sc, const char *path, int *line, int *column);

#endif
