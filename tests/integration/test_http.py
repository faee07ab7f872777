"""The HTTP/1.1 layer of the real server, on raw sockets: keep-alive,
pipelining (also behind an acknowledgement that waits for its commit),
HTTP/1.0, HEAD, chunked bodies, Expect: 100-continue, refusals with the
JSON error shape, early 413, and the idle and slow-head timeouts."""

import email.utils
import json
import re
import socket
import sqlite3
import time

from harness import Server, Workdir, json_warning, main, make_token, seed_list


def connect(s, timeout=10):
    return socket.create_connection((s.host, s.port), timeout=timeout)


def read_reply(sock, buf=b"", no_body=False):
    """One reply from sock: (status, headers, body, bytes left over); a
    reply to HEAD (no_body=True) has no body whatever its Content-Length."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full head: {buf!r}")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for ln in lines[1:]:
        k, v = ln.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if status == 100 or no_body:
        return status, headers, b"", rest
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside a body")
        rest += chunk
    return status, headers, rest[:n], rest[n:]


def closed_by_server(sock, wait=5.0):
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def started(conf=None, seed=False):
    """A server; with seed, a list is active and an issuer token returned."""
    w = Workdir()
    config = None
    if conf:
        config = w.file("smogd.conf")
        with open(config, "w") as f:
            f.write(conf)
    s = Server(w, config=config)
    issuer = make_token(s.db, "issuer", name="feed")
    if seed:
        seed_list(s.db)
    s.start()
    return w, s, issuer


def test_keep_alive_pipelining_head():
    w, s, _ = started()
    try:
        c = connect(s)
        # two requests in one packet, answered in order on the same connection
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        st1, h1, b1, rest = read_reply(c)
        st2, h2, b2, rest = read_reply(c, rest)
        assert (st1, json.loads(b1)) == (200, {"ok": True}), (st1, b1)
        assert st2 == 404 and json.loads(b2)["error"]["code"] == "not_found", (st2, b2)
        assert h1["content-type"].startswith("application/json"), h1
        # IMF-fixdate, now
        assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", h1["date"]), h1
        assert abs(email.utils.parsedate_to_datetime(h1["date"]).timestamp() - time.time()) < 60, h1
        assert "connection" not in h1, h1
        # HEAD: the GET's length, no body; the connection still usable after it
        c.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        st, h, b, rest = read_reply(c, rest, no_body=True)
        assert st == 200 and h["content-length"] == str(len(b'{"ok":true}')), (st, h)
        st, h, b, rest = read_reply(c, rest)
        assert st == 200 and b == b'{"ok":true}', (st, b)
        assert rest == b""
        c.close()
        # HTTP/1.0: closed after the reply unless keep-alive was asked for
        c = connect(s)
        c.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        st, h, b, rest = read_reply(c)
        assert st == 200 and h.get("connection") == "close", h
        assert closed_by_server(c)
        c.close()
        c = connect(s)
        c.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        st, h, b, rest = read_reply(c)
        assert st == 200 and h.get("connection") == "keep-alive", h
        c.sendall(b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        st, h, b, rest = read_reply(c, rest)
        assert st == 200 and h.get("connection") == "close", h
        assert closed_by_server(c)
        c.close()
        print("keep-alive, pipelining, HEAD, HTTP/1.0 and Connection: close as specified", flush=True)
    finally:
        s.stop()
        w.cleanup()


def test_bodies_chunked_and_continue():
    w, s, issuer = started(seed=True)
    try:
        body = json.dumps(json_warning("H-1", "orange")).encode()
        head = (b"POST /v1/warnings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer " + issuer.encode() + b"\r\n")
        # chunked, in three chunks with an extension and a trailer
        c = connect(s, timeout=60)
        parts = [body[:10], body[10:40], body[40:]]
        chunked = b"".join(b"%x;note=1\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\nX-T: 1\r\n\r\n"
        c.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked)
        st, h, b, rest = read_reply(c)
        assert st == 200 and json.loads(b)["applied"], (st, b)
        # Expect: 100-continue: the interim reply comes before the body is sent
        body2 = json.dumps(json_warning("H-2", "red")).encode()
        c.sendall(head + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body2))
        st, h, b, rest = read_reply(c, rest)
        assert st == 100, st
        c.sendall(body2)
        st, h, b, rest = read_reply(c, rest)
        assert st == 200 and json.loads(b)["applied"], (st, b)
        c.close()
        con = sqlite3.connect(s.db)
        levels = [r[0] for r in con.execute("SELECT level FROM warnings ORDER BY id")]
        con.close()
        assert levels == ["orange", "red"], levels
        print("chunked body (3 chunks, extension, trailer) and 100-continue both applied", flush=True)
    finally:
        s.stop()
        w.cleanup()


def test_pipelined_acks_wait_for_their_commit():
    w, s, issuer = started(seed=True)
    try:
        r = s.post("/v1/warnings", body=json_warning("P-1", "red"), token=issuer, timeout=60)
        assert r.status == 200, r
        con = sqlite3.connect(s.db)
        orders = con.execute("SELECT id, enterprise FROM orders ORDER BY id LIMIT 3").fetchall()
        con.close()
        toks = [make_token(s.db, "enterprise", enterprise=e) for _, e in orders]
        reqs = b""
        for (oid, _), t in zip(orders, toks):
            b = b'{"note":"pipelined"}'
            reqs += (b"POST /v1/orders/%d/ack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (oid, t.encode(), len(b), b))
        c = connect(s)
        c.sendall(reqs + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        rest = b""
        for oid, _ in orders:
            st, h, b, rest = read_reply(c, rest)
            j = json.loads(b)
            assert st == 200 and j["id"] == oid and j["status"] == "acknowledged", (st, b)
        st, h, b, rest = read_reply(c, rest)
        assert st == 200 and b == b'{"ok":true}', (st, b)
        c.close()
        print(f"{len(orders)} pipelined acknowledgements answered in order after their commit, "
              "then the next request", flush=True)
    finally:
        s.stop()
        w.cleanup()


def test_refusals():
    w, s, _ = started()
    officer = make_token(s.db, "officer", name="duty")
    try:
        cases = [
            (b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400, "bad_field"),
            (b"GET /healthz HTTP/2.0\r\n\r\n", 505, "version_not_supported"),
            (b"POST /v1/escalations HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
             "unsupported_transfer_coding"),
            (b"POST /v1/escalations HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
             400, "ambiguous_framing"),
            (b"POST /v1/escalations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
             "bad_chunk"),
            (b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431, "head_too_large"),
        ]
        for raw, status, code in cases:
            c = connect(s)
            c.sendall(raw)
            st, h, b, rest = read_reply(c)
            assert st == status and json.loads(b)["error"]["code"] == code, (raw[:40], st, b)
            assert h.get("connection") == "close", h
            assert closed_by_server(c), raw[:40]
            c.close()
        # a body over the limit is refused from its declared length, before it is sent
        c = connect(s)
        c.sendall(b"POST /v1/escalations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + officer.encode() +
                  b"\r\nContent-Length: 50000000\r\nExpect: 100-continue\r\n\r\n")
        st, h, b, rest = read_reply(c)
        j = json.loads(b)
        assert st == 413 and j["error"]["code"] == "body_too_large", (st, b)
        assert "50000000" in j["error"]["message"], j
        c.close()
        assert s.get("/healthz").status == 200
        # counted apart from the routed requests
        metrics = {ln.split()[0]: float(ln.split()[1]) for ln in s.get("/metrics").text.splitlines()
                   if ln and not ln.startswith("#") and "{" not in ln}
        assert metrics["smogd_http_refused_total"] == len(cases), metrics
        assert metrics["smogd_http_connections_accepted_total"] >= len(cases) + 3, metrics
        assert metrics["smogd_http_connections"] >= 1, metrics
        print(f"{len(cases)} malformed requests refused with their status and JSON code; "
              "a 50 MB body refused before it was sent", flush=True)
    finally:
        s.stop()
        w.cleanup()


def test_timeouts():
    w, s, _ = started("request_timeout 2\n")
    try:
        idle = connect(s)
        slow = connect(s)
        slow.sendall(b"GET /healthz HTTP/1.1\r\n")
        t0 = time.time()
        # the slow head gets a 408 and the end; the idle connection just the end
        st, h, b, rest = read_reply(slow)
        assert st == 408 and json.loads(b)["error"]["code"] == "request_timeout", (st, b)
        assert closed_by_server(idle, wait=5), "idle connection not closed"
        took = time.time() - t0
        assert 1.5 < took < 6, took
        slow.close()
        idle.close()
        assert s.get("/healthz").status == 200
        print(f"slow head answered 408 and idle connection closed after {took:.1f} s "
              "(request_timeout 2)", flush=True)
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_keep_alive_pipelining_head, test_bodies_chunked_and_continue,
          test_pipelined_acks_wait_for_their_commit, test_refusals, test_timeouts])
