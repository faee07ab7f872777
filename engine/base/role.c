/* Role names as the contract spells them. */
#include "base/role.h"

#include <string.h>

static const struct { const char *name; enum role role; } roles[] = {
    { "issuer", ROLE_ISSUER }, { "officer", ROLE_OFFICER },
    { "monitor", ROLE_MONITOR }, { "enterprise", ROLE_ENTERPRISE },
    { "admin", ROLE_ADMIN },
};

const char *
role_name(enum role r)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "unknown";
}

bool
role_parse(const char *s, enum role *out)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].name, s) == 0) {
            *out = roles[i].role;
            return true;
        }
    return false;
}
