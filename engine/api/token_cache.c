/* The token table: every live credential, keyed by its SHA-256, in one
 * open-addressing index over an array of entries whose strings live in
 * one arena. Loaded whole at the first look-up; afterwards, when another
 * connection has committed, the tokens created since (ids above the
 * highest loaded) are added and the revoked ones are marked dead. */
#include "api/token_cache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/xalloc.h"

#define TOKEN_MAX_LEN 128 /* as store_token_lookup */
#define HASH_BYTES    32

struct token_entry {
    unsigned char hash[HASH_BYTES];
    int64_t token_id;
    uint32_t enterprise, name; /* offsets into the arena */
    int role;
    bool live;
};

struct token_cache {
    struct token_entry *entry;
    uint32_t count, cap;
    uint32_t *slot; /* entry index + 1; 0 = empty */
    uint32_t nslots; /* a power of two, at least twice count */
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
    free(c->entry);
    free(c->slot);
    free(c->arena);
    free(c);
}

static void
cache_clear(struct token_cache *c)
{
    free(c->entry);
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

/* the entry with this hash, or NULL; the final compare in constant time */
static struct token_entry *
entry_find(const struct token_cache *c, const unsigned char *hash)
{
    if (!c->nslots)
        return NULL;
    for (uint32_t i = hash_start(hash, c->nslots); c->slot[i];
         i = (i + 1) & (c->nslots - 1)) {
        struct token_entry *e = &c->entry[c->slot[i] - 1];
        if (sm_ct_equal(e->hash, hash, HASH_BYTES))
            return e;
    }
    return NULL;
}

static void
slots_grow(struct token_cache *c)
{
    uint32_t n = c->nslots ? c->nslots * 2 : 1024;

    free(c->slot);
    c->slot = xcalloc(n, sizeof(*c->slot));
    c->nslots = n;
    for (uint32_t k = 0; k < c->count; k++) {
        uint32_t i = hash_start(c->entry[k].hash, n);
        while (c->slot[i])
            i = (i + 1) & (n - 1);
        c->slot[i] = k + 1;
    }
}

static uint32_t
arena_add(struct token_cache *c, const char *s)
{
    size_t n = strlen(s) + 1;
    uint32_t at;

    if (c->arena_len + n > c->arena_cap) {
        c->arena_cap = c->arena_cap ? c->arena_cap * 2 : 4096;
        while (c->arena_len + n > c->arena_cap)
            c->arena_cap *= 2;
        c->arena = xrealloc(c->arena, c->arena_cap);
    }
    at = (uint32_t)c->arena_len;
    memcpy(c->arena + at, s, n);
    c->arena_len += n;
    return at;
}

/* adds a live token, or brings back to life the entry already there */
static void
entry_put(struct token_cache *c, const unsigned char *hash, const struct principal *who)
{
    struct token_entry *e = entry_find(c, hash);
    uint32_t i;

    if (who->token_id > c->max_id)
        c->max_id = who->token_id;
    if (e) {
        e->live = true;
        return;
    }
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->entry = xrealloc(c->entry, c->cap * sizeof(*c->entry));
    }
    if ((c->count + 1) * 2 > c->nslots)
        slots_grow(c);
    e = &c->entry[c->count];
    memcpy(e->hash, hash, HASH_BYTES);
    e->token_id = who->token_id;
    e->role = (int)who->role;
    e->enterprise = arena_add(c, who->enterprise);
    e->name = arena_add(c, who->name);
    e->live = true;
    for (i = hash_start(hash, c->nslots); c->slot[i]; i = (i + 1) & (c->nslots - 1))
        ;
    c->slot[i] = ++c->count;
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
    struct token_entry *e;

    if (hash_from_hex(hex, hash) && (e = entry_find(arg, hash)))
        e->live = false;
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
entry_principal(const struct token_cache *c, const struct token_entry *e, struct principal *out)
{
    out->token_id = e->token_id;
    out->role = (enum role)e->role;
    /* the strings were copied from a principal's own fields: they fit */
    memcpy(out->enterprise, c->arena + e->enterprise, strlen(c->arena + e->enterprise) + 1);
    memcpy(out->name, c->arena + e->name, strlen(c->arena + e->name) + 1);
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
    const struct token_entry *e;
    enum sm_err err;
    size_t len = strlen(token);

    if (len > TOKEN_MAX_LEN)
        return SM_ERR_NOTFOUND;
    if (!turn || turn != c->checked_turn || !c->loaded) {
        err = token_cache_load(c, s);
        if (err)
            return err;
        c->checked_turn = turn;
    }
    sm_sha256(token, len, hash);
    e = entry_find(c, hash);
    if (e) {
        if (!e->live)
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
