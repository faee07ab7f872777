/* smogd check: the notifiers file and the notice templates it names, read
 * and checked exactly as serve and SIGHUP read them, without an event loop
 * or channels. */
#include "dispatch/dispatch_int.h"

#include "base/xalloc.h"

enum sm_err
dispatch_check_config(const char *notifiers_path, const char *db_path, char **templates_dir,
                      struct sm_diag *diag)
{
    struct dispatch_config c;
    enum sm_err err = dispatch_config_load(&c, notifiers_path, db_path, diag);

    if (err)
        return err;
    if (templates_dir)
        *templates_dir = xstrdup(c.templates_dir);
    dispatch_config_release(&c);
    return SM_OK;
}
