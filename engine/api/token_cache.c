/* The token cache: open addressing on the hash's first 64 bits, emptied
 * when full or when the database changed under another connection. */
#include "api/token_cache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/xalloc.h"

#define TOKEN_CACHE_SLOTS 4096 /* power of two */
#define TOKEN_CACHE_MAX   3072 /* emptied beyond this, so probes stay short */
#define TOKEN_MAX_LEN     128  /* as store_token_lookup */

struct token_slot {
    bool used;
    char hash[65];
    struct principal who;
};

struct token_cache {
    struct token_slot slot[TOKEN_CACHE_SLOTS];
    int count;
    int64_t data_version;
    bool have_version;
};

struct token_cache *
token_cache_new(void)
{
    return xcalloc(1, sizeof(struct token_cache));
}

void
token_cache_free(struct token_cache *c)
{
    free(c);
}

static void
cache_clear(struct token_cache *c)
{
    memset(c->slot, 0, sizeof(c->slot));
    c->count = 0;
}

static uint32_t
slot_of(const char *hash)
{
    uint32_t h = 0;

    for (int i = 0; i < 8; i++) {
        char ch = hash[i];
        h = h << 4 | (uint32_t)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    return h & (TOKEN_CACHE_SLOTS - 1);
}

enum sm_err
token_cache_lookup(struct token_cache *c, struct store *s, const char *token,
                   struct principal *out)
{
    char hash[65];
    int64_t version;
    uint32_t i;
    enum sm_err err;
    size_t len = strlen(token);

    if (len > TOKEN_MAX_LEN)
        return SM_ERR_NOTFOUND;
    err = store_data_version(s, &version);
    if (err)
        return err;
    if (!c->have_version || version != c->data_version) {
        cache_clear(c);
        c->data_version = version;
        c->have_version = true;
    }
    sm_sha256_hex(token, len, hash);
    for (i = slot_of(hash); c->slot[i].used; i = (i + 1) & (TOKEN_CACHE_SLOTS - 1)) {
        if (sm_ct_equal(c->slot[i].hash, hash, 64)) {
            *out = c->slot[i].who;
            return SM_OK;
        }
    }
    err = store_token_lookup_hash(s, hash, out);
    if (err)
        return err;
    if (c->count >= TOKEN_CACHE_MAX) {
        cache_clear(c);
        i = slot_of(hash);
    }
    c->slot[i].used = true;
    memcpy(c->slot[i].hash, hash, sizeof(hash));
    c->slot[i].who = *out;
    c->count++;
    return SM_OK;
}
