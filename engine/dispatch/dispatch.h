#ifndef SM_DISPATCH_DISPATCH_H
#define SM_DISPATCH_DISPATCH_H

/* Reliable delivery of the outbox, at least once. Each notice is expanded
 * (once, idempotently) into deliveries: one per channel and recipient; a
 * decision's notice first into its orders' notices, a slice per loop turn.
 * Due deliveries go out through the notifiers on the event loop; results
 * are recorded: delivered, retried with capped exponential backoff and
 * jitter (honouring Retry-After), or dead-lettered with an officer alert.
 * Every timer is a row (next_attempt_ms), so a restart loses none; a kill
 * between send and record redelivers with the same event_id. */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

struct app;
struct dispatch;
struct notice;

/* Defaults of the "retry" block of the notifiers file. */
#define DISPATCH_DEFAULT_BASE_MS      2000
#define DISPATCH_DEFAULT_CAP_MS       (10 * 60 * 1000)
#define DISPATCH_DEFAULT_MAX_ATTEMPTS 20
#define DISPATCH_DEFAULT_DEADLINE_MIN 30
/* Retry-After beyond this is treated as this (a receiver cannot park a
 * notice for days). */
#define DISPATCH_RETRY_AFTER_MAX_MS   (6 * 60 * 60 * 1000)

/* Pure: the delay before the next try after `attempts` failed tries (>= 1).
 * The exponential step base * 2^(attempts-1), capped at cap_ms, is jittered
 * down by up to half using rnd (any 32-bit value): the result lies in
 * [step/2, step]. A Retry-After (retry_after_ms >= 0) is a floor: the delay
 * is never shorter than it (itself capped at DISPATCH_RETRY_AFTER_MAX_MS). */
int64_t dispatch_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms,
                            int64_t retry_after_ms, uint32_t rnd);

/* Reads the notifiers file (cfg.notifiers_path; none: one file channel
 * writing <db>.notices.jsonl), creates the channels on app->base, clamps
 * persisted retry times to now + cap and starts delivering. Sets
 * app->dispatch (new; freed by dispatch_free). Config errors come back with
 * diag naming the file and the key. */
SM_NODISCARD enum sm_err dispatch_start(struct app *app, struct sm_diag *diag);
/* SIGHUP: reads the notice templates again from the directory the
 * notifiers file names and checks them (dispatch_templates_load) before
 * swapping them in; on error the running set stays in force and diag says
 * what, where and why. SM_OK without a running dispatch. */
SM_NODISCARD enum sm_err dispatch_reload_templates(struct app *app, struct sm_diag *diag);
/* For smogd check: reads the notifiers file (NULL: the default) and checks
 * it and every notice template of the directory it names, as dispatch_start
 * and SIGHUP do, starting nothing. An error's diag names the file and the
 * key, or the template's FILE, LINE and COLUMN. *templates_dir (new; may be
 * NULL) receives the directory checked. */
SM_NODISCARD enum sm_err dispatch_check_config(const char *notifiers_path, const char *db_path,
                                               char **templates_dir, struct sm_diag *diag);
/* Looks for new notices and due deliveries soon (on the next loop turn).
 * Call after committing a decision. A no-op without a running dispatch. */
void dispatch_kick(struct app *app);
/* Stops delivering; sends in flight are abandoned (they stay pending and go
 * out again after a restart). NULL is a no-op. */
void dispatch_free(struct dispatch *d);

/* For replay: reads the notifiers file (and its templates) once into
 * app->dispatch (new; freed by dispatch_free, as app_close does), without
 * an event loop or channels: nothing is sent. dispatch_capture_all and
 * dispatch_capture_due then use it instead of reading the file at every
 * call. Config errors as dispatch_start. */
SM_NODISCARD enum sm_err dispatch_open_offline(struct app *app, struct sm_diag *diag);

/* For replay (no event loop, virtual clock): expands every notice and
 * "delivers" every pending delivery to fn synchronously, in id order, and
 * marks them delivered at clock_now. The notice is borrowed for the call.
 * *count (may be NULL) receives how many were captured. */
typedef void dispatch_capture_fn(void *arg, const char *channel, const struct notice *n);
SM_NODISCARD enum sm_err dispatch_capture_all(struct app *app, dispatch_capture_fn *fn, void *arg,
                                              int *count, struct sm_diag *diag);

/* For replay: whether channel is up at the current (virtual) time. */
typedef bool dispatch_accept_fn(void *arg, const char *channel);
struct dispatch_capture_counts {
    int delivered; /* deliveries that went out */
    int late;      /* of those, after one or more failed attempts */
    int failed;    /* attempts that failed and were scheduled for a retry */
    int dead;      /* deliveries given up (each raises an officer alert) */
    int64_t next_ms; /* the earliest retry or deadline of an undelivered
                      * notice after now; 0: none */
};
/* For replay: the dispatcher's pass at clock_now without the notifiers.
 * Expands new notices, then makes one attempt at every delivery due now: a
 * delivery whose channel accept refuses (accept NULL: every channel is up)
 * records a transient failure and its backoff exactly as a refused
 * connection would, with the same retry limit, dead letters and officer
 * alerts; the others are marked delivered (nothing is sent or written).
 * Then raises the officer alerts for notices undelivered past their
 * deadline and delivers those alerts the same way. The retry jitter derives
 * from the delivery, so a replay is the same every time. out receives the
 * counts and when to call again. */
SM_NODISCARD enum sm_err dispatch_capture_due(struct app *app, dispatch_accept_fn *accept,
                                              void *arg, struct dispatch_capture_counts *out,
                                              struct sm_diag *diag);

/* ---- contact validation (pure), for the API and the CSV import ---- */
/* http:// or https:// with a host, no spaces or control characters */
bool contact_url_ok(const char *s);
/* local@domain.tld shape, printable ASCII, no spaces, <= 254 bytes */
bool contact_email_ok(const char *s);
/* digits with an optional leading +, 5..20 digits */
bool contact_phone_ok(const char *s);
/* 18 characters of digits and upper-case letters */
bool contact_uscc_shape_ok(const char *s);

struct contact_rec;
/* Fills out (new strings) from {"webhook_url", "webhook_secret", "emails":
 * [..], "phones": [..]} (each optional; null clears). SM_ERR_INVAL with
 * diag code unknown_key, bad_type, bad_url, bad_email, bad_phone naming the
 * field; nothing is kept on error. */
SM_NODISCARD enum sm_err contact_from_json(const json_t *body, const char *uscc, int64_t now_ms,
                                           struct contact_rec *out, struct sm_diag *diag);
/* new: the API view; the secret is never shown, only whether one is set. */
json_t *contact_to_json(const struct contact_rec *c, int tz_min);

#endif
