"""The orders a decision issues, written set-based: the exact stored rows
(orders, measures text, outbox notices, the one audit row per decision and
its digests) for a small list through issue, supersede and lift, and
`smogd audit verify` catching an order altered after the fact."""

import hashlib
import json
import sqlite3
import time

from harness import (Server, Workdir, json_warning, main, make_token, make_uscc, run, seed_list,
                     source)

A, B, C = make_uscc(11), make_uscc(12), make_uscc(13)
# (uscc, name, town, grade, line, yellow/orange/red): seed_list writes the
# measure texts (限产<pct>%, 停产, 自主减排)
ROWS = [
    (B, "绛县乙钢铁有限公司", "140826101", "B", "2#高炉", ("limit:33.3", "limit:50", "halt")),
    (A, "绛县甲焦化有限公司", "140826100", "C", "焦炉", ("halt", "halt", "halt")),
    # B's second line sorts before its first by name; its town is not B's
    (B, "绛县乙钢铁有限公司", "140826102", "B", "1#烧结机", ("voluntary", "limit:12.5", "halt")),
    (C, "绛县丙建材有限公司", "140826200", "A", "窑\"线\"\\1", ("limit:20", "limit:30", "limit:40")),
]

HOUR_MS = 3600000
US, RS = "\x1f", "\x1e"

YELLOW = {
    A: '[{"line":"焦炉","action":"halt","limit_pct":null,"text":"停产"}]',
    B: '[{"line":"2#高炉","action":"limit","limit_pct":33.299999999999997,"text":"限产33.3%"},'
       '{"line":"1#烧结机","action":"voluntary","limit_pct":null,"text":"自主减排"}]',
    C: '[{"line":"窑\\"线\\"\\\\1","action":"limit","limit_pct":20.0,"text":"限产20%"}]',
}
RED = {
    A: '[{"line":"焦炉","action":"halt","limit_pct":null,"text":"停产"}]',
    B: '[{"line":"2#高炉","action":"halt","limit_pct":null,"text":"停产"},'
       '{"line":"1#烧结机","action":"halt","limit_pct":null,"text":"停产"}]',
    C: '[{"line":"窑\\"线\\"\\\\1","action":"limit","limit_pct":40.0,"text":"限产40%"}]',
}


# An order's measures: issued orders keep '' and take them from their list's
# row for the enterprise at the order's level (store_int.h, STORE_ORDER_MEASURES).
MEASURES = ("CASE WHEN o.measures <> '' THEN o.measures ELSE (SELECT CASE o.level "
            "WHEN 'yellow' THEN e.m_yellow WHEN 'orange' THEN e.m_orange WHEN 'red' THEN e.m_red END "
            "FROM list_enterprises e WHERE e.list_id = o.list_id AND e.uscc = o.enterprise) END")


def issued_digest(con, first, last):
    h = hashlib.sha256()
    for oid, ent, level, version, measures in con.execute(
            f"SELECT id, enterprise, level, version, {MEASURES} FROM orders o "
            "WHERE id BETWEEN ? AND ? ORDER BY id", (first, last)):
        h.update(f"{oid}{US}{ent}{US}{level}{US}{version}{US}{measures}{RS}".encode())
    return h.hexdigest()


def ended_digest(con, decision):
    h = hashlib.sha256()
    for oid, status, replaced_by in con.execute(
            "SELECT id, status, replaced_by FROM orders WHERE ended_decision_id = ? ORDER BY id",
            (decision,)):
        h.update(f"{oid}{US}{status}{US}{replaced_by or ''}{RS}".encode())
    return h.hexdigest()


def audit_rows(con):
    return [(obj, json.loads(d)) for obj, d in con.execute(
        "SELECT object, detail FROM audit WHERE action = 'orders.issue' ORDER BY seq")]


def expanded(db):
    """Waits for the running server's dispatcher to expand every notice (a
    decision's notice into its per-order notices, 0023) and returns a
    connection."""
    con = sqlite3.connect(db)
    deadline = time.monotonic() + 15
    while con.execute("SELECT count(*) FROM outbox WHERE expanded_ms IS NULL").fetchone()[0]:
        assert time.monotonic() < deadline, "notices still unexpanded"
        time.sleep(0.05)
    return con


def verify(db):
    return run("audit", "verify", "--db", db, check=False)


def test_issue_supersede_lift_exact_rows():
    w = Workdir()
    s = Server(w)
    issuer = make_token(s.db, "issuer", name="feed")
    seed_list(s.db, rows=ROWS)
    s.start()
    try:
        r = s.post("/v1/warnings", body=json.dumps(json_warning("S-1", "yellow")), token=issuer)
        assert r.status == 200 and r.json["level"] == "yellow", r
        con = expanded(s.db)
        # the list's enterprises, filled on first use (the list was written directly)
        ents = con.execute("SELECT uscc, name, town, m_yellow, m_red FROM list_enterprises "
                           "ORDER BY id").fetchall()
        assert [e[0] for e in ents] == sorted([A, B, C]), ents
        assert [e[2] for e in ents] == ["140826100", "140826101", "140826200"], ents
        assert [e[3] for e in ents] == [YELLOW[A], YELLOW[B], YELLOW[C]], ents
        assert [e[4] for e in ents] == [RED[A], RED[B], RED[C]], ents

        orders = con.execute(
            f"SELECT id, enterprise, enterprise_name, town, version, level, status, {MEASURES}, "
            "decision_id, effective_from_ms - issued_ms, ack_deadline_ms - issued_ms, "
            "ended_decision_id FROM orders o ORDER BY id").fetchall()
        # the rows themselves carry no copy of the list's text
        assert con.execute("SELECT count(*) FROM orders WHERE measures <> ''").fetchone()[0] == 0
        d1 = orders[0][8]
        assert orders == [
            (1, A, "绛县甲焦化有限公司", "140826100", 1, "yellow", "issued", YELLOW[A], d1, 0, HOUR_MS, None),
            (2, B, "绛县乙钢铁有限公司", "140826101", 1, "yellow", "issued", YELLOW[B], d1, 0, HOUR_MS, None),
            (3, C, "绛县丙建材有限公司", "140826200", 1, "yellow", "issued", YELLOW[C], d1, 0, HOUR_MS, None),
        ], orders
        # the decision's one notice, then the per-order notices its expansion
        # wrote: the rows issuance itself wrote before 0023, with the
        # decision's created_ms
        notices = con.execute(
            "SELECT id, event_id, kind, order_id, enterprise, drill, payload, "
            "deadline_ms - created_ms, created_ms = (SELECT created_ms FROM outbox WHERE id = 1) "
            "FROM outbox ORDER BY id").fetchall()
        assert notices == [
            (1, f"decision:{d1}:orders", "decision_orders", None, None, 0,
             f'{{"decision_id":{d1},"first_id":1,"last_id":3}}', None, 1),
            (2, "order:1:v1:order_issued", "order_issued", 1, A, 0, '{"order_id":1,"version":1}', HOUR_MS, 1),
            (3, "order:2:v1:order_issued", "order_issued", 2, B, 0, '{"order_id":2,"version":1}', HOUR_MS, 1),
            (4, "order:3:v1:order_issued", "order_issued", 3, C, 0, '{"order_id":3,"version":1}', HOUR_MS, 1),
        ], notices
        assert con.execute("SELECT outbox_id, decision_id, first_id, last_id, upto "
                           "FROM outbox_decisions").fetchall() == [(1, d1, 1, 3, 3)]
        assert con.execute("SELECT expanded_ms IS NOT NULL, deadline_alerted FROM outbox "
                           "WHERE id = 1").fetchone() == (1, 2)
        # one file delivery per order notice, none for the decision's
        assert con.execute("SELECT outbox_id, channel FROM deliveries ORDER BY id").fetchall() == \
            [(2, "file"), (3, "file"), (4, "file")]
        rows = audit_rows(con)
        assert rows == [(f"decision:{d1}", {
            "decision": d1, "episode": 1, "orders": 3, "first_id": 1, "last_id": 3,
            "sha256": issued_digest(con, 1, 3), "ended": 0, "ended_sha256": "",
            "issued": 3, "superseded": 0, "lifted": 0})], rows
        assert con.execute("SELECT count(*) FROM audit WHERE object LIKE 'order:%'").fetchone()[0] == 0
        con.close()

        # red: every order superseded by version 2
        r = s.post("/v1/warnings", body=json.dumps(json_warning("S-2", "red", msg_type="update",
                                                                   references=["S-1"])), token=issuer)
        assert r.status == 200 and r.json["level"] == "red", r
        con = expanded(s.db)
        orders = con.execute(f"SELECT id, enterprise, version, level, status, {MEASURES}, "
                             "replaced_by, decision_id, ended_decision_id FROM orders o "
                             "ORDER BY id").fetchall()
        d2 = orders[3][7]
        assert d2 == d1 + 1, orders
        assert orders == [
            (1, A, 1, "yellow", "superseded", YELLOW[A], 4, d1, d2),
            (2, B, 1, "yellow", "superseded", YELLOW[B], 5, d1, d2),
            (3, C, 1, "yellow", "superseded", YELLOW[C], 6, d1, d2),
            (4, A, 2, "red", "issued", RED[A], None, d2, None),
            (5, B, 2, "red", "issued", RED[B], None, d2, None),
            (6, C, 2, "red", "issued", RED[C], None, d2, None),
        ], orders
        notices = con.execute("SELECT event_id, kind, order_id, payload FROM outbox WHERE id > 4 "
                              "ORDER BY id").fetchall()
        assert notices == [(f"decision:{d2}:orders", "decision_orders", None,
                            f'{{"decision_id":{d2},"first_id":4,"last_id":6}}')] + \
            [(f"order:{i}:v2:order_superseded", "order_superseded", i,
              f'{{"order_id":{i},"version":2}}') for i in (4, 5, 6)], notices
        obj, det = audit_rows(con)[1]
        assert obj == f"decision:{d2}" and det == {
            "decision": d2, "episode": 1, "orders": 3, "first_id": 4, "last_id": 6,
            "sha256": issued_digest(con, 4, 6), "ended": 3, "ended_sha256": ended_digest(con, d2),
            "issued": 0, "superseded": 3, "lifted": 0}, det
        con.close()

        # cancel: every order lifted, one notice each
        r = s.post("/v1/warnings", body=json.dumps(json_warning("S-3", "none", msg_type="cancel",
                                                                   references=["S-1", "S-2"])),
                   token=issuer)
        assert r.status == 200, r
        con = expanded(s.db)
        d3 = d2 + 1
        lifted = con.execute("SELECT id, status, ended_decision_id FROM orders WHERE id > 3 "
                             "ORDER BY id").fetchall()
        assert lifted == [(4, "lifted", d3), (5, "lifted", d3), (6, "lifted", d3)], lifted
        notices = con.execute("SELECT event_id, kind, order_id, payload, deadline_ms FROM outbox "
                              "WHERE id > 8 ORDER BY id").fetchall()
        assert notices == [(f"decision:{d3}:lifted", "decision_lifted", None,
                            f'{{"decision_id":{d3},"lifted":3}}', None)] + \
            [(f"order:{i}:v2:order_lifted", "order_lifted", i,
              f'{{"order_id":{i},"version":2}}', None) for i in (4, 5, 6)], notices
        assert con.execute("SELECT decision_id, first_id, last_id, upto FROM outbox_decisions "
                           "WHERE outbox_id = 9").fetchone() == (d3, 0, 0, 6)
        obj, det = audit_rows(con)[2]
        assert obj == f"decision:{d3}" and det == {
            "decision": d3, "episode": 1, "orders": 0, "first_id": 0, "last_id": 0, "sha256": "",
            "ended": 3, "ended_sha256": ended_digest(con, d3), "issued": 0, "superseded": 0,
            "lifted": 3}, det
        con.close()
    finally:
        s.stop()

    p = verify(s.db)
    assert p.returncode == 0, p.stdout + p.stderr
    con = sqlite3.connect(s.db)
    # the status rule (0013 wrote it as comparisons) still refuses other values
    try:
        with con:
            con.execute("UPDATE orders SET status = 'cancelled' WHERE id = 1")
        raise AssertionError("status 'cancelled' accepted")
    except sqlite3.IntegrityError as e:
        assert "CHECK constraint failed: status = 'issued' OR" in str(e), e
    seq = con.execute("SELECT seq FROM audit WHERE object = ?", (f"decision:{d1}",)).fetchone()[0]
    try:
        # a measure changed after issue: the decision's digest no longer matches
        changed = YELLOW[B].replace("33.299999999999997", "10.0")
        with con:
            con.execute("UPDATE orders SET measures = ? WHERE id = 2", (changed,))
        p = verify(s.db)
        assert p.returncode == 1 and f"BROKEN at row {seq}:" in p.stdout, p.stdout + p.stderr
        assert "orders 1..3 do not match its digest" in p.stdout, p.stdout
        with con:
            con.execute("UPDATE orders SET measures = '' WHERE id = 2")
        assert verify(s.db).returncode == 0
        # the same change made to the list's row the order refers to
        with con:
            con.execute("UPDATE list_enterprises SET m_yellow = ? WHERE uscc = ?", (changed, B))
        p = verify(s.db)
        assert p.returncode == 1 and "orders 1..3 do not match its digest" in p.stdout, p.stdout
        with con:
            con.execute("UPDATE list_enterprises SET m_yellow = ? WHERE uscc = ?", (YELLOW[B], B))
        assert verify(s.db).returncode == 0
        # an order removed from the range
        with con:
            con.execute("DELETE FROM outbox WHERE order_id = 3")
            con.execute("UPDATE orders SET replaced_by = NULL WHERE replaced_by = 3")
            con.execute("DELETE FROM orders WHERE id = 3")
        p = verify(s.db)
        assert p.returncode == 1 and "(2 of 3 found" in p.stdout, p.stdout
    finally:
        con.close()
    w.cleanup()


def jstr(v):
    """A JSON string as jansson (and base/jsonw) write it."""
    out = []
    for ch in v:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                        "\t": "\\t"}.get(ch, "\\u%04X" % ord(ch)))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def jreal(v):
    t = "%.17g" % v
    if all(c in "0123456789-" for c in t):
        t += ".0"
    return t


def test_import_fills_list_enterprises():
    """The importer writes one row per enterprise with the measures per
    level, the text ops always wrote: lines in id order, limit_pct only for
    'limit' (printed as %.17g)."""
    w = Workdir()
    db = w.file("smogd.db")
    try:
        run("list", "import", source("scenarios", "jiang-county", "list.csv"), "--db", db,
            "--year", "2025", "--activate")
        con = sqlite3.connect(db)
        want = {}
        for uscc, name, town, line, *m in con.execute(
                "SELECT uscc, name, town, line, y_action, y_pct, y_text, o_action, o_pct, o_text, "
                "r_action, r_pct, r_text FROM list_lines ORDER BY uscc, id"):
            e = want.setdefault(uscc, [name, town, [], [], []])
            for lvl in range(3):
                action, pct, text = m[3 * lvl:3 * lvl + 3]
                e[2 + lvl].append('{"line":%s,"action":%s,"limit_pct":%s,"text":%s}' % (
                    jstr(line), jstr(action), jreal(pct) if action == "limit" else "null", jstr(text)))
        got = con.execute("SELECT uscc, name, town, m_yellow, m_orange, m_red FROM list_enterprises "
                          "ORDER BY id").fetchall()
        con.close()
        assert len(got) == len(want) > 10, (len(got), len(want))
        assert [g[0] for g in got] == sorted(want), got
        for uscc, name, town, *ms in got:
            e = want[uscc]
            assert (name, town) == (e[0], e[1]), (uscc, name, town, e)
            assert ms == ["[" + ",".join(x) + "]" for x in e[2:]], (uscc, ms, e)
        assert any('"limit_pct":null' in g[3] for g in got) and any(
            '"action":"limit"' in g[4] for g in got), got[:3]
    finally:
        w.cleanup()


def test_ended_order_altered_is_caught():
    w = Workdir()
    s = Server(w)
    issuer = make_token(s.db, "issuer", name="feed")
    seed_list(s.db, rows=ROWS)
    s.start()
    try:
        assert s.post("/v1/warnings", body=json.dumps(json_warning("E-1", "yellow")),
                      token=issuer).status == 200
        assert s.post("/v1/warnings", body=json.dumps(json_warning("E-2", "red", msg_type="update",
                                                                      references=["E-1"])),
                      token=issuer).status == 200
    finally:
        s.stop()
    assert verify(s.db).returncode == 0
    con = sqlite3.connect(s.db)
    try:
        seq = con.execute("SELECT seq FROM audit WHERE action = 'orders.issue' ORDER BY seq DESC "
                          "LIMIT 1").fetchone()[0]
        with con:
            con.execute("UPDATE orders SET replaced_by = 6 WHERE id = 1")
        p = verify(s.db)
        assert p.returncode == 1 and f"BROKEN at row {seq}:" in p.stdout, p.stdout
        assert "the orders decision 2 ended do not match its digest (3 of 3 found)" in p.stdout, p.stdout
    finally:
        con.close()
        w.cleanup()


if __name__ == "__main__":
    main([test_issue_supersede_lift_exact_rows, test_import_fills_list_enterprises,
          test_ended_order_altered_is_caught])
