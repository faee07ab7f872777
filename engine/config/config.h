#ifndef SM_CONFIG_CONFIG_H
#define SM_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* The server's configuration: built-in defaults < the config file
 * (`directive value` lines, `#` comments) < command-line flags. Every
 * directive is documented in deploy/smogd.conf. */
struct config {
    char *listen;          /* "127.0.0.1:8080" */
    char *db_path;         /* "./smogd.db" */
    char *rules_dir;       /* NULL: the installed or source rules/ */
    char *county_code;     /* GB/T 2260 code, "140826" */
    char *county_name;     /* "绛县" */
    char *parent_codes;    /* ancestors, space separated: "140800 140000" */
    char *timezone;        /* "Asia/Shanghai" */
    int tz_min;            /* derived from timezone */
    long max_body_bytes;   /* request bodies over this: 413 */
    long max_header_bytes;
    long max_list_bytes;   /* list uploads (POST /v1/lists) */
    int request_timeout_s;
    char *log_level;
    char *notifiers_path;  /* JSON file describing delivery channels; NULL: none */
    char *public_url;      /* base URL enterprises use (links in notices) */
    int daily_report_hour; /* local cut-off hour of the daily report */
    int station_stale_hours; /* a station silent longer than this is flagged stale */
    int daily_report_lead_minutes; /* the draft is made this long before the cut-off */
};

void config_init_defaults(struct config *c);
void config_release(struct config *c);

/* Reads a config file over the current values. On error the diag names
 * file:line and the directive. */
SM_NODISCARD enum sm_err config_load_file(struct config *c, const char *path,
                                          struct sm_diag *diag);
/* Sets one directive by name (used by the file reader and by flags). */
SM_NODISCARD enum sm_err config_set(struct config *c, const char *name,
                                    const char *value, struct sm_diag *diag);
/* Cross-field checks and derived values (time zone). */
SM_NODISCARD enum sm_err config_finish(struct config *c, struct sm_diag *diag);

/* borrowed: the rules directory to use (config, else installed, else source) */
const char *config_rules_dir(const struct config *c);

#endif
