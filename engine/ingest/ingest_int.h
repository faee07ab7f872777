#ifndef SM_INGEST_INGEST_INT_H
#define SM_INGEST_INGEST_INT_H

/* Shared by the CAP and JSON readers: the field rules both formats obey. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/level.h"
#include "ingest/warning.h"

/* new: an empty message with every string set to "" and the format and
 * SHA-256 of data filled in. */
struct warning_msg *warning_msg_new(const char *format, const char *data,
                                    size_t len);

/* Identifier or sender: 1..INGEST_MAX_ID_LEN bytes, no whitespace, commas,
 * '<', '&' or control characters (CAP 1.2 §3.2.1). what names the field. */
enum sm_err ingest_check_id(const char *s, const char *what,
                            struct sm_diag *diag);

/* RFC 3339 with an offset, or the Chinese profile's YYYYMMDDhhmmss (Beijing
 * time). No offset: SM_ERR_PARSE "time_without_offset"; otherwise invalid:
 * SM_ERR_INVAL "bad_time". what names the field. */
enum sm_err ingest_time_parse(const char *s, const char *what, int64_t *out_ms,
                              struct sm_diag *diag);

/* A warning's level in either format, the same way in both: yellow,
 * orange, red, none in any ASCII case ("Red", "ORANGE"), or 黄色, 橙色,
 * 红色 (also 黄, 橙, 红, 无). false when s is none of these. */
bool ingest_level_parse(const char *s, enum level *out);

/* new: the normalised pollutant name ("pm25", ..., "other:<raw>"); "" for
 * an empty input. */
char *ingest_pollutant_normalise(const char *raw);

/* Daily AQI values "230,250,310" (commas, Chinese commas or blanks between)
 * into a new array; SM_ERR_INVAL "bad_forecast" when not 1..31 integers in
 * 0..INGEST_MAX_AQI. */
enum sm_err ingest_forecast_parse(const char *s, int **out, size_t *count,
                                  struct sm_diag *diag);

/* An area code: 6 to 12 ASCII digits. */
bool ingest_geocode_valid(const char *s);

/* Appends an area (both strings copied). */
void ingest_area_add(struct warning_msg *m, const char *value_name,
                     const char *code);
/* Appends a reference (strings copied). */
void ingest_ref_add(struct warning_msg *m, const char *sender,
                    const char *identifier, int64_t sent_ms);

#endif
