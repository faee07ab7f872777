/* A duty officer's manual level: a floor the county may raise above the
 * city's level, never used to relax below an active municipal warning. */
#include <stdio.h>
#include <string.h>

#include "levels/levels.h"
#include "ops/ops.h"
#include "ops/ops_int.h"
#include "store/store.h"
#include "store/store_levels.h"

enum sm_err
ops_escalate(struct app *app, const struct ops_actor *who, enum level level, const char *reason,
             struct sm_diag *diag)
{
    int64_t now = clock_now(&app->clock);
    enum level eff, municipal, local, manual;
    struct decision_result res;
    enum sm_err err;

    if (!reason || !reason[0]) {
        sm_diag_set(diag, "reason_required", "an escalation needs a reason: who decided, and why");
        return SM_ERR_INVAL;
    }
    err = store_begin(app->store);
    if (err)
        return err;
    err = ops_levels(app, 0, &eff, &municipal, &local, &manual);
    if (err)
        goto fail;
    if (!levels_manual_allowed(municipal, level)) {
        sm_diag_set(diag, "below_municipal",
                    "the city's %s warning is in force; the county may tighten above it but not "
                    "relax below it (ask the city to update or cancel its warning)",
                    level_name(municipal));
        err = SM_ERR_CONFLICT;
        ops_audit_quiet(app, now, who->actor, who->role, "level.escalate", "manual", "refused",
                        level_name(level));
        if (store_commit(app->store) != SM_OK)
            store_rollback(app->store);
        return err;
    }
    err = store_floor_set(app->store, 0, "manual", level, reason, who->actor, now);
    if (!err && level == LEVEL_NONE)
        err = store_floor_set(app->store, 0, "local", LEVEL_NONE, reason, who->actor, now);
    if (err)
        goto fail;
    struct decision_cause cause = { "manual", who->actor, who->role, reason, 0 };
    err = ops_reconcile(app, 0, now, &cause, &res);
    if (!err) {
        char detail[600];
        snprintf(detail, sizeof(detail), "{\"level\":\"%s\",\"reason_len\":%zu}", level_name(level),
                 strlen(reason));
        err = ops_audit(app, now, who->actor, who->role, "level.escalate", "manual", "ok", detail);
    }
    if (!err)
        err = store_commit(app->store);
    if (err)
        goto fail;
    app_schedule(app);
    return SM_OK;
fail:
    store_rollback(app->store);
    return err;
}
