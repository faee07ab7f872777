#ifndef SM_STORE_STORE_H
#define SM_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/role.h"

/* The database: the only module that includes sqlite3.h. Every write runs
 * inside store_begin()/store_commit() (BEGIN IMMEDIATE); callers make one
 * transaction per logical step. */
struct store;

/* SQLite's settings for the whole process; call before any store is opened
 * and before threads start (later calls change nothing). */
void store_process_init(void);
/* For a server on the database at path: SQLite's page cache from one pool
 * on huge pages (store_pagepool.c); before any store is opened. */
void store_page_pool(const char *path);
/* Opens (creating if needed) and migrates the database at path (":memory:"
 * for tests). Sets and reads back WAL, synchronous=FULL, foreign keys, busy
 * timeout; runs quick_check and refuses a damaged file with a message naming
 * it. *out is new on success. */
SM_NODISCARD enum sm_err store_open(struct store **out, const char *path,
                                    struct sm_diag *diag);
void store_close(struct store *s);
/* For a database that is built to be thrown away or rebuilt, never
 * recovered (a replay): no fsync at commit (synchronous=OFF). A crash of the
 * machine may lose or damage it. Never for the database serve works on. */
SM_NODISCARD enum sm_err store_set_throwaway(struct store *s);

SM_NODISCARD enum sm_err store_begin(struct store *s);
/* A read transaction around statements that read together: one snapshot
 * and one shared lock for all of them instead of one per statement (a
 * province-sized episode's figures run about 500,000: 30 % of their time).
 * Begins only outside a transaction; true if it did, for store_read_end. */
bool store_read_begin(struct store *s);
void store_read_end(struct store *s, bool began);
/* A transaction whose COMMIT does not wait for the disk (synchronous=
 * NORMAL), for work that is done again when a crash of the machine undoes
 * it: notices expanded into deliveries, delivery results (the notice is
 * then sent again, with its event id, which receivers deduplicate). A
 * crash of the process loses nothing (the WAL is written at COMMIT); the
 * next durable commit or flush of the WAL makes it durable too. */
SM_NODISCARD enum sm_err store_begin_redoable(struct store *s);
SM_NODISCARD enum sm_err store_commit(struct store *s);
void store_rollback(struct store *s);
bool store_in_tx(const struct store *s);
/* One undoable step inside an open transaction (a savepoint): begin it,
 * then keep its writes or undo them; steps do not nest. */
SM_NODISCARD enum sm_err store_step_begin(struct store *s);
SM_NODISCARD enum sm_err store_step_keep(struct store *s);
SM_NODISCARD enum sm_err store_step_undo(struct store *s);
/* false when SQLite rolled the open transaction back by itself (I/O error,
 * disk full, out of memory): its earlier work is lost. */
bool store_tx_alive(const struct store *s);
/* borrowed: SQLite's message for the last failure */
const char *store_errmsg(const struct store *s);
/* A cheap read that proves the database answers. */
SM_NODISCARD enum sm_err store_ping(struct store *s);
int store_schema_version(struct store *s);
/* Database errors seen since open (for /metrics). */
uint64_t store_error_count(const struct store *s);
/* Acknowledgements this connection appended to the ack log and not yet
 * folded into their orders (0025_ack_log.sql): a transaction begun with
 * store_begin folds them first. */
size_t store_acks_pending(const struct store *s);
/* Folds the ack log into the orders in a transaction of its own (nothing
 * when the log is empty). */
SM_NODISCARD enum sm_err store_acks_fold(struct store *s);
/* Commits made since open (for /metrics). */
uint64_t store_commit_count(const struct store *s);
/* Rows inserted, updated or deleted since open (rolled back ones too): an
 * unchanged count means nothing was written in between. */
uint64_t store_change_count(const struct store *s);
/* PRAGMA integrity_check and foreign_key_check; ok=false with the first
 * problem in diag. */
SM_NODISCARD enum sm_err store_check_integrity(struct store *s, bool *ok,
                                               struct sm_diag *diag);
/* Online, consistent copy to dest (VACUUM INTO). */
SM_NODISCARD enum sm_err store_backup(struct store *s, const char *dest,
                                      struct sm_diag *diag);

/* ---- credentials ---- */
struct principal {
    int64_t token_id;
    enum role role;
    char enterprise[24]; /* USCC for enterprise tokens, else "" */
    char name[96];
};

/* Creates a credential; token_out (>= 64 bytes) receives the secret, which is
 * stored only as a hash. */
SM_NODISCARD enum sm_err store_token_create(struct store *s, enum role role,
                                            const char *enterprise,
                                            const char *name, int64_t now_ms,
                                            char *token_out, int64_t *id_out);
/* SM_ERR_NOTFOUND for unknown or revoked tokens. */
SM_NODISCARD enum sm_err store_token_lookup(struct store *s, const char *token,
                                            struct principal *out);
/* The same for a token already hashed (64 lower-case hex digits of SHA-256). */
SM_NODISCARD enum sm_err store_token_lookup_hash(struct store *s, const char *hash,
                                                 struct principal *out);
/* Called for each live token: its hash (64 hex digits) and who it is, both borrowed. */
typedef void store_token_live_fn(void *arg, const char *hash, const struct principal *who);
/* Every token not revoked whose id is above after_id, in id order. */
SM_NODISCARD enum sm_err store_token_scan_live(struct store *s, int64_t after_id,
                                               store_token_live_fn *fn, void *arg);
/* Called with the hash (borrowed) of each revoked token. */
typedef void store_token_hash_fn(void *arg, const char *hash);
/* Every revoked token (through a partial index: the revoked are few). */
SM_NODISCARD enum sm_err store_token_scan_revoked(struct store *s, store_token_hash_fn *fn,
                                                  void *arg);
/* PRAGMA data_version: changes when another connection (another process,
 * e.g. `smogd token revoke`) commits to the database, not on this
 * connection's own commits. */
SM_NODISCARD enum sm_err store_data_version(struct store *s, int64_t *version);
SM_NODISCARD enum sm_err store_token_revoke(struct store *s, int64_t id,
                                            int64_t now_ms);
typedef void store_token_row_fn(void *arg, int64_t id, const char *role,
                                const char *enterprise, const char *name,
                                int64_t created_ms, int64_t revoked_ms);
SM_NODISCARD enum sm_err store_token_list(struct store *s,
                                          store_token_row_fn *fn, void *arg);

/* ---- audit chain ---- */
struct audit_entry {
    int64_t at_ms;
    const char *actor;  /* token name or "system" */
    const char *role;   /* role name or "system" */
    const char *action; /* "warning.apply", "order.ack", "auth.denied" ... */
    const char *object; /* "order:42" */
    const char *result; /* "ok", "denied", "duplicate" ... */
    const char *detail; /* JSON text or "" */
};

/* Appends a row chained to the previous one; call inside a transaction. */
SM_NODISCARD enum sm_err store_audit_append(struct store *s,
                                            const struct audit_entry *e);
/* Convenience: one audit row in its own transaction. */
SM_NODISCARD enum sm_err store_audit_record(struct store *s,
                                            const struct audit_entry *e);
/* Walks the chain; *bad_seq = 0 when intact, else the first bad row. */
SM_NODISCARD enum sm_err store_audit_verify(struct store *s, int64_t *rows,
                                            int64_t *bad_seq,
                                            struct sm_diag *diag);

/* ---- idempotency records (Stripe semantics) ---- */
/* SM_ERR_NOTFOUND when the key is new; SM_OK with the stored reply when the
 * request hash matches; SM_ERR_CONFLICT when the key was used for another
 * request. *response is new. */
SM_NODISCARD enum sm_err store_idem_get(struct store *s, const char *scope,
                                        const char *key,
                                        const char *request_hash, int *status,
                                        char **response);
SM_NODISCARD enum sm_err store_idem_put(struct store *s, const char *scope,
                                        const char *key,
                                        const char *request_hash, int status,
                                        const char *response, int64_t now_ms);

#endif
