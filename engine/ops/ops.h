#ifndef SM_OPS_OPS_H
#define SM_OPS_OPS_H

/* Use cases: each runs the pure core, then commits its decision in one
 * transaction. HTTP, the CLI and replay all call these. */
#include <jansson.h>

#include "base/err.h"

struct app;

/* new: the contract's /v1/status object */
SM_NODISCARD enum sm_err ops_status(struct app *app, json_t **out);

#endif
