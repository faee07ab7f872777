/* The one place engine/list touches the file system: streams a list file
 * into list_import_stream. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "list/import.h"

static long
file_read(void *ctx, void *buf, size_t cap)
{
    FILE *f = ctx;
    size_t n = fread(buf, 1, cap, f);

    if (n == 0 && ferror(f))
        return -1;
    return (long)n;
}

enum sm_err
list_import_file(const char *path, const struct list_import_opts *o,
                 list_row_fn *cb, void *arg, struct list_report *rep,
                 struct list_diags *diags)
{
    FILE *f = fopen(path, "rb");
    enum sm_err err;

    if (!f) {
        int e = errno;
        struct list_import_opts defaults;

        if (!o) {
            list_import_opts_init(&defaults);
            o = &defaults;
        }
        list_report_init(rep, &o->required);
        list_diags_init(diags, path, o->max_listed);
        list_diags_error(diags, 0, NULL, "open_failed", "cannot open: %s",
                         strerror(e));
        return SM_ERR_IO;
    }
    err = list_import_stream(file_read, f, path, o, cb, arg, rep, diags);
    fclose(f);
    return err;
}
