"""Warnings → effective level → orders → acknowledgements, over HTTP
against the real server, with a real SQLite file."""

import json
import sqlite3
import time

from harness import (SMALL_LIST, Server, Workdir, json_warning, main, make_token, now_plus,
                     seed_list, source)

ENTERPRISES = sorted({r[0] for r in SMALL_LIST})


class Episode:
    def __init__(self):
        self.w = Workdir()
        self.s = Server(self.w)
        self.issuer = make_token(self.s.db, "issuer", name="yuncheng-feed")
        self.officer = make_token(self.s.db, "officer", name="duty-1")
        self.ent = {u: make_token(self.s.db, "enterprise", enterprise=u) for u in ENTERPRISES}
        seed_list(self.s.db)
        self.s.start()

    def warn(self, body, token=None, ctype="application/json"):
        if isinstance(body, dict):
            import json
            body = json.dumps(body)
        return self.s.post("/v1/warnings", body=body, token=token or self.issuer,
                           headers={"Content-Type": ctype})

    def orders(self, **q):
        from urllib.parse import quote
        qs = "&".join(f"{k}={quote(str(v))}" for k, v in q.items())
        r = self.s.get("/v1/orders?limit=1000&" + qs, token=self.officer)
        assert r.status == 200, r
        return r.json["orders"]

    def status(self):
        r = self.s.get("/v1/status", token=self.officer)
        assert r.status == 200, r
        return r.json

    def close(self):
        self.s.stop()
        self.w.cleanup()


def test_alert_update_ack_cancel_chain():
    e = Episode()
    try:
        r = e.warn(json_warning("W-1", "yellow"))
        assert r.status == 200 and r.json["applied"] and r.json["level"] == "yellow", r
        assert r.json["duplicate"] is False
        st = e.status()
        assert st["level"] == "yellow" and st["sources"]["municipal"] == "yellow", st
        assert st["orders"]["active"] == len(ENTERPRISES), st
        orders = e.orders(status="issued")
        assert len(orders) == len(ENTERPRISES) and {o["version"] for o in orders} == {1}
        firm1 = [o for o in orders if o["enterprise"] == ENTERPRISES[0]][0]
        # the firm's two lines, each with the yellow measure its row names
        m = {x["line"]: x for x in firm1["measures"]}
        assert m["1#矿热炉"]["action"] == "limit" and m["1#矿热炉"]["limit_pct"] == 50, m
        assert m["2#矿热炉"]["action"] == "halt" and m["2#矿热炉"]["limit_pct"] is None, m
        for o in orders:  # A-grade and protected firms get their order too
            assert o["level"] == "yellow" and o["drill"] is False and o["acknowledged_at"] is None
        grades = {o["enterprise"]: o["grade"] for o in orders}
        assert grades[ENTERPRISES[2]] == "A" and grades[ENTERPRISES[3]] == "保障类", grades
        assert [o["enterprise"] for o in e.orders(grade="A")] == [ENTERPRISES[2]]
        assert {o["town"] for o in e.orders(town="140826101")} == {"140826101"}
        assert len(e.orders(industry="铁合金")) == len(ENTERPRISES)

        # the same warning again changes nothing
        r = e.warn(json_warning("W-1", "yellow"))
        assert r.status == 200 and r.json["duplicate"] is True, r
        assert len(e.orders()) == len(ENTERPRISES)

        # update to orange: every order superseded by version 2
        r = e.warn(json_warning("W-2", "orange", msg_type="update", references=["W-1"]))
        assert r.status == 200 and r.json["level"] == "orange", r
        cur = e.orders(status="issued")
        assert len(cur) == len(ENTERPRISES) and {o["version"] for o in cur} == {2}, cur
        old = [o for o in e.orders(status="superseded")]
        assert len(old) == len(ENTERPRISES)

        # acknowledging the superseded order: 409 naming the current one
        u = ENTERPRISES[0]
        v1 = [o for o in old if o["enterprise"] == u][0]
        v2 = [o for o in cur if o["enterprise"] == u][0]
        r = e.s.post(f"/v1/orders/{v1['id']}/ack", token=e.ent[u])
        assert r.status == 409 and r.json["error"]["code"] == "superseded", r
        assert r.json["current_order_id"] == v2["id"], r

        # ack is idempotent; another firm's token is refused
        r1 = e.s.post(f"/v1/orders/{v2['id']}/ack", body={"note": "已停炉", "contact": "张工"},
                      token=e.ent[u])
        assert r1.status == 200 and r1.json["status"] == "acknowledged", r1
        time.sleep(1.1)
        r2 = e.s.post(f"/v1/orders/{v2['id']}/ack", token=e.ent[u])
        assert r2.status == 200 and r2.json["acknowledged_at"] == r1.json["acknowledged_at"], (r1, r2)
        r = e.s.post(f"/v1/orders/{v2['id']}/ack", token=e.ent[ENTERPRISES[1]])
        assert r.status == 403, r
        r = e.s.get(f"/v1/orders/{v2['id']}", token=e.ent[ENTERPRISES[1]])
        assert r.status == 403, r
        r = e.s.get("/v1/orders", token=e.ent[ENTERPRISES[1]])
        assert r.status == 200 and {o["enterprise"] for o in r.json["orders"]} == {ENTERPRISES[1]}
        r = e.s.get(f"/v1/orders/{v2['id']}", token=e.ent[u])
        assert r.status == 200 and [h["version"] for h in r.json["history"]] == [1, 2], r
        # the ack reply is written as text: the order as GET shows it, same keys in the same
        # order, without measures, industry, grade, history and compliance_detail
        full = json.loads(r.raw, object_pairs_hook=list)
        slim = [kv for kv in full if kv[0] not in ("measures", "industry", "grade", "history",
                                                     "compliance_detail")]
        assert json.loads(r2.raw, object_pairs_hook=list) == slim, (r2.raw, slim)
        # the first reply is written by the acknowledging UPDATE, the repeated one read
        # back from the row: the same bytes
        assert r1.raw == r2.raw, (r1.raw, r2.raw)

        # Idempotency-Key: replayed for the same body, refused for another
        u2 = ENTERPRISES[1]
        o2 = [o for o in cur if o["enterprise"] == u2][0]
        k = {"Idempotency-Key": "3f1c0b5e-0000-4000-8000-000000000001"}
        a = e.s.post(f"/v1/orders/{o2['id']}/ack", body={"note": "ok"}, token=e.ent[u2], headers=k)
        b = e.s.post(f"/v1/orders/{o2['id']}/ack", body={"note": "ok"}, token=e.ent[u2], headers=k)
        c = e.s.post(f"/v1/orders/{o2['id']}/ack", body={"note": "other"}, token=e.ent[u2], headers=k)
        assert a.status == 200 and b.status == 200 and b.json == a.json, (a, b)
        assert c.status == 422 and c.json["error"]["code"] == "idempotency_key_reused", c
        st = e.status()
        assert st["orders"]["acknowledged"] == 2, st

        # cancel: level none, everything lifted, episode closed
        r = e.warn(json_warning("W-3", "none", msg_type="cancel", references=["W-1", "W-2"]))
        assert r.status == 200 and r.json["applied"] and r.json["level"] == "none", r
        assert e.orders(status="issued") == [] and e.orders(status="acknowledged") == []
        assert len(e.orders(status="lifted")) == len(ENTERPRISES)
        st = e.status()
        assert st["level"] == "none" and st["episode_id"] is None, st
        ep = e.s.get(f"/v1/episodes/{v2['episode_id']}", token=e.officer).json
        assert [d["to"] for d in ep["timeline"]] == ["yellow", "orange", "none"], ep
        assert ep["closed_at"] is not None and ep["max_level"] == "orange"
        assert ep["orders"]["acknowledged"] == 2, ep

        # cancelling the unknown: recorded, not applied
        r = e.warn(json_warning("W-4", "none", msg_type="cancel", references=["nope"]))
        assert r.json["applied"] is False and r.json["reason"] == "unknown_reference", r
    finally:
        e.close()


def test_every_order_and_notice_exactly_once():
    e = Episode()
    try:
        e.warn(json_warning("X-1", "yellow"))
        e.warn(json_warning("X-2", "red", msg_type="update", references=["X-1"]))
        e.warn(json_warning("X-2", "red", msg_type="update", references=["X-1"]))
    finally:
        e.s.stop()
    con = sqlite3.connect(e.s.db)
    try:
        dup = con.execute("SELECT count(*) FROM (SELECT episode_id, enterprise, version, count(*) c "
                          "FROM orders GROUP BY 1,2,3 HAVING c > 1)").fetchone()[0]
        assert dup == 0
        n = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        assert n == 2 * len(ENTERPRISES), n
        # one notice per decision; each order's notice written by the
        # dispatcher's expansion, or still owed by its decision's notice when
        # the server stopped first (0023)
        decisions = con.execute("SELECT kind, count(*) FROM outbox WHERE kind LIKE 'decision_%' "
                                "GROUP BY kind").fetchall()
        assert decisions == [("decision_orders", 2)], decisions
        notices = con.execute("SELECT kind, count(*), count(DISTINCT event_id) FROM "
                              "(SELECT kind, event_id FROM outbox WHERE kind NOT LIKE 'decision_%' "
                              "UNION ALL SELECT kind, event_id FROM outbox_owed) "
                              "GROUP BY kind ORDER BY kind").fetchall()
        n_ent = len(ENTERPRISES)
        assert notices == [("order_issued", n_ent, n_ent), ("order_superseded", n_ent, n_ent)], notices
        # one "orders.issue" row per decision covers its orders: count, id range, digest
        rows = [json.loads(d) for (d,) in con.execute(
            "SELECT detail FROM audit WHERE action = 'orders.issue' ORDER BY seq")]
        assert [r["orders"] for r in rows] == [len(ENTERPRISES), len(ENTERPRISES)], rows
        assert sum(r["last_id"] - r["first_id"] + 1 for r in rows) == n, rows
        assert [r["ended"] for r in rows] == [0, len(ENTERPRISES)], rows
        assert con.execute("SELECT count(*) FROM audit WHERE action IN "
                           "('order.issue','order.supersede','order.lift')").fetchone()[0] == 0
    finally:
        con.close()
        e.w.cleanup()


def test_escalation_floor_rules():
    e = Episode()
    try:
        r = e.s.post("/v1/escalations", body={"level": "orange"}, token=e.officer)
        assert r.status == 422 and r.json["error"]["code"] == "reason_required", r
        r = e.s.post("/v1/escalations", body={"level": "orange", "reason": "本地PM2.5持续上升，县指挥部决定"},
                     token=e.officer)
        assert r.status == 200 and r.json["level"] == "orange" and r.json["sources"]["manual"] == "orange", r
        assert len(e.orders(status="issued")) == len(ENTERPRISES)
        e.warn(json_warning("E-1", "red"))
        assert e.status()["level"] == "red"
        # relaxing below the city's red warning is refused
        r = e.s.post("/v1/escalations", body={"level": "yellow", "reason": "try"}, token=e.officer)
        assert r.status == 409 and r.json["error"]["code"] == "below_municipal", r
        # none clears the floors; the city's level stays
        r = e.s.post("/v1/escalations", body={"level": "none", "reason": "clear"}, token=e.officer)
        assert r.status == 200 and r.json["level"] == "red" and r.json["sources"]["manual"] == "none", r
        r = e.s.post("/v1/escalations", body={"level": "purple", "reason": "x"}, token=e.officer)
        assert r.status == 422, r
        r = e.s.post("/v1/escalations", body={"level": "red", "reason": "x"}, token=e.issuer)
        assert r.status == 403, r
        r = e.s.post("/v1/escalations", body="{not json", token=e.officer)
        assert r.status == 400, r
    finally:
        e.close()


def test_scope_pollutant_status_and_hostile():
    e = Episode()
    try:
        # another county: recorded, not applied
        r = e.warn(json_warning("S-1", "red", area=["140802"]))
        assert r.json["applied"] is False and r.json["reason"] == "not_applicable", r
        # ozone: recorded and shown, no curtailment
        r = e.warn(json_warning("S-2", "orange", primary_pollutant="o3"))
        assert r.json["applied"] is False and r.json["reason"] == "no_curtailment_for_pollutant", r
        # test status: accepted, not applied
        r = e.warn(json_warning("S-3", "red", status="Test"))
        assert r.status == 200 and r.json["applied"] is False, r
        # already expired
        r = e.warn(json_warning("S-4", "red", onset=now_plus(-7200), expires=now_plus(-60)))
        assert r.json["applied"] is False and r.json["reason"] == "expired", r
        assert e.status()["level"] == "none"
        # a town-level warning: only firms in that town are ordered
        r = e.warn(json_warning("S-5", "yellow", area=["140826101"]))
        assert r.json["applied"] and r.json["level"] == "yellow", r
        towns = {o["town"] for o in e.orders(status="issued")}
        assert towns == {"140826101"}, towns
        # the city's parent code applies county-wide
        r = e.warn(json_warning("S-6", "orange", area=["140800"]))
        assert {o["level"] for o in e.orders(status="issued")} == {"orange"}
        assert len(e.orders(status="issued")) == len(ENTERPRISES)
        # a time without offset is a 400
        w = json_warning("S-7", "red")
        w["onset"] = "2025-12-02T00:00:00"
        r = e.warn(w)
        assert r.status == 400 and r.json["error"]["code"] == "time_without_offset", r
        # hostile XML: refused, nothing applied
        for name in ("bad_xxe_file.xml", "bad_billion_laughs.xml", "bad_doctype.xml", "bad_malformed.xml"):
            with open(source("tests", "data", "cap", name), "rb") as f:
                r = e.warn(f.read(), ctype="application/cap+xml")
            assert r.status == 400, (name, r)
            assert "root:" not in r.text
        r = e.warn(open(source("tests", "data", "cap", "bad_level_conflict.xml"), "rb").read(),
                   ctype="application/xml")
        assert r.status == 422 and r.json["error"]["code"] == "level_conflict", r
        r = e.warn(b"x" * 300000, ctype="application/xml")
        assert r.status == 413, r
        # the original CAP is kept and shown
        ws = e.s.get("/v1/warnings", token=e.officer).json["warnings"]
        assert len(ws) == 6, [w["identifier"] for w in ws]
        one = e.s.get(f"/v1/warnings/{ws[0]['id']}", token=e.officer).json
        assert "S-6" in one["original"] and len(one["sha256"]) == 64
        assert e.status()["level"] == "orange"
    finally:
        e.close()


def test_cap_xml_alert_applies():
    e = Episode()
    try:
        xml = open(source("tests", "data", "cap", "good_yellow_140826.xml")).read()
        xml = xml.replace("2025-12-02T00:00:00+08:00", now_plus(-10)).replace(
            "2025-12-05T00:00:00+08:00", now_plus(86400))
        r = e.warn(xml, ctype="application/cap+xml")
        assert r.status == 200 and r.json["applied"] and r.json["level"] == "yellow", r
        assert len(e.orders(status="issued")) == len(ENTERPRISES)
    finally:
        e.close()


def test_future_onset_survives_restart_and_expiry_lifts():
    e = Episode()
    try:
        r = e.warn(json_warning("T-1", "orange", onset=now_plus(3), expires=now_plus(6)))
        assert r.json["applied"] and r.json["reason"] == "scheduled" and r.json["level"] == "none", r
        e.s.stop()  # a restart in between loses nothing
        time.sleep(1)
        e.s.start()
        deadline = time.time() + 10
        while time.time() < deadline and e.status()["level"] != "orange":
            time.sleep(0.2)
        assert e.status()["level"] == "orange"
        assert len(e.orders(status="issued")) == len(ENTERPRISES)
        deadline = time.time() + 10
        while time.time() < deadline and e.status()["level"] != "none":
            time.sleep(0.2)
        assert e.status()["level"] == "none"
        assert len(e.orders(status="lifted")) == len(ENTERPRISES)
    finally:
        e.close()


def test_update_with_later_onset_keeps_the_old_level_until_then():
    e = Episode()
    try:
        e.warn(json_warning("U-1", "yellow"))
        r = e.warn(json_warning("U-2", "orange", msg_type="update", references=["U-1"], onset=now_plus(2)))
        assert r.json["reason"] == "scheduled" and r.json["level"] == "yellow", r
        assert {o["version"] for o in e.orders(status="issued")} == {1}  # nothing lifted meanwhile
        deadline = time.time() + 10
        while time.time() < deadline and e.status()["level"] != "orange":
            time.sleep(0.2)
        assert e.status()["level"] == "orange"
        cur = e.orders(status="issued")
        assert {o["version"] for o in cur} == {2} and len(cur) == len(ENTERPRISES), cur
        assert e.orders(status="lifted") == []
        ws = {w["identifier"]: w for w in e.s.get("/v1/warnings", token=e.officer).json["warnings"]}
        assert ws["U-1"]["state"] == "replaced" and ws["U-2"]["state"] == "active", ws
    finally:
        e.close()


def test_exercise_is_a_drill_kept_apart():
    e = Episode()
    try:
        r = e.warn(json_warning("D-1", "red", status="Exercise"))
        assert r.status == 200 and r.json["drill"] is True and r.json["level"] == "red", r
        st = e.status()
        assert st["level"] == "none" and st["orders"]["active"] == 0, st
        assert st["drill"]["level"] == "red", st
        orders = e.orders()
        assert orders and all(o["drill"] for o in orders), orders
    finally:
        e.close()


def test_officer_reissue_and_phone_ack():
    e = Episode()
    try:
        e.warn(json_warning("R-1", "yellow"))
        u = ENTERPRISES[2]
        o = [x for x in e.orders(status="issued") if x["enterprise"] == u][0]
        r = e.s.post(f"/v1/orders/{o['id']}/reissue", body={"reason": "企业称未收到通知"}, token=e.officer)
        assert r.status == 200 and r.json["version"] == 2 and r.json["reissue_reason"], r
        new = r.json
        r = e.s.post(f"/v1/orders/{new['id']}/phone-ack",
                     body={"enterprise": u, "note": "10:05 电话确认", "contact": "李经理"}, token=e.officer)
        assert r.status == 200 and r.json["ack"]["channel"] == "officer_phone", r
        r = e.s.post(f"/v1/orders/{new['id']}/phone-ack", body={"enterprise": ENTERPRISES[0], "note": "x"},
                     token=e.officer)
        assert r.status == 403, r
    finally:
        e.s.stop()
    con = sqlite3.connect(e.s.db)
    acts = [r[0] for r in con.execute("SELECT action FROM audit WHERE action IN "
                                      "('order.reissue','order.ack_by_officer')")]
    con.close()
    e.w.cleanup()
    assert sorted(acts) == ["order.ack_by_officer", "order.reissue"], acts


def test_concurrent_acks_and_orders_cli():
    import threading
    from harness import run
    e = Episode()
    try:
        e.warn(json_warning("C-1", "orange"))
        orders = e.orders(status="issued")
        results = []

        def ack(o, n):
            for _ in range(n):
                r = e.s.post(f"/v1/orders/{o['id']}/ack", token=e.ent[o["enterprise"]])
                results.append((o["id"], r.status, r.json and r.json.get("acknowledged_at")))

        # every enterprise at once, and the first order's ack sent ten times at once
        threads = [threading.Thread(target=ack, args=(o, 1)) for o in orders]
        threads += [threading.Thread(target=ack, args=(orders[0], 1)) for _ in range(9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(results) == len(orders) + 9 and all(st == 200 for _, st, _ in results), results
        firsts = {at for oid, _, at in results if oid == orders[0]["id"]}
        assert len(firsts) == 1, firsts  # the same acknowledged_at every time
        assert e.status()["orders"]["acknowledged"] == len(orders)
        e.s.stop()
        con = sqlite3.connect(e.s.db)
        n = con.execute("SELECT count(*) FROM audit WHERE action = 'order.ack' AND result = 'ok'").fetchone()[0]
        con.close()
        assert n == len(orders), n  # one ack record per order, repeats write nothing
        out = run("orders", "list", "--status", "acknowledged", "--db", e.s.db).stdout
        assert f"{len(orders)} of {len(orders)} orders" in out, out
        show = run("orders", "show", str(orders[0]["id"]), "--db", e.s.db).stdout
        assert '"status": "acknowledged"' in show and '"history"' in show, show
        p = run("orders", "show", "999999", "--db", e.s.db, check=False)
        assert p.returncode == 1 and "no such order" in p.stderr
    finally:
        e.close()


def test_order_pages_and_their_total():
    """A page's total is every matching order, whatever part of them the
    page holds: counted, or told by a short page."""
    e = Episode()
    try:
        assert e.warn(json_warning("W-P", "orange")).status == 200
        assert e.warn(json_warning("W-P2", "red", msg_type="update", references=["W-P"])).status == 200
        con = sqlite3.connect(e.s.db)
        every = [i for (i,) in con.execute("SELECT id FROM orders ORDER BY id")]
        issued = [i for (i,) in con.execute("SELECT id FROM orders WHERE status = 'issued' ORDER BY id")]
        first = [i for (i,) in con.execute("SELECT id FROM orders WHERE enterprise = ? ORDER BY id",
                                           (ENTERPRISES[0],))]
        con.close()
        n = len(ENTERPRISES)
        assert len(every) == 2 * n and len(issued) == n and len(first) == 2, (every, issued, first)
        cases = (("limit=2", every[:2], 2 * n), ("limit=2&offset=8", every[8:10], 2 * n),
                 ("limit=3&offset=8", every[8:11], 2 * n), ("limit=100", every, 2 * n),
                 ("offset=100", [], 2 * n), ("status=issued&limit=2&offset=1", issued[1:3], n),
                 ("status=issued&limit=50&offset=2", issued[2:], n),
                 (f"enterprise={ENTERPRISES[0]}&limit=1", first[:1], 2),
                 (f"enterprise={ENTERPRISES[0]}&limit=1&offset=1", first[1:], 2),
                 ("enterprise=91140826MA0K0NONE0&limit=5", [], 0))
        for q, ids, total in cases:
            r = e.s.get("/v1/orders?" + q, token=e.officer)
            assert r.status == 200, (q, r)
            assert [o["id"] for o in r.json["orders"]] == ids, (q, r.json["orders"])
            assert r.json["total"] == total, (q, r.json["total"], total)
    finally:
        e.close()


if __name__ == "__main__":
    main([test_order_pages_and_their_total, test_alert_update_ack_cancel_chain, test_every_order_and_notice_exactly_once,
          test_escalation_floor_rules, test_scope_pollutant_status_and_hostile,
          test_cap_xml_alert_applies, test_future_onset_survives_restart_and_expiry_lifts,
          test_update_with_later_onset_keeps_the_old_level_until_then,
          test_exercise_is_a_drill_kept_apart, test_officer_reissue_and_phone_ack,
          test_concurrent_acks_and_orders_cli])
