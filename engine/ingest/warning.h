#ifndef SM_INGEST_WARNING_H
#define SM_INGEST_WARNING_H

/* One municipal warning as the engine needs it, whatever format it came in
 * (CAP 1.2 XML or the contract's JSON form). The readers here are pure: bytes
 * in, struct out, no I/O and no clock. See engine/ingest/README.md for the
 * exact rules each format is held to. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compat.h"
#include "base/err.h"
#include "base/level.h"

/* Hard limits on untrusted input. */
#define INGEST_MAX_BYTES      (256 * 1024) /* whole document: SM_ERR_LIMIT */
#define INGEST_MAX_DEPTH      32           /* XML element nesting */
#define INGEST_MAX_ID_LEN     256          /* identifier, sender */
#define INGEST_MAX_REFERENCES 64
#define INGEST_MAX_AREAS      64
#define INGEST_MAX_FORECAST   31 /* days */
#define INGEST_MAX_AQI        2000

enum warning_msg_type {
    WARNING_MSG_ALERT,
    WARNING_MSG_UPDATE,
    WARNING_MSG_CANCEL,
    WARNING_MSG_ACK,
    WARNING_MSG_ERROR,
};

enum warning_status {
    WARNING_STATUS_ACTUAL,
    WARNING_STATUS_EXERCISE,
    WARNING_STATUS_SYSTEM,
    WARNING_STATUS_TEST,
    WARNING_STATUS_DRAFT,
};

/* One earlier message this one updates or cancels. The JSON form gives only
 * identifiers: sender is then "" and sent_ms 0. */
struct warning_ref {
    char *sender;
    char *identifier;
    int64_t sent_ms;
};

/* One administrative area code (GB/T 2260, 6 digits; town codes 9 digits)
 * with the valueName it was given under ("" in the JSON form). */
struct warning_area {
    char *value_name;
    char *code;
};

/* Every string is owned by the struct and never NULL ("" when absent).
 * Times are ms since the epoch, UTC; 0 means absent. */
struct warning_msg {
    char format[8]; /* "cap" or "json" */
    char sha256[65]; /* hex SHA-256 of the original bytes */

    char *sender;
    char *identifier;
    int64_t sent_ms;
    enum warning_msg_type msg_type;
    enum warning_status status;

    struct warning_ref *refs;
    size_t ref_count;

    enum level level;
    bool level_from_parameter; /* true: a `level` parameter (or JSON "level");
                                  false: mapped from <severity> */
    char *severity;            /* CAP <severity> as written; "" in JSON */

    int64_t onset_ms;
    int64_t effective_ms;
    int64_t expires_ms;

    char *headline;
    char *description;

    bool has_area; /* the message names an area at all (<area> or "area") */
    struct warning_area *areas;
    size_t area_count;

    /* "pm25", "pm10", "o3", "dust", "so2", "no2", "co" or "other:<raw>";
     * "" = none named, which counts as PM2.5. */
    char *primary_pollutant;

    /* Forecast daily AQI values, day 0 first (CAP parameter `aqi_forecast`,
     * JSON "forecast"); forecast_count 0 when absent. */
    int *forecast_aqi;
    size_t forecast_count;
};

/* Installs libxml2's process-wide state for safe parsing: xmlInitParser()
 * and a deny-all external entity loader. Idempotent and thread-safe; call it
 * once at start before threads. warning_parse_cap() also calls it. */
void ingest_init(void);

/* Reads a CAP 1.2 alert. On SM_OK *out is new (free with warning_msg_free);
 * otherwise *out is NULL and diag (may be NULL) says what, where and why:
 * SM_ERR_LIMIT (too large), SM_ERR_PARSE (malformed XML, DOCTYPE, wrong
 * namespace, too deep, time without offset) or SM_ERR_INVAL (well-formed but
 * breaks a rule). data is borrowed and need not be NUL-terminated. */
SM_NODISCARD enum sm_err warning_parse_cap(const char *data, size_t len,
                                           struct warning_msg **out,
                                           struct sm_diag *diag);

/* Reads the contract's JSON warning form; same result conventions. */
SM_NODISCARD enum sm_err warning_parse_json(const char *data, size_t len,
                                            struct warning_msg **out,
                                            struct sm_diag *diag);

/* Chooses the reader by media type (parameters after ';' ignored):
 * application/cap+xml, application/xml, text/xml -> CAP; application/json
 * -> JSON; NULL or "" -> by the first non-blank byte ('<' or '{'). Another
 * type: SM_ERR_INVAL "unsupported_media_type". */
SM_NODISCARD enum sm_err warning_parse(const char *content_type,
                                       const char *data, size_t len,
                                       struct warning_msg **out,
                                       struct sm_diag *diag);

/* Frees m and everything it owns; NULL is a no-op. */
void warning_msg_free(struct warning_msg *m);

/* "alert", "update", ... and "actual", "exercise", ... (static strings). */
const char *warning_msg_type_name(enum warning_msg_type t);
const char *warning_status_name(enum warning_status s);

#endif
