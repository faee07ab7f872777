#ifndef SM_BASE_HASH_H
#define SM_BASE_HASH_H

/* The string hash of the in-memory tables (list import maps, report
 * groups, measures texts): FNV-1a 64-bit. Not for untrusted keys an
 * attacker can choose in bulk; the tables hold our own rows. */
#include <stdint.h>

static inline uint64_t
sm_str_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

#endif
