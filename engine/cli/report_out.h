#ifndef SM_CLI_REPORT_OUT_H
#define SM_CLI_REPORT_OUT_H

/* Writing an episode report (HTML and its JSON figures) to files, shared by
 * replay, demo and report. */
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "report/report.h"

/* new: json_path for html_path: "x.html" -> "x.json", else html_path + ".json" */
char *cli_report_json_path(const char *html_path);

/* Builds the figures of episode at the app's clock and writes html_path
 * and json_path (either may be NULL). Prints the error and returns false
 * on failure. */
bool cli_write_report(struct app *a, int64_t episode, const struct report_meta *meta,
                      const char *html_path, const char *json_path);

#endif
