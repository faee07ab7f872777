/* The overall status: level, sources, episode and order counts. */
#include "ops/ops.h"

#include "app/app.h"

enum sm_err
ops_status(struct app *app, json_t **out)
{
    (void)app;
    *out = json_pack("{s:s,s:n,s:n,s:{s:s,s:s,s:s},s:{s:i,s:i,s:i}}", "level", "none",
                     "episode_id", "since", "sources", "municipal", "none", "local",
                     "none", "manual", "none", "orders", "active", 0, "acknowledged", 0,
                     "overdue", 0);
    return SM_OK;
}
