/* SIGHUP reload: the file is read into a fresh struct config; each step
 * takes what it needs from it, or nothing at all when it is invalid. */
#include "app/reload.h"

#include <stdlib.h>

#include "base/log.h"
#include "dispatch/dispatch.h"
#include "ruleset/ruleset.h"
#include "base/xalloc.h"

#define LOG_MODULE "reload"

static enum sm_err
reload_log_level(struct app *a, const struct config *fresh, struct sm_diag *diag)
{
    int prio = sm_log_parse_level(fresh->log_level);

    if (prio < 0) {
        sm_diag_set(diag, "bad_value", "log_level: '%s' is not debug, info, notice, warning or err",
                    fresh->log_level);
        return SM_ERR_INVAL;
    }
    sm_log_set_level(prio);
    free(a->cfg.log_level);
    a->cfg.log_level = xstrdup(fresh->log_level);
    return SM_OK;
}

/* Rules: the new set is loaded and validated whole, then swapped in; an
 * invalid set leaves the old one in force. */
static enum sm_err
reload_rules(struct app *a, const struct config *fresh, struct sm_diag *diag)
{
    struct ruleset *rs = NULL;
    enum sm_err err = ruleset_load_dir(config_rules_dir(fresh), &rs, diag);

    if (err)
        return err;
    ruleset_unref(a->rules);
    a->rules = rs;
    return SM_OK;
}

/* Notice templates: the set is read again from the directory the
 * notifiers file names (that file itself is read at start only), every
 * template checked, then swapped in; a broken one keeps the old set. */
static enum sm_err
reload_templates(struct app *a, const struct config *fresh, struct sm_diag *diag)
{
    (void)fresh;
    return dispatch_reload_templates(a, diag);
}

/* To make more reloadable, add a row whose function loads and validates
 * the new values completely before swapping them into a. */
const struct app_reload_step app_reload_steps[] = {
    { "log_level", reload_log_level },
    { "rules", reload_rules },
    { "templates", reload_templates },
};
const int app_reload_step_count = SM_ARRAY_LEN(app_reload_steps);

enum sm_err
app_reload(struct app *a)
{
    struct config fresh;
    struct sm_diag d = { 0 };
    char msg[800];
    enum sm_err err = SM_OK, first = SM_OK;

    log_info("reload requested");
    config_init_defaults(&fresh);
    if (a->config_path)
        err = config_load_file(&fresh, a->config_path, &d);
    if (!err)
        err = config_finish(&fresh, &d);
    if (err) {
        sm_diag_format(&d, msg, sizeof(msg));
        log_err("reload failed, keeping the running configuration: %s", msg);
        config_release(&fresh);
        return err;
    }
    for (int i = 0; i < app_reload_step_count; i++) {
        const struct app_reload_step *s = &app_reload_steps[i];

        d = (struct sm_diag){ 0 };
        err = s->reload(a, &fresh, &d);
        if (err) {
            sm_diag_format(&d, msg, sizeof(msg));
            log_err("reload %s failed, keeping the old values: %s", s->name, msg);
            if (!first)
                first = err;
        } else {
            log_info("reloaded %s", s->name);
        }
    }
    config_release(&fresh);
    return first;
}
