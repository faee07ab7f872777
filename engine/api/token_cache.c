/* The token table: every live credential, keyed by its SHA-256, in one
 * open-addressing table of 64-byte slots, each holding the hash (its first
 * 192 bits), the token's id, role and enterprise, and where its name lives
 * in one arena: a look-up touches one slot and the name, not an index, an
 * entry and two strings (with a token per order, 187k of them, each of
 * those was a cache miss). Loaded whole at the first look-up; afterwards,
 * when another connection has committed, the tokens created since (ids
 * above the highest loaded) are added and the revoked ones are marked dead. */
#include "api/token_cache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/xalloc.h"

#define TOKEN_MAX_LEN 128 /* as store_token_lookup */
#define HASH_BYTES    32
/* the part of the hash a slot keeps: two tokens meeting there is as
 * likely as guessing one */
#define KEY_BYTES     24

enum slot_state { SLOT_EMPTY, SLOT_LIVE, SLOT_REVOKED };

struct token_slot {
    unsigned char key[KEY_BYTES];
    int64_t token_id;
    uint32_t name;    /* offset into the arena */
    uint8_t name_len; /* < sizeof(principal.name) */
    uint8_t role;
    uint8_t state;
    uint8_t enterprise_len;
    char enterprise[24]; /* as principal.enterprise */
};

_Static_assert(sizeof(struct token_slot) == 64, "a slot is one cache line");

struct token_cache {
    struct token_slot *slot;
    uint32_t count;
    uint32_t nslots; /* a power of two; count stays below three quarters */
    char *arena;
    size_t arena_len, arena_cap;
    int64_t max_id;
    int64_t data_version;
    uint64_t checked_turn; /* the loop turn of the last data_version read */
    bool loaded;
};

struct token_cache *
token_cache_new(void)
{
    return xcalloc(1, sizeof(struct token_cache));
}

void
token_cache_free(struct token_cache *c)
{
    if (!c)
        return;
    free(c->slot);
    free(c->arena);
    free(c);
}

static void
cache_clear(struct token_cache *c)
{
    free(c->slot);
    free(c->arena);
    memset(c, 0, sizeof(*c));
}

static uint32_t
hash_start(const unsigned char *hash, uint32_t nslots)
{
    uint32_t h;

    memcpy(&h, hash, sizeof(h));
    return h & (nslots - 1);
}

static int
hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static bool
hash_from_hex(const char *hex, unsigned char out[HASH_BYTES])
{
    for (int i = 0; i < HASH_BYTES; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
        if (lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return hex[2 * HASH_BYTES] == '\0';
}

/* the slot with this hash, or NULL; the final compare in constant time */
static struct token_slot *
slot_find(const struct token_cache *c, const unsigned char *hash)
{
    if (!c->nslots)
        return NULL;
    for (uint32_t i = hash_start(hash, c->nslots); c->slot[i].state != SLOT_EMPTY;
         i = (i + 1) & (c->nslots - 1)) {
        struct token_slot *e = &c->slot[i];
        if (sm_ct_equal(e->key, hash, KEY_BYTES))
            return e;
    }
    return NULL;
}

/* the empty slot where this hash goes */
static struct token_slot *
slot_free_for(struct token_slot *slot, uint32_t nslots, const unsigned char *key)
{
    uint32_t i = hash_start(key, nslots);

    while (slot[i].state != SLOT_EMPTY)
        i = (i + 1) & (nslots - 1);
    return &slot[i];
}

/* zeroed slots on cache-line boundaries (a slot across two lines would
 * cost two misses) */
static struct token_slot *
slots_new(uint32_t n)
{
    struct token_slot *slot = aligned_alloc(64, (size_t)n * sizeof(*slot));

    if (!slot)
        abort(); /* as xcalloc */
    memset(slot, 0, (size_t)n * sizeof(*slot));
    return slot;
}

static void
slots_grow(struct token_cache *c)
{
    uint32_t n = c->nslots ? c->nslots * 2 : 1024;
    struct token_slot *slot = slots_new(n);

    for (uint32_t k = 0; k < c->nslots; k++)
        if (c->slot[k].state != SLOT_EMPTY)
            *slot_free_for(slot, n, c->slot[k].key) = c->slot[k];
    free(c->slot);
    c->slot = slot;
    c->nslots = n;
}

static uint32_t
arena_add(struct token_cache *c, const char *s, size_t n)
{
    uint32_t at;

    if (c->arena_len + n + 1 > c->arena_cap) {
        c->arena_cap = c->arena_cap ? c->arena_cap * 2 : 4096;
        while (c->arena_len + n + 1 > c->arena_cap)
            c->arena_cap *= 2;
        c->arena = xrealloc(c->arena, c->arena_cap);
    }
    at = (uint32_t)c->arena_len;
    memcpy(c->arena + at, s, n);
    c->arena[at + n] = '\0';
    c->arena_len += n + 1;
    return at;
}

/* adds a live token, or brings back to life the slot already there */
static void
entry_put(struct token_cache *c, const unsigned char *hash, const struct principal *who)
{
    struct token_slot *e = slot_find(c, hash);
    size_t elen = strnlen(who->enterprise, sizeof(who->enterprise) - 1);
    size_t nlen = strnlen(who->name, sizeof(who->name) - 1);

    if (who->token_id > c->max_id)
        c->max_id = who->token_id;
    if (e) {
        e->state = SLOT_LIVE;
        return;
    }
    if ((c->count + 1) * 4 > c->nslots * 3)
        slots_grow(c);
    e = slot_free_for(c->slot, c->nslots, hash);
    memcpy(e->key, hash, KEY_BYTES);
    e->token_id = who->token_id;
    e->role = (uint8_t)who->role;
    e->state = SLOT_LIVE;
    e->enterprise_len = (uint8_t)elen;
    memcpy(e->enterprise, who->enterprise, elen);
    e->name_len = (uint8_t)nlen;
    e->name = arena_add(c, who->name, nlen);
    c->count++;
}

static void
on_live(void *arg, const char *hex, const struct principal *who)
{
    unsigned char hash[HASH_BYTES];

    if (hash_from_hex(hex, hash))
        entry_put(arg, hash, who);
}

static void
on_revoked(void *arg, const char *hex)
{
    unsigned char hash[HASH_BYTES];
    struct token_slot *e;

    if (hash_from_hex(hex, hash) && (e = slot_find(arg, hash)))
        e->state = SLOT_REVOKED;
}

/* brings the table up to what the database holds now: everything at the
 * first call, the tokens created and revoked since afterwards */
static enum sm_err
cache_refresh(struct token_cache *c, struct store *s)
{
    enum sm_err err = store_token_scan_live(s, c->max_id, on_live, c);

    if (!err && c->loaded)
        err = store_token_scan_revoked(s, on_revoked, c);
    if (err)
        cache_clear(c); /* loaded again, whole, at the next look-up */
    return err;
}

static void
entry_principal(const struct token_cache *c, const struct token_slot *e, struct principal *out)
{
    out->token_id = e->token_id;
    out->role = (enum role)e->role;
    /* the lengths were taken within a principal's own fields: they fit */
    memcpy(out->enterprise, e->enterprise, e->enterprise_len);
    out->enterprise[e->enterprise_len] = '\0';
    memcpy(out->name, c->arena + e->name, (size_t)e->name_len + 1);
}

/* reads data_version and, when another connection committed since the
 * last call (or at the first), refreshes the table */
enum sm_err
token_cache_load(struct token_cache *c, struct store *s)
{
    int64_t version;
    enum sm_err err = store_data_version(s, &version);

    if (err || (c->loaded && version == c->data_version))
        return err;
    err = cache_refresh(c, s);
    if (err)
        return err;
    c->data_version = version;
    c->loaded = true;
    return SM_OK;
}

enum sm_err
token_cache_lookup(struct token_cache *c, struct store *s, uint64_t turn, const char *token,
                   struct principal *out)
{
    unsigned char hash[HASH_BYTES];
    char hex[65];
    const struct token_slot *e;
    enum sm_err err;
    size_t len = strnlen(token, TOKEN_MAX_LEN + 1);

    if (len > TOKEN_MAX_LEN)
        return SM_ERR_NOTFOUND;
    if (!turn || turn != c->checked_turn || !c->loaded) {
        err = token_cache_load(c, s);
        if (err)
            return err;
        c->checked_turn = turn;
    }
    sm_sha256(token, len, hash);
    e = slot_find(c, hash);
    if (e) {
        if (e->state != SLOT_LIVE)
            return SM_ERR_NOTFOUND;
        entry_principal(c, e, out);
        return SM_OK;
    }
    /* a token written by this connection itself (data_version does not
     * move for those) is found in the database and kept */
    sm_hex(hash, HASH_BYTES, hex);
    err = store_token_lookup_hash(s, hex, out);
    if (!err)
        entry_put(c, hash, out);
    return err;
}
