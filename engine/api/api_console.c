/* The console's pages over HTTP: GET /, /enterprise and /assets/{name}.
 * Public routes: the pages hold no data, every figure comes from the JSON
 * API with the user's own token. Strict headers: scripts only from here,
 * no framing, no sniffing. */
#include "api/api_int.h"


#include "api/routes.h"
#include "console/console.h"

/* frame-src blob: lets the page show a report it fetched with the user's
 * token (a plain link cannot carry it) in a sandboxed frame */
#define CONSOLE_CSP                                                                          \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "       \
    "connect-src 'self'; frame-src blob:; object-src 'none'; base-uri 'none'; "             \
    "form-action 'self'; frame-ancestors 'none'"

/* Sends one asset with the console's headers; revalidated on every load so
 * that a new binary's pages are picked up at once. */
static void
send_asset(struct api_req *r, const struct console_asset *a)
{
    httpd_reply_header(r->req, "Content-Type", console_content_type(a->name));
    httpd_reply_header(r->req, "Content-Security-Policy", CONSOLE_CSP);
    httpd_reply_header(r->req, "X-Content-Type-Options", "nosniff");
    httpd_reply_header(r->req, "X-Frame-Options", "DENY");
    httpd_reply_header(r->req, "Referrer-Policy", "no-referrer");
    httpd_reply_header(r->req, "Cache-Control", "no-cache");
    /* the assets are compiled in: written from where they are */
    httpd_reply(r->req, 200, (const char *)a->data, a->len, HTTPD_BODY_STATIC);
    r->req = NULL;
    r->status = 200;
    r->replied = true;
}

static void
serve_named(struct api_req *r, const char *name)
{
    const struct console_asset *a = console_asset_find(name);

    if (!a) {
        api_reply_error(r, 404, "not_found", "there is no console file '%s'", name);
        return;
    }
    send_asset(r, a);
}

static void
officer_page(struct api_req *r)
{
    serve_named(r, "index.html");
}

static void
enterprise_page(struct api_req *r)
{
    serve_named(r, "enterprise.html");
}

static void
asset(struct api_req *r)
{
    serve_named(r, r->params[0]);
}

static const char *
method_text(int m)
{
    switch (m) {
    case HTTP_GET: return "GET";
    case HTTP_POST: return "POST";
    case HTTP_PUT: return "PUT";
    case HTTP_DELETE: return "DELETE";
    default: return "OTHER";
    }
}

/* The routes this server has, so that the console shows a panel as "not
 * available" without probing for it (and without logging 404s). */
static void
route_list(struct api_req *r)
{
    json_t *arr = json_array();

    for (int i = 0; i < routes_count(); i++) {
        const struct route *rt = routes_at(i);
        json_array_append_new(arr, json_pack("{s:s,s:s}", "method", method_text(rt->method),
                                             "pattern", rt->pattern));
    }
    api_reply_json(r, 200, json_pack("{s:o}", "routes", arr));
}

const struct route api_routes_console[] = {
    { HTTP_GET, "/", 0, officer_page, 0, 1 },
    { HTTP_GET, "/enterprise", 0, enterprise_page, 0, 1 },
    { HTTP_GET, "/assets/{}", 0, asset, 0, 1 },
    { HTTP_GET, "/v1/console/routes", ROLE_OFFICER | ROLE_ADMIN | ROLE_ENTERPRISE, route_list,
      0, 1 },
};
const int api_routes_console_count = SM_ARRAY_LEN(api_routes_console);
