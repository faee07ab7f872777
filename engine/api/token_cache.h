/* Bearer tokens already seen (SHA-256 → principal), so a request does not
 * query the tokens table each time. Revocation happens in another process
 * (`smogd token revoke`): every look-up first reads PRAGMA data_version,
 * and the cache is emptied whenever another connection has committed, so
 * a revoked token is refused from the next request on. */
#ifndef SM_API_TOKEN_CACHE_H
#define SM_API_TOKEN_CACHE_H

#include "base/err.h"
#include "store/store.h"

struct token_cache;

/* A new empty cache; token_cache_free releases it (NULL is fine). */
struct token_cache *token_cache_new(void);
void token_cache_free(struct token_cache *c);

/* Authenticates token (borrowed) like store_token_lookup: SM_OK and *out
 * filled, SM_ERR_NOTFOUND for unknown or revoked tokens (never cached),
 * SM_ERR_DB on a database failure. */
SM_NODISCARD enum sm_err token_cache_lookup(struct token_cache *c, struct store *s,
                                            const char *token, struct principal *out);

#endif
