#ifndef SM_NOTIFIERS_CURL_LOOP_H
#define SM_NOTIFIERS_CURL_LOOP_H

/* Drives libcurl's multi interface on a libevent event_base (the
 * multi_socket integration): curl tells us which sockets to watch and when
 * its timer is due; libevent tells curl when they are ready. Nothing blocks
 * the loop. One curl_loop is shared by every backend on a base. */
#include <curl/curl.h>
#include <stdbool.h>

#include "base/err.h"

struct event_base;
struct curl_loop;

/* Called once per transfer from the event loop. The callee owns easy from
 * then on (curl_easy_cleanup). cancelled is true when the transfer was
 * abandoned by curl_loop_cancel_owner() or curl_loop_free(): free, do not
 * report. */
typedef void curl_loop_done_fn(void *arg, CURL *easy, CURLcode rc,
                               bool cancelled);

/* new (*out); base is borrowed and must outlive the loop. */
SM_NODISCARD enum sm_err curl_loop_new(struct curl_loop **out,
                                       struct event_base *base);
/* Cancels transfers still running; NULL is a no-op. */
void curl_loop_free(struct curl_loop *loop);

/* Starts easy (taken on success; on failure the caller keeps it).
 * owner groups transfers for curl_loop_cancel_owner(). The completion is
 * never reported from inside this call. */
SM_NODISCARD enum sm_err curl_loop_add(struct curl_loop *loop, CURL *easy,
                                       const void *owner,
                                       curl_loop_done_fn *done, void *arg);

/* Abandons every transfer of owner (done is called with cancelled). */
void curl_loop_cancel_owner(struct curl_loop *loop, const void *owner);

/* Number of transfers in flight (for tests and metrics). */
int curl_loop_active(const struct curl_loop *loop);

#endif
