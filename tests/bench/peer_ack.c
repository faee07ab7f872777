/* Reference peer for the benchmark: the smallest evhttp + jansson server
 * that answers an acknowledgement, with no database. It shows what one
 * libevent thread can do on this machine, so that smogd's figures can be
 * read as a ratio to it. Not part of smogd.
 * usage: peer_ack PORT   (prints "listening on 127.0.0.1:PORT") */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <jansson.h>

static void
handle(struct evhttp_request *req, void *arg)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    char body[4096];
    json_t *doc = NULL, *reply;
    json_error_t je;
    char *text;
    struct evbuffer *out = evbuffer_new();

    (void)arg;
    if (len >= sizeof(body))
        len = sizeof(body) - 1;
    evbuffer_copyout(in, body, len);
    body[len] = '\0';
    if (len)
        doc = json_loads(body, 0, &je);
    reply = json_pack("{s:b,s:s,s:s}", "ok", 1, "status", "acknowledged", "path",
                      evhttp_request_get_uri(req));
    text = json_dumps(reply, JSON_COMPACT);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evbuffer_add(out, text, strlen(text));
    evhttp_send_reply(req, 200, "OK", out);
    evbuffer_free(out);
    free(text);
    json_decref(reply);
    json_decref(doc);
}

static void
on_term(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
    struct event_base *base = event_base_new();
    struct sockaddr_in sin;
    struct evconnlistener *l;
    struct evhttp *http;
    struct event *term;

    if (argc != 2) {
        fprintf(stderr, "usage: peer_ack PORT\n");
        return 2;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)strtol(argv[1], NULL, 10));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4096,
                                (struct sockaddr *)&sin, sizeof(sin));
    if (!l) {
        perror("listen");
        return 1;
    }
    http = evhttp_new(base);
    evhttp_set_gencb(http, handle, NULL);
    evhttp_bind_listener(http, l);
    term = evsignal_new(base, SIGTERM, on_term, base);
    event_add(term, NULL);
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    event_base_dispatch(base);
    event_free(term);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}
