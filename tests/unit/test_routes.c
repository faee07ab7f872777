/* routes_match: the route and its {} segments, and no allocation while
 * matching (it runs for every request). */
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "check.h"

#if defined(__SANITIZE_ADDRESS__)
/* the sanitizer runtime's allocation hooks (sanitizer/allocator_interface.h,
 * which gcc does not ship) */
int __sanitizer_install_malloc_and_free_hooks(void (*on_malloc)(const volatile void *, size_t),
                                              void (*on_free)(const volatile void *));
static int allocations;

static void
on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    allocations++;
}

static void
on_free(const volatile void *p)
{
    (void)p;
}
#define COUNTING 1
#else
static int allocations = -1; /* not counted without the sanitizer runtime */
#define COUNTING 0
#endif

struct outcome {
    const struct route *rt;
    bool known;
    int index, allocations;
    struct api_req r;
};

static struct outcome
match(int method, const char *path)
{
    struct outcome o = { .index = -1 };

    if (COUNTING)
        allocations = 0;
    o.rt = routes_match(method, path, &o.r, &o.index, &o.known);
    o.allocations = allocations;
    return o;
}

static void
release(struct outcome *o)
{
    for (int i = 0; i < o->r.nparams; i++)
        free(o->r.params[i]);
}

static void
routes_and_segments(void)
{
    struct outcome o = match(HTTP_POST, "/v1/orders/42/ack");

    CHECK(o.rt != NULL);
    CHECK_STR(o.rt ? o.rt->pattern : NULL, "/v1/orders/{}/ack");
    CHECK(routes_at(o.index) == o.rt);
    CHECK_INT(o.r.nparams, 1);
    CHECK_STR(o.r.params[0], "42");
    release(&o);

    o = match(HTTP_GET, "/v1/orders/42");
    CHECK_STR(o.rt ? o.rt->pattern : NULL, "/v1/orders/{}");
    CHECK_STR(o.r.params[0], "42");
    release(&o);

    o = match(HTTP_GET, "/v1/orders");
    CHECK_STR(o.rt ? o.rt->pattern : NULL, "/v1/orders");
    CHECK_INT(o.r.nparams, 0);

    /* a known path under another method: 405; an unknown one: 404 */
    o = match(HTTP_DELETE, "/v1/orders/42/ack");
    CHECK(o.rt == NULL && o.known);
    CHECK_INT(o.r.nparams, 0);
    o = match(HTTP_GET, "/v1/orders/42/nope");
    CHECK(o.rt == NULL && !o.known);
    o = match(HTTP_GET, "/v1/orders/");
    CHECK(o.rt == NULL); /* {} needs a non-empty segment */
    CHECK_INT(o.r.nparams, 0);
}

/* only the chosen route's segments are copied: one allocation each, none
 * for the candidates tried before it, none for a 404 or 405 */
static void
matching_allocates_nothing(void)
{
    struct outcome o;

    if (!COUNTING) {
        printf("allocation counts need the address sanitizer runtime: not checked\n");
        return;
    }
    o = match(HTTP_POST, "/v1/orders/42/ack");
    CHECK_INT(o.allocations, 1);
    release(&o);
    o = match(HTTP_POST, "/v1/orders/42/reissue");
    CHECK(o.rt != NULL);
    CHECK_INT(o.allocations, 1);
    release(&o);
    o = match(HTTP_GET, "/v1/orders");
    CHECK_INT(o.allocations, 0);
    o = match(HTTP_DELETE, "/v1/orders/42/ack");
    CHECK_INT(o.allocations, 0);
    o = match(HTTP_GET, "/v1/no/such/path");
    CHECK_INT(o.allocations, 0);
}

static void
install_hooks(void)
{
#if COUNTING
    CHECK(__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0);
#endif
}

CHECK_MAIN(CHECK_CASE(install_hooks), CHECK_CASE(routes_and_segments),
           CHECK_CASE(matching_allocates_nothing))
