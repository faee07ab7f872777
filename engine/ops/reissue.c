/* A duty officer re-issues one enterprise's order: a new version with the
 * same measures, the old one superseded, the reason audited. */
#include <stdio.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/ops_int.h"
#include "ruleset/ruleset.h"
#include "store/store.h"
#include "store/store_orders.h"

enum sm_err
ops_reissue(struct app *app, const struct ops_actor *who, int64_t order_id, const char *reason,
            int64_t *new_id, struct sm_diag *diag)
{
    int64_t now = clock_now(&app->clock);
    struct order_state o;
    char object[48];
    int version = 0;
    enum sm_err err = store_begin(app->store);

    if (err)
        return err;
    err = store_order_state(app->store, order_id, &o);
    if (err == SM_ERR_NOTFOUND)
        sm_diag_set(diag, "not_found", "there is no order %lld", (long long)order_id);
    if (err)
        goto fail;
    if (strcmp(o.status, "issued") != 0 && strcmp(o.status, "acknowledged") != 0) {
        sm_diag_set(diag, "superseded", "order %lld is %s; only a current order can be re-issued",
                    (long long)order_id, o.status);
        err = SM_ERR_CONFLICT;
        goto fail;
    }
    int64_t deadline = now + (int64_t)app->rules->orders.ack_deadline_minutes[o.level] * 60000;
    err = store_order_reissue(app->store, order_id, now, deadline, reason, new_id, &version);
    if (!err)
        err = store_order_end(app->store, order_id, "superseded", now, *new_id);
    if (!err)
        err = ops_order_notice(app, *new_id, version, "order_superseded", o.enterprise, o.drill,
                               now, 0);
    snprintf(object, sizeof(object), "order:%lld", (long long)order_id);
    if (!err)
        err = ops_audit(app, now, who->actor, who->role, "order.reissue", object, "ok", reason);
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
