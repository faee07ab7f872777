/* The in-memory token table: loaded whole, then kept up to date with the
 * tokens another process creates and revokes, and with this connection's
 * own tokens, which data_version does not announce. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/token_cache.h"
#include "base/xalloc.h"
#include "check.h"
#include "store/store.h"

#define MANY 3000

struct fixture {
    char dir[32];
    char *path;
    struct store *server; /* the serving connection */
    struct store *cli;    /* another process: `smogd token create|revoke` */
    struct token_cache *cache;
};

static void
fixture_open(struct fixture *f)
{
    struct sm_diag d = { 0 };

    snprintf(f->dir, sizeof(f->dir), "/tmp/smogd-tok-XXXXXX");
    CHECK(mkdtemp(f->dir) != NULL);
    f->path = xasprintf("%s/t.db", f->dir);
    CHECK_INT(store_open(&f->server, f->path, &d), SM_OK);
    CHECK_INT(store_open(&f->cli, f->path, &d), SM_OK);
    f->cache = token_cache_new();
}

static void
fixture_close(struct fixture *f)
{
    char *p;

    token_cache_free(f->cache);
    store_close(f->server);
    store_close(f->cli);
    unlink(f->path);
    p = xasprintf("%s-wal", f->path);
    unlink(p);
    free(p);
    p = xasprintf("%s-shm", f->path);
    unlink(p);
    free(p);
    rmdir(f->dir);
    free(f->path);
}

static int64_t
create(struct store *s, enum role role, const char *enterprise, const char *name, char tok[64])
{
    int64_t id = 0;

    CHECK_INT(store_token_create(s, role, enterprise, name, 1000, tok, &id), SM_OK);
    return id;
}

static void
test_many_tokens_found_with_their_principal(void)
{
    struct fixture f;
    static char tok[MANY][64];
    struct principal who;
    char ent[24];

    fixture_open(&f);
    CHECK_INT(store_begin(f.cli), SM_OK);
    for (int i = 0; i < MANY; i++) {
        snprintf(ent, sizeof(ent), "91140826MA%08d", i);
        (void)create(f.cli, ROLE_ENTERPRISE, ent, "duty phone", tok[i]);
    }
    CHECK_INT(store_commit(f.cli), SM_OK);
    for (int i = MANY - 1; i >= 0; i--) {
        memset(&who, 0, sizeof(who));
        CHECK_INT(token_cache_lookup(f.cache, f.server, 0, tok[i], &who), SM_OK);
        snprintf(ent, sizeof(ent), "91140826MA%08d", i);
        CHECK_STR(who.enterprise, ent);
        CHECK_STR(who.name, "duty phone");
        CHECK_INT(who.role, ROLE_ENTERPRISE);
        CHECK_INT(who.token_id, i + 1);
    }
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, "smg_not-a-token", &who), SM_ERR_NOTFOUND);
    fixture_close(&f);
}

static void
test_other_process_creates_and_revokes(void)
{
    struct fixture f;
    char officer[64], firm[64], later[64];
    struct principal who;
    int64_t officer_id;

    fixture_open(&f);
    officer_id = create(f.cli, ROLE_OFFICER, NULL, "duty officer", officer);
    (void)create(f.cli, ROLE_ENTERPRISE, "91140826MA0000001X", "", firm);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, officer, &who), SM_OK);
    CHECK_INT(who.role, ROLE_OFFICER);
    CHECK_STR(who.enterprise, "");

    /* created after the table was loaded */
    (void)create(f.cli, ROLE_MONITOR, NULL, "station feed", later);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, later, &who), SM_OK);
    CHECK_INT(who.role, ROLE_MONITOR);
    CHECK_STR(who.name, "station feed");

    /* revoked after it was used: refused from the next look-up on */
    CHECK_INT(store_token_revoke(f.cli, officer_id, 2000), SM_OK);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, officer, &who), SM_ERR_NOTFOUND);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, firm, &who), SM_OK);
    CHECK_STR(who.enterprise, "91140826MA0000001X");
    fixture_close(&f);
}

static void
test_own_connection_tokens_found(void)
{
    struct fixture f;
    char first[64], own[64];
    struct principal who;

    fixture_open(&f);
    (void)create(f.cli, ROLE_ADMIN, NULL, "admin", first);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, first, &who), SM_OK);
    /* this connection's commits do not change its data_version */
    (void)create(f.server, ROLE_ISSUER, NULL, "city feed", own);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, own, &who), SM_OK);
    CHECK_INT(who.role, ROLE_ISSUER);
    CHECK_STR(who.name, "city feed");
    CHECK_INT(token_cache_lookup(f.cache, f.server, 0, own, &who), SM_OK);
    fixture_close(&f);
}

/* within one event-loop turn the database is asked once: a revocation
 * committed during the turn counts from the next turn on */
static void
test_revocation_seen_from_the_next_turn(void)
{
    struct fixture f;
    char tok[64];
    struct principal who;
    int64_t id;

    fixture_open(&f);
    id = create(f.cli, ROLE_OFFICER, NULL, "duty officer", tok);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 7, tok, &who), SM_OK);
    CHECK_INT(store_token_revoke(f.cli, id, 2000), SM_OK);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 7, tok, &who), SM_OK);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 8, tok, &who), SM_ERR_NOTFOUND);
    CHECK_INT(token_cache_lookup(f.cache, f.server, 8, tok, &who), SM_ERR_NOTFOUND);
    fixture_close(&f);
}

CHECK_MAIN(CHECK_CASE(test_many_tokens_found_with_their_principal),
           CHECK_CASE(test_other_process_creates_and_revokes),
           CHECK_CASE(test_own_connection_tokens_found),
           CHECK_CASE(test_revocation_seen_from_the_next_turn))
