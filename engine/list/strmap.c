/* Open-addressing string map with linear probing; grows at 50 % load. */
#include "list/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/hash.h"

void
list_strmap_init(struct list_strmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void
list_strmap_release(struct list_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        free(m->slots[i].value);
    }
    free(m->slots);
    list_strmap_init(m);
}

static struct list_strmap_entry *
find_slot(struct list_strmap_entry *slots, size_t cap, const char *key)
{
    size_t i = (size_t)sm_str_hash(key) & (cap - 1);

    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

struct list_strmap_entry *
list_strmap_get(const struct list_strmap *m, const char *key)
{
    struct list_strmap_entry *e;

    if (!m->cap)
        return NULL;
    e = find_slot(m->slots, m->cap, key);
    return e->key ? e : NULL;
}

static void
grow(struct list_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct list_strmap_entry *ns = xcalloc(ncap, sizeof(*ns));

    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key)
            *find_slot(ns, ncap, m->slots[i].key) = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
}

struct list_strmap_entry *
list_strmap_put(struct list_strmap *m, const char *key, int *created)
{
    struct list_strmap_entry *e;

    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    e = find_slot(m->slots, m->cap, key);
    if (created)
        *created = e->key == NULL;
    if (!e->key) {
        e->key = xstrdup(key);
        m->count++;
    }
    return e;
}

static int
cmp_entry(const void *a, const void *b)
{
    const struct list_strmap_entry *x = *(const struct list_strmap_entry *const *)a;
    const struct list_strmap_entry *y = *(const struct list_strmap_entry *const *)b;

    return strcmp(x->key, y->key);
}

struct list_strmap_entry **
list_strmap_sorted(const struct list_strmap *m, size_t *n)
{
    struct list_strmap_entry **v = xcalloc(m->count ? m->count : 1, sizeof(struct list_strmap_entry *));
    size_t k = 0;

    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key)
            v[k++] = &m->slots[i];
    }
    qsort(v, k, sizeof(struct list_strmap_entry *), cmp_entry);
    *n = k;
    return v;
}
