#ifndef SM_API_API_H
#define SM_API_API_H

#include "base/err.h"

struct app;
struct api;

/* The HTTP server on the app's event loop. addr is "host:port" (port 0
 * picks a free one); bound_out (>= 64 bytes) receives the real address. */
SM_NODISCARD enum sm_err api_start(struct app *app, const char *addr,
                                   struct api **out, char *bound_out,
                                   struct sm_diag *diag);
/* Stops accepting; in-flight requests have been answered by then, since
 * handlers run to completion on the loop. */
void api_free(struct api *api);

#endif
