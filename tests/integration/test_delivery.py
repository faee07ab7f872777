"""Delivery of the outbox: the real server sends notices to the real
loopback receivers (tests/support/receivers.py, run in this process so a
test can stop and start them), with short retry settings."""

import http.server
import json
import os
import socket
import sqlite3
import threading
import time

import receivers
from harness import Server, Workdir, main, make_token, run

SECRET = "delivery-test-secret"
receivers.SECRET = SECRET.encode()
USCC_FMT = "91140826MA0K{:06d}"


class FlakyHandler(receivers.HttpHandler):
    """/hook/flaky answers 500 to an event's first request, 200 after."""
    seen = {}

    def answer_mode(self, mode):
        if mode == "flaky":
            with receivers.LOCK:
                n = FlakyHandler.seen.get(self.headers.get("X-Smogd-Event"), 0)
                FlakyHandler.seen[self.headers.get("X-Smogd-Event")] = n + 1
            mode = "500" if n == 0 else "ok"
        super().answer_mode(mode)


class Receiver:
    """A receiver on a fixed loopback port that can be stopped and restarted."""

    def __init__(self, port=0):
        self.port = port
        self.httpd = None
        self.start()

    def start(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), FlakyHandler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, mode):
        return f"http://127.0.0.1:{self.port}/hook/{mode}"


def reset_receivers():
    with receivers.LOCK:
        receivers.STATE["events"].clear()
        receivers.STATE["hooks"].clear()
        receivers.STATE["bad_signatures"] = 0
        FlakyHandler.seen.clear()


def events():
    with receivers.LOCK:
        return dict(receivers.STATE["events"])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def now_ms():
    return int(time.time() * 1000)


def seed_orders(db, n, deadline_ms=None, first=1):
    """Creates n issued orders, each with its order_issued notice in the
    outbox, and returns [(order_id, event_id, uscc)]. Seeds by SQL so each
    delivery case controls its notices exactly; test_episode_notices_reach_
    enterprises goes through a list and a warning (the production path)."""
    t = now_ms()
    con = sqlite3.connect(db, timeout=10)
    with con:
        cur = con.cursor()
        cur.execute("INSERT INTO lists (year, version, source, sha256, imported_ms, imported_by, active,"
                    " line_count, enterprise_count, report) VALUES (2025, ?, 'seed', 'x', ?, 'test', 0, ?, ?, '{}')",
                    (first, t, n, n))
        list_id = cur.lastrowid
        cur.execute("INSERT INTO episodes (drill, opened_ms, closed_ms, max_level) VALUES (0, ?, ?, 'orange')", (t, t))
        ep = cur.lastrowid
        cur.execute("INSERT INTO decisions (episode_id, drill, at_ms, from_level, to_level, source, actor, reason,"
                    " municipal, local, manual) VALUES (?, 0, ?, 'none', 'orange', 'manual', 'test', 'seed',"
                    " 'none', 'none', 'orange')", (ep, t))
        dec = cur.lastrowid
        out = []
        for i in range(first, first + n):
            uscc = USCC_FMT.format(i)
            measures = json.dumps([{"line": "1号窑", "action": "limit", "limit_pct": 30, "text": "限产30%"}],
                                  ensure_ascii=False)
            cur.execute("INSERT INTO orders (episode_id, enterprise, enterprise_name, town, version, level, list_id,"
                        " drill, status, measures, decision_id, issued_ms, effective_from_ms, ack_deadline_ms)"
                        " VALUES (?, ?, ?, '140826100', 1, 'orange', ?, 0, 'issued', ?, ?, ?, ?, ?)",
                        (ep, uscc, f"测试企业{i}", list_id, measures, dec, t, t, t + 3600000))
            oid = cur.lastrowid
            eid = f"order:{oid}:v1:order_issued"
            cur.execute("INSERT INTO outbox (event_id, kind, order_id, enterprise, drill, payload, created_ms,"
                        " deadline_ms) VALUES (?, 'order_issued', ?, ?, 0, ?, ?, ?)",
                        (eid, oid, uscc, json.dumps({"order_id": oid, "version": 1}), t,
                         deadline_ms if deadline_ms is not None else t + 3600000))
            out.append((oid, eid, uscc))
    con.close()
    return out


def set_contacts(db, rows):
    """rows: [(uscc, url)]. Through the CSV import, the operators' path."""
    path = db + ".contacts.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("uscc,webhook_url,webhook_secret,email,phone\n")
        for uscc, url in rows:
            f.write(f"{uscc},{url},,,\n")
    run("contacts", "import", path, "--db", db)


def started(w, retry=None, webhook_timeout_ms=2000, deadline_minutes=30):
    notifiers = {
        "channels": {
            "webhook": {"secret": SECRET, "timeout_ms": webhook_timeout_ms, "connect_timeout_ms": 500},
            "file": {"path": w.file("all.jsonl"), "sync": False},
        },
        "officers": {"file": w.file("officers.jsonl")},
        "retry": retry or {"base_ms": 200, "cap_ms": 800, "max_attempts": 100},
        "deadline_minutes": deadline_minutes,
    }
    with open(w.file("notifiers.json"), "w") as f:
        json.dump(notifiers, f)
    with open(w.file("smogd.conf"), "w") as f:
        f.write(f"notifiers {w.file('notifiers.json')}\n")
    s = Server(w, config=w.file("smogd.conf"))
    officer = make_token(s.db, "officer", name="duty")
    return s, officer


def wait_for(cond, timeout=15, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("condition not met in time")


def deliveries(s, officer, **q):
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    r = s.get("/v1/deliveries?limit=500&" + qs, token=officer)
    assert r.status == 200, r
    return r.json["deliveries"]


def file_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---- cases ----

def test_episode_notices_reach_enterprises():
    """The production path: a list, a warning, an update, the cancel; every
    order notice reaches its enterprise's webhook once, signed."""
    from harness import SMALL_LIST, json_warning, seed_list
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w)
    try:
        seed_list(s.db)
        firms = sorted({r[0] for r in SMALL_LIST})
        set_contacts(s.db, [(u, rx.url("ok")) for u in firms])
        issuer = make_token(s.db, "issuer", name="feed")
        s.start()
        assert s.post("/v1/warnings", body=json_warning("N-1", "yellow"), token=issuer).status == 200
        assert s.post("/v1/warnings", body=json_warning("N-2", "orange", msg_type="update",
                                                         references=["N-1"]), token=issuer).status == 200
        assert s.post("/v1/warnings", body=json_warning("N-3", "none", msg_type="cancel",
                                                         references=["N-2"]), token=issuer).status == 200
        kinds = wait_for(lambda: (lambda k: k if len(k) == 3 * len(firms) else None)(
            [h["body"]["kind"] for h in list(receivers.STATE["hooks"])]))
        assert sorted(set(kinds)) == ["order_issued", "order_lifted", "order_superseded"], kinds
        time.sleep(0.5)
        ev = events()
        assert len(ev) == 3 * len(firms) and all(c == 1 for c in ev.values()), ev
        with receivers.LOCK:
            assert receivers.STATE["bad_signatures"] == 0
            owners = {h["body"]["order"]["enterprise"] for h in receivers.STATE["hooks"]}
        assert owners == set(firms), owners
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


def test_normal_delivery_each_event_once():
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w)
    try:
        orders = seed_orders(s.db, 20)
        set_contacts(s.db, [(u, rx.url("ok")) for _, _, u in orders])
        s.start()
        want = {eid for _, eid, _ in orders}
        wait_for(lambda: want <= set(events()))
        wait_for(lambda: len(deliveries(s, officer, status="delivered", channel="webhook")) == 20)
        time.sleep(0.5)
        ev = events()
        assert all(ev[e] == 1 for e in want), ev
        with receivers.LOCK:
            hooks = list(receivers.STATE["hooks"])
            assert receivers.STATE["bad_signatures"] == 0
        body = hooks[0]["body"]
        assert set(body) >= {"event_id", "kind", "order"}, body
        assert body["event_id"] == hooks[0]["event_id"] and body["kind"] == "order_issued", body
        assert body["order"]["enterprise"].startswith("91140826MA0K"), body
        assert body["order"]["measures"][0]["line"] == "1号窑", body
        # the file channel recorded every notice with its Chinese text
        lines = file_lines(w.file("all.jsonl"))
        assert {ln["event_id"] for ln in lines} == want, lines[:2]
        assert "橙色" in lines[0]["text"] and "1号窑：限产30%" in lines[0]["text"], lines[0]["text"]
        # nothing else pending; metrics say so
        m = s.get("/metrics").text
        assert 'smogd_deliveries_total{channel="webhook",result="delivered"} 20' in m, m
        assert "smogd_outbox_pending 0" in m and "smogd_deliveries_dead 0" in m, m
        assert "smogd_outbox_oldest_undelivered_seconds 0.000" in m, m
        assert s.stop() == 0, s.stderr()
        # delivered notices leave the deadline watch (settled), so it scans only open ones
        con = sqlite3.connect(s.db)
        states = con.execute("SELECT deadline_alerted, count(*) FROM outbox GROUP BY 1").fetchall()
        con.close()
        assert states == [(2, 20)], states
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


def test_receiver_down_then_back_nothing_lost():
    reset_receivers()
    w = Workdir()
    port = free_port()
    s, officer = started(w)
    try:
        orders = seed_orders(s.db, 10)
        set_contacts(s.db, [(u, f"http://127.0.0.1:{port}/hook/ok") for _, _, u in orders])
        s.start()
        # refused connections: transient, retried
        wait_for(lambda: all(d["attempts"] >= 2 for d in deliveries(s, officer, channel="webhook")))
        assert all(d["status"] == "pending" for d in deliveries(s, officer, channel="webhook"))
        m = s.get("/metrics").text
        assert "smogd_outbox_pending 10" in m, m
        rx = Receiver(port)
        try:
            want = {eid for _, eid, _ in orders}
            wait_for(lambda: want <= set(events()))
            wait_for(lambda: len(deliveries(s, officer, status="delivered", channel="webhook")) == 10)
            # at least once: any repeat carries the same event id
            with receivers.LOCK:
                assert {h["event_id"] for h in receivers.STATE["hooks"]} == want
        finally:
            rx.stop()
    finally:
        s.stop()
        w.cleanup()


def test_500_then_success():
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w)
    try:
        (oid, eid, uscc), = seed_orders(s.db, 1)
        set_contacts(s.db, [(uscc, rx.url("flaky"))])
        s.start()
        wait_for(lambda: deliveries(s, officer, channel="webhook", status="delivered"))
        d = deliveries(s, officer, channel="webhook")[0]
        assert d["attempts"] == 2 and d["event_id"] == eid, d
        full = s.get(f"/v1/deliveries/{d['id']}", token=officer).json
        log = full["attempt_log"]
        assert [a["result"] for a in log] == ["transient", "delivered"], log
        assert log[0]["code"] == 500 and log[1]["code"] == 200, log
        assert events()[eid] == 2
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


def test_429_retry_after_honoured():
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w)
    try:
        (oid, eid, uscc), = seed_orders(s.db, 1)
        set_contacts(s.db, [(uscc, rx.url("429"))])
        s.start()
        d = wait_for(lambda: [d for d in deliveries(s, officer, channel="webhook") if d["attempts"] >= 2],
                     timeout=15)[0]
        log = s.get(f"/v1/deliveries/{d['id']}", token=officer).json["attempt_log"]
        assert log[0]["code"] == 429 and log[0]["retry_after_ms"] == 7000, log
        gap = log[1]["started_ms"] - log[0]["started_ms"]
        # the retry cap is 800 ms, yet the receiver asked for 7 s
        assert gap >= 7000, gap
        assert d["status"] == "pending" and d["last_status"] == 429, d
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


def test_400_dead_letter_officer_alert_and_retry():
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w)
    try:
        (oid, eid, uscc), = seed_orders(s.db, 1)
        set_contacts(s.db, [(uscc, rx.url("400"))])
        s.start()
        dead = wait_for(lambda: deliveries(s, officer, status="dead"))
        assert len(dead) == 1 and dead[0]["attempts"] == 1 and dead[0]["last_status"] == 400, dead
        alert_id = f"delivery:{dead[0]['id']}:dead"
        # the officers' file gets the alert, once
        alerts = wait_for(lambda: [ln for ln in file_lines(w.file("officers.jsonl"))
                                   if ln["event_id"] == alert_id])
        assert len(alerts) == 1 and alerts[0]["kind"] == "officer_alert", alerts
        assert "死信" in alerts[0]["text"] and "HTTP 400" in alerts[0]["text"], alerts[0]["text"]
        assert alerts[0]["payload"]["alert"]["event_id"] == eid, alerts[0]
        m = s.get("/metrics").text
        assert "smogd_deliveries_dead 1" in m, m
        # only an officer may retry; a non-dead delivery is 409
        ent = make_token(s.db, "enterprise", enterprise=uscc)
        assert s.post(f"/v1/deliveries/{dead[0]['id']}/retry", token=ent).status == 403
        ok = deliveries(s, officer, status="delivered")[0]
        r = s.post(f"/v1/deliveries/{ok['id']}/retry", token=officer)
        assert r.status == 409 and r.json["error"]["code"] == "not_dead", r
        assert s.post("/v1/deliveries/999999/retry", token=officer).status == 404
        before = events()[eid]
        r = s.post(f"/v1/deliveries/{dead[0]['id']}/retry", token=officer)
        assert r.status == 200 and r.json["attempts"] == 0, r
        # it goes out again (and dies again: the receiver still says 400) ...
        wait_for(lambda: events()[eid] > before)
        wait_for(lambda: deliveries(s, officer, status="dead"))
        # ... but the alert for it is not raised twice
        time.sleep(0.5)
        alerts = [ln for ln in file_lines(w.file("officers.jsonl")) if ln["event_id"] == alert_id]
        assert len(alerts) == 1, alerts
        assert s.stop() == 0, s.stderr()
        con = sqlite3.connect(s.db)
        audited = con.execute("SELECT count(*) FROM audit WHERE action='delivery.retry' AND object=?",
                              (f"delivery:{dead[0]['id']}",)).fetchone()[0]
        con.close()
        assert audited == 1, audited
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


def test_undelivered_past_deadline_alerts_once():
    reset_receivers()
    w = Workdir()
    port = free_port()
    s, officer = started(w)
    try:
        (oid, eid, uscc), = seed_orders(s.db, 1, deadline_ms=now_ms() + 1500)
        set_contacts(s.db, [(uscc, f"http://127.0.0.1:{port}/hook/ok")])
        s.start()
        alert_id = f"{eid}:undelivered"
        wait_for(lambda: [ln for ln in file_lines(w.file("officers.jsonl")) if ln["event_id"] == alert_id],
                 timeout=10)
        time.sleep(1.5)
        alerts = [ln for ln in file_lines(w.file("officers.jsonl")) if ln["event_id"] == alert_id]
        assert len(alerts) == 1, alerts
        assert "超过送达期限" in alerts[0]["text"], alerts[0]["text"]
    finally:
        s.stop()
        w.cleanup()


def test_kill9_while_receiver_hangs_redelivers_same_event():
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w, webhook_timeout_ms=4000)
    try:
        (oid, eid, uscc), = seed_orders(s.db, 1)
        set_contacts(s.db, [(uscc, rx.url("hang"))])
        ent = make_token(s.db, "enterprise", enterprise=uscc)
        s.start()
        wait_for(lambda: events().get(eid) == 1)
        # a hanging receiver does not slow the API: probes and a durable ack
        # answer while the notice's send is still in flight
        for _ in range(5):
            t0 = time.time()
            assert s.get("/healthz").status == 200
            assert time.time() - t0 < 1.0
        t0 = time.time()
        r = s.post(f"/v1/orders/{oid}/ack", token=ent)
        assert r.status == 200 and r.json["status"] == "acknowledged", r
        assert time.time() - t0 < 1.0, time.time() - t0
        s.kill()
        con = sqlite3.connect(s.db)
        status = con.execute("SELECT status FROM deliveries WHERE channel='webhook'").fetchone()[0]
        con.close()
        assert status == "pending", status
        s.start()
        wait_for(lambda: events().get(eid, 0) >= 2, timeout=10)
        with receivers.LOCK:
            ids = {h["event_id"] for h in receivers.STATE["hooks"]}
        assert ids == {eid}, ids
        # a clean stop with a send in flight abandons it (no leak, no crash)
        assert s.stop() == 0, s.stderr()
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


def test_contacts_api_validation_and_default_file_channel():
    w = Workdir()
    s = Server(w)  # no notifiers file: the default file channel
    officer = make_token(s.db, "officer", name="duty")
    try:
        s.start()
        u = USCC_FMT.format(1)
        path = f"/v1/enterprises/{u}/contacts"
        assert s.get(path, token=officer).status == 404
        for body, code in (({"webhook_url": "ftp://x.cn/h"}, "bad_url"),
                           ({"emails": ["not-an-address"]}, "bad_email"),
                           ({"phones": ["138-0013"]}, "bad_phone"),
                           ({"fax": "1"}, "unknown_key")):
            r = s.request("PUT", path, body=body, token=officer)
            assert r.status == 422 and r.json["error"]["code"] == code, (body, r)
        r = s.request("PUT", "/v1/enterprises/short/contacts", body={}, token=officer)
        assert r.status == 422 and r.json["error"]["code"] == "bad_uscc", r
        r = s.request("PUT", path, body={"webhook_url": "https://hooks.example.cn/x", "webhook_secret": "k",
                                         "emails": ["ehs@qiye.cn"], "phones": ["+8613800138000"]},
                      token=officer)
        assert r.status == 200, r
        r = s.get(path, token=officer)
        assert r.json["webhook_secret_set"] is True and "webhook_secret" not in r.json, r
        assert r.json["emails"] == ["ehs@qiye.cn"], r
        (oid, eid, uscc), = seed_orders(s.db, 1)
        lines = wait_for(lambda: file_lines(s.db + ".notices.jsonl"))
        assert lines[0]["event_id"] == eid, lines
        # a CSV with an error changes nothing and names the line and column
        bad = w.file("bad.csv")
        with open(bad, "w") as f:
            f.write("uscc,webhook_url,webhook_secret,email,phone\n"
                    f"{u},http://a.cn/h,,,\n{u},http://a.cn/h,,x@,\n")
        p = run("contacts", "import", bad, "--db", s.db, check=False)
        assert p.returncode == 1 and f"{bad}:3: 4:" in p.stderr, p.stderr
        assert s.get(path, token=officer).json["webhook_url"] == "https://hooks.example.cn/x"
    finally:
        s.stop()
        w.cleanup()


def test_delivery_pages_and_their_total():
    """A page of deliveries and its total, whatever part of the matches the
    page holds: counted, or told by a short page; filters by status,
    channel and enterprise; a page past the end still says the total."""
    reset_receivers()
    w, rx = Workdir(), Receiver()
    s, officer = started(w)
    try:
        seeded = seed_orders(s.db, 12)
        # half the firms have a webhook that answers, the other half none
        set_contacts(s.db, [(u, rx.url("ok")) for (_, _, u) in seeded[:6]])
        s.start()
        wait_for(lambda: len(deliveries(s, officer, status="delivered")) >= 12
                 and not deliveries(s, officer, status="pending"))
        con = sqlite3.connect(s.db, timeout=10)
        every = [i for (i,) in con.execute("SELECT id FROM deliveries ORDER BY id")]
        hooks = [i for (i,) in con.execute(
            "SELECT id FROM deliveries WHERE channel = 'webhook' ORDER BY id")]
        delivered = [i for (i,) in con.execute(
            "SELECT id FROM deliveries WHERE status = 'delivered' ORDER BY id")]
        firm = seeded[0][2]
        of_firm = [i for (i,) in con.execute(
            "SELECT d.id FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
            "WHERE o.enterprise = ? ORDER BY d.id", (firm,))]
        con.close()
        n = len(every)
        assert n >= 12 and len(hooks) == 6 and of_firm, (every, hooks, of_firm)
        cases = (("limit=2", every[:2], n), ("limit=2&offset=3", every[3:5], n),
                 ("limit=500", every, n), (f"offset={n + 5}", [], n),
                 ("channel=webhook&limit=4", hooks[:4], len(hooks)),
                 ("channel=webhook&limit=4&offset=4", hooks[4:], len(hooks)),
                 ("status=delivered&limit=3", delivered[:3], len(delivered)),
                 ("status=dead&limit=3", [], 0),
                 (f"enterprise={firm}&limit=1", of_firm[:1], len(of_firm)))
        for q, ids, total in cases:
            r = s.get("/v1/deliveries?" + q, token=officer)
            assert r.status == 200, (q, r)
            assert [d["id"] for d in r.json["deliveries"]] == ids, (q, r.json["deliveries"])
            assert r.json["total"] == total, (q, r.json["total"], total)
    finally:
        s.stop()
        rx.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_episode_notices_reach_enterprises, test_normal_delivery_each_event_once, test_receiver_down_then_back_nothing_lost,
          test_500_then_success, test_429_retry_after_honoured,
          test_400_dead_letter_officer_alert_and_retry, test_undelivered_past_deadline_alerts_once,
          test_kill9_while_receiver_hangs_redelivers_same_event,
          test_contacts_api_validation_and_default_file_channel, test_delivery_pages_and_their_total])
