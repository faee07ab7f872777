#ifndef SM_LIST_STRMAP_H
#define SM_LIST_STRMAP_H

#include <stddef.h>

/* A string-keyed hash map (open addressing) for the import's cross-row
 * checks and counters: USCC -> name, "USCC\x1fline" sets, town counts. */
struct list_strmap_entry {
    char *key;   /* owned */
    char *value; /* owned, may be NULL */
    long count;
    long first_line; /* where the key was first seen */
};

struct list_strmap {
    struct list_strmap_entry *slots;
    size_t cap;   /* power of two, or 0 */
    size_t count; /* keys */
};

void list_strmap_init(struct list_strmap *m);
void list_strmap_release(struct list_strmap *m);
/* borrowed: the entry for key, or NULL */
struct list_strmap_entry *list_strmap_get(const struct list_strmap *m,
                                          const char *key);
/* borrowed: the entry for key, created (count 0, value NULL) when absent;
 * *created tells which (may be NULL). Valid until the next insertion. */
struct list_strmap_entry *list_strmap_put(struct list_strmap *m,
                                          const char *key, int *created);
/* Entries in key order (bytewise), for stable reports: new array of
 * borrowed pointers, count in *n. */
struct list_strmap_entry **list_strmap_sorted(const struct list_strmap *m,
                                              size_t *n);

#endif
