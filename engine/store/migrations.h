#ifndef SM_STORE_MIGRATIONS_H
#define SM_STORE_MIGRATIONS_H

/* One numbered schema step. The array is generated at build time from
 * engine/store/schema/NNNN_name.sql, in ascending order. */
struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct store_migration store_migrations[];
extern const int store_migration_count;

#endif
