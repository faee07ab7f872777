/* Fuzz target for the readings parsers: the contract JSON form and the
 * Sensor.Community push form get the same bytes at a fixed time. Whatever
 * comes in, the result is either a whole-body error with nothing allocated,
 * or a batch whose every entry is either accepted or rejected. */
#include <stdint.h>
#include <stdlib.h>

#include "aqi/readings_parse.h"

/* 2025-12-01T10:20:00+08:00 */
#define FUZZ_NOW_MS 1764555600000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_batch(const struct readings_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        const struct reading *r = &b->readings[i];
        if (!r->station || r->value < 0 || r->value > READINGS_VALUE_MAX ||
            r->unit != aqi_unit_of(r->pollutant) || r->at_ms % 3600000 != 0 ||
            r->at_ms > FUZZ_NOW_MS + 3600000)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct readings_batch b;

    if (readings_parse_json(&b, (const char *)data, size, FUZZ_NOW_MS, NULL) == SM_OK)
        check_batch(&b);
    else if (b.count || b.reject_count || b.readings || b.rejects)
        abort();
    readings_batch_release(&b);
    if (readings_parse_sensor_community(&b, (const char *)data, size, "fuzz-sensor",
                                        FUZZ_NOW_MS, NULL) == SM_OK)
        check_batch(&b);
    readings_batch_release(&b);
    return 0;
}
