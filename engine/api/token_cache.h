/* Every live bearer token in memory (SHA-256 → principal), so that a
 * request does not query the tokens table: during an acknowledgement flood
 * every token is seen for the first time. Tokens are created and revoked in
 * another process (`smogd token create|revoke`): every look-up first reads
 * PRAGMA data_version, and when another connection has committed the
 * tokens created since are added and the revoked ones dropped, so a revoked
 * token is refused from the next request on. 100 to 200 bytes per token. */
#ifndef SM_API_TOKEN_CACHE_H
#define SM_API_TOKEN_CACHE_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct token_cache;

/* A new empty table, loaded at the first look-up; token_cache_free
 * releases it (NULL is fine). */
struct token_cache *token_cache_new(void);
void token_cache_free(struct token_cache *c);

/* Reads the tokens table into c now (what the first look-up does otherwise). */
SM_NODISCARD enum sm_err token_cache_load(struct token_cache *c, struct store *s);

/* Authenticates token (borrowed) like store_token_lookup: SM_OK and *out
 * filled, SM_ERR_NOTFOUND for unknown or revoked tokens, SM_ERR_DB on a
 * database failure. turn names the event-loop turn the request was read
 * in (0: none): the database is asked whether another connection committed
 * once per turn, since each ask is a read transaction (two fcntl locks),
 * and a turn's requests were all waiting when it began. */
SM_NODISCARD enum sm_err token_cache_lookup(struct token_cache *c, struct store *s,
                                            uint64_t turn, const char *token,
                                            struct principal *out);

#endif
