#ifndef SM_CLI_ARGS_H
#define SM_CLI_ARGS_H

#include <stdbool.h>

#include "app/app.h"

/* One flag of a subcommand: "--db F" (value) or "--activate" (flag). */
struct cli_opt {
    const char *name;   /* "--db" */
    const char **value; /* set for flags that take a value */
    bool *flag;         /* set for boolean flags */
};

/* Parses argv (after the subcommand name). Positionals go to pos[0..max).
 * Returns 0 on success, 2 after printing one line about a bad flag, and -1
 * when --help was given (the caller prints usage and exits 0). */
int cli_parse(const char *cmd, int argc, char **argv,
              const struct cli_opt *opts, int nopts, const char **pos,
              int max_pos, int *npos);

/* Loads --config (if any), applies --db, finishes the config; prints the
 * error and returns false on failure. */
bool cli_config(struct app *a, const char *config_path, const char *db_path);
/* cli_config + opens the database. */
bool cli_open(struct app *a, const char *config_path, const char *db_path);

/* Prints "smogd: <what>: <diag>" to stderr. */
void cli_error(const char *what, const struct sm_diag *d);

#endif
