#ifndef SM_BASE_ROLE_H
#define SM_BASE_ROLE_H

#include <stdbool.h>

/* Who a credential belongs to (contract §2). Each route names the roles it
 * admits; object-level checks (own enterprise) are made in SQL. */
enum role {
    ROLE_ISSUER = 1 << 0,     /* the municipal warning feed */
    ROLE_OFFICER = 1 << 1,    /* duty officer */
    ROLE_MONITOR = 1 << 2,    /* stations, meters */
    ROLE_ENTERPRISE = 1 << 3, /* one enterprise, by USCC */
    ROLE_ADMIN = 1 << 4,
};

const char *role_name(enum role r);
bool role_parse(const char *s, enum role *out);

#endif
