#ifndef SM_AQI_READINGS_PARSE_H
#define SM_AQI_READINGS_PARSE_H

/* Station readings from request bodies: the contract §4 JSON form and the
 * Sensor.Community (luftdaten) push form. Pure: the caller caps the body
 * size, supplies the time and checks that stations are registered. Each
 * reading is accepted or rejected on its own. */

#include <stddef.h>
#include <stdint.h>

#include "aqi/aqi.h"
#include "base/err.h"

#define READINGS_MAX_COUNT 10000
#define READINGS_STATION_MAX 64 /* bytes of a station id */
/* No ambient concentration comes near this; larger values are typos or
 * unit mix-ups and are rejected rather than stored. */
#define READINGS_VALUE_MAX 100000.0

/* One accepted reading: an hourly mean ending at at_ms. */
struct reading {
    char *station; /* new, owned by the batch */
    enum aqi_pollutant pollutant;
    enum aqi_unit unit; /* always aqi_unit_of(pollutant) */
    double value;
    int64_t at_ms; /* end of the hour, UTC, a whole hour */
    size_t index;  /* position in the input array */
};

/* One rejected reading: what, where (its index) and why. */
struct reading_reject {
    size_t index;
    char code[48];     /* snake_case: negative_value, unknown_pollutant, ... */
    char message[256]; /* names the field: "readings[2].value: ..." */
};

struct readings_batch {
    struct reading *readings;
    size_t count;
    struct reading_reject *rejects;
    size_t reject_count;
};

/* Empty batch, nothing allocated. */
void readings_batch_init(struct readings_batch *b);
/* Frees the contents (not the struct) and leaves it empty. */
void readings_batch_release(struct readings_batch *b);

/* Parses {"readings": [{"station", "pollutant", "value", "unit", "period",
 * "at"}]}; period is optional and must be "1h". Good readings land in
 * out->readings and bad ones in out->rejects, in input order. Whole-body
 * failures (out stays empty, diag says why): SM_ERR_PARSE for bad JSON
 * (with line and column), a non-object or no "readings" array;
 * SM_ERR_INVAL for an unknown top-level field; SM_ERR_LIMIT above
 * READINGS_MAX_COUNT readings. `out` is initialised here; release it. */
SM_NODISCARD enum sm_err readings_parse_json(struct readings_batch *out, const char *body,
                                             size_t len, int64_t now_ms,
                                             struct sm_diag *diag);

/* Parses a Sensor.Community push {"esp8266id": "...", "sensordatavalues":
 * [{"value_type": "P1", "value": "12.3"}, ...]}: P1 is PM10 and P2 PM2.5
 * (µg/m³); other value types are ignored. `station` comes from the caller
 * (the X-Sensor header); `at` is now_ms rounded up to the end of the hour.
 * Rejects carry the index in sensordatavalues. SM_ERR_PARSE for a malformed
 * body, SM_ERR_INVAL for a bad station id, SM_ERR_LIMIT for too many
 * values. */
SM_NODISCARD enum sm_err readings_parse_sensor_community(struct readings_batch *out,
                                                         const char *body, size_t len,
                                                         const char *station,
                                                         int64_t now_ms,
                                                         struct sm_diag *diag);

#endif
