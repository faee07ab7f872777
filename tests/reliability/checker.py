#!/usr/bin/env python3
"""Checks the reliability invariants INV1-INV8 of a smogd database, and of a
client history of requests and replies when one is given.

Importable (check(db, history=..., concurrency=...) returns a Report) and a
command line tool:

    python3 tests/reliability/checker.py DB [--history FILE.jsonl]
            [--concurrency N] [--crashes N] [--smogd PATH]

exit 0 when every invariant holds, 1 otherwise; one line per finding.

A history file has one JSON object per line, one per attempted request:
    {"op": "ack", "order_id": 12, "enterprise": "9114...", "key": "...",
     "status": 200, "acknowledged_at": "..."}
status is the HTTP status, or null when no reply came (timeout, reset,
server killed). Only "ack" lines are judged. Standard library only.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys


class Report:
    def __init__(self):
        self.failures = []   # (invariant, text)
        self.notes = []
        self.counts = {}

    def fail(self, inv, text):
        self.failures.append((inv, text))

    def note(self, text):
        self.notes.append(text)

    @property
    def ok(self):
        return not self.failures

    def lines(self):
        out = [f"note: {n}" for n in self.notes]
        out += [f"{inv} FAILED: {t}" for inv, t in self.failures]
        out.append("counts: " + ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items())))
        out.append("all invariants hold" if self.ok else f"{len(self.failures)} invariant failure(s)")
        return out

    def __str__(self):
        return "\n".join(self.lines())


def load_history(path):
    """Reads a JSON-lines history; a torn last line (writer killed) is skipped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def _tables(con):
    return {r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type='table'")}


def _columns(con, table):
    return {r[1] for r in con.execute(f"PRAGMA table_info({table})")}


def _limit(rows, n=5):
    rows = list(rows)
    return rows[:n], len(rows)


def inv1_orders_once(con, rep):
    dup, n = _limit(con.execute(
        "SELECT episode_id, enterprise, version, count(*) FROM orders "
        "GROUP BY 1, 2, 3 HAVING count(*) > 1"))
    if n:
        rep.fail("INV1", f"{n} (episode, enterprise, version) with more than one order: {dup}")
    # versions per (episode, enterprise) are 1..n without gaps
    gaps, n = _limit(con.execute(
        "SELECT episode_id, enterprise, count(*), max(version) FROM orders "
        "GROUP BY 1, 2 HAVING count(*) != max(version) OR min(version) != 1"))
    if n:
        rep.fail("INV1", f"{n} enterprises with version gaps: {gaps}")
    cur, n = _limit(con.execute(
        "SELECT episode_id, enterprise, count(*) FROM orders WHERE status IN ('issued','acknowledged') "
        "GROUP BY 1, 2 HAVING count(*) > 1"))
    if n:
        rep.fail("INV1", f"{n} enterprises with more than one current order: {cur}")
    # a decision is all-or-nothing: the orders it made (new and superseding)
    # are the ones it counted
    bad, n = _limit(con.execute(
        "SELECT d.id, d.orders_issued + d.orders_superseded, (SELECT count(*) FROM orders o WHERE o.decision_id = d.id "
        "AND o.reissue_reason IS NULL) AS made FROM decisions d "
        "WHERE made != d.orders_issued + d.orders_superseded"))
    if n:
        rep.fail("INV1", f"{n} decisions whose orders differ from their count (id, counted, made): {bad}")
    # every enterprise on the list has its order in a county-wide open episode
    for ep, drill in con.execute("SELECT id, drill FROM episodes WHERE closed_ms IS NULL").fetchall():
        last = con.execute("SELECT to_level FROM decisions WHERE episode_id = ? ORDER BY id DESC LIMIT 1",
                           (ep,)).fetchone()
        scoped = con.execute(
            "SELECT count(*) FROM decisions d JOIN warnings w ON w.id = d.warning_id "
            "WHERE d.episode_id = ? AND w.towns != ''", (ep,)).fetchone()[0]
        lst = con.execute("SELECT list_id FROM orders WHERE episode_id = ? ORDER BY id DESC LIMIT 1",
                          (ep,)).fetchone()
        if not last or last[0] == "none" or scoped or not lst:
            continue
        missing, n = _limit(con.execute(
            "SELECT DISTINCT uscc FROM list_lines WHERE list_id = ? AND uscc NOT IN "
            "(SELECT enterprise FROM orders WHERE episode_id = ? AND status IN ('issued','acknowledged'))",
            (lst[0], ep)))
        if n:
            rep.fail("INV1", f"episode {ep}: {n} listed enterprises without a current order: {missing}")
    rep.counts["orders"] = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    rep.counts["decisions"] = con.execute("SELECT count(*) FROM decisions").fetchone()[0]


def _acked_orders(con):
    return {r[0]: r for r in con.execute(
        "SELECT id, enterprise, acknowledged_ms, ack_by, ack_channel, status FROM orders "
        "WHERE acknowledged_ms IS NOT NULL")}


def inv2_acks_stored(con, rep, history):
    if history is None:
        return
    acked = _acked_orders(con)
    ok = [h for h in history if h.get("op") == "ack" and h.get("status") and 200 <= h["status"] < 300]
    lost = sorted({h["order_id"] for h in ok if h["order_id"] not in acked})
    if lost:
        rep.fail("INV2", f"{len(lost)} orders answered 2xx but not acknowledged in the database: {lost[:10]}")
    rep.counts["history_2xx_acks"] = len(ok)
    rep.counts["history_requests"] = len(history)


def inv3_one_ack(con, rep, history):
    bad, n = _limit(con.execute(
        "SELECT object, count(*) FROM audit WHERE action IN ('order.ack','order.ack_by_officer') "
        "AND result = 'ok' GROUP BY object HAVING count(*) > 1"))
    if n:
        rep.fail("INV3", f"{n} orders acknowledged more than once: {bad}")
    incons, n = _limit(con.execute(
        "SELECT id, status, acknowledged_ms, ack_by FROM orders WHERE "
        "(status = 'acknowledged' AND (acknowledged_ms IS NULL OR ack_by IS NULL OR ack_channel IS NULL)) "
        "OR (status = 'issued' AND acknowledged_ms IS NOT NULL) "
        "OR ((acknowledged_ms IS NULL) != (ack_by IS NULL))"))
    if n:
        rep.fail("INV3", f"{n} orders whose status and acknowledgement disagree: {incons}")
    if history is None:
        return
    first = {}
    for h in history:
        if h.get("op") != "ack" or not h.get("status") or not 200 <= h["status"] < 300:
            continue
        at = h.get("acknowledged_at")
        if at is None:
            continue
        prev = first.setdefault(h["order_id"], at)
        if prev != at:
            rep.fail("INV3", f"order {h['order_id']} answered with two acknowledgement times {prev} / {at}")
            break


def inv4_audited(con, rep):
    # An order is audited by its own row ("order:<id>"), by the re-issue of
    # the order it replaced, or by the "orders.issue" row of the decision
    # that issued it: one row per decision whose detail names the id range
    # first_id..last_id, the count and a SHA-256 over those orders, which
    # `smogd audit verify` (checked below) recomputes from the orders table.
    covered = ("SELECT 1 FROM audit a WHERE a.action = 'orders.issue' AND a.result = 'ok' "
               "AND a.object = 'decision:' || o.decision_id "
               "AND o.id BETWEEN json_extract(a.detail, '$.first_id') "
               "AND json_extract(a.detail, '$.last_id')")
    missing, n = _limit(con.execute(
        "SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.object = 'order:' || o.id) "
        "AND NOT EXISTS (SELECT 1 FROM orders p JOIN audit a ON a.object = 'order:' || p.id "
        "AND a.action = 'order.reissue' WHERE p.replaced_by = o.id) "
        f"AND NOT EXISTS ({covered})"))
    if n:
        rep.fail("INV4", f"{n} orders without an audit row: {missing}")
    unaud, n = _limit(con.execute(
        "SELECT o.id FROM orders o WHERE o.acknowledged_ms IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM audit a WHERE a.object = 'order:' || o.id AND a.result = 'ok' "
        "AND a.action IN ('order.ack','order.ack_by_officer'))"))
    if n:
        rep.fail("INV4", f"{n} acknowledgements without an audit row: {unaud}")
    rep.counts["audit_rows"] = con.execute("SELECT count(*) FROM audit").fetchone()[0]


def inv5_outbox(con, rep):
    tables = _tables(con)
    # a decision's order notices are written when the dispatcher expands its
    # one notice (0023); until then the view outbox_owed lists them
    owed = ""
    if con.execute("SELECT 1 FROM sqlite_schema WHERE type = 'view' AND name = 'outbox_owed'").fetchone():
        owed = " AND NOT EXISTS (SELECT 1 FROM outbox_owed w WHERE w.order_id = o.id)"
    no_notice, n = _limit(con.execute(
        "SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM outbox x WHERE x.order_id = o.id)"
        + owed))
    if n:
        rep.fail("INV5", f"{n} orders without an outbox notice: {no_notice}")
    # orders' notices have no unique index (0015): each must still be there once,
    # written or owed, after a crash in the middle of an expansion
    twice, n = _limit(con.execute(
        "SELECT event_id FROM (SELECT event_id FROM outbox WHERE kind IN "
        "('order_issued','order_superseded','order_lifted')"
        + (" UNION ALL SELECT event_id FROM outbox_owed" if owed else "")
        + ") GROUP BY event_id HAVING count(*) > 1"))
    if n:
        rep.fail("INV5", f"{n} order notices written more than once: {twice}")
    rep.counts["outbox"] = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
    if "deliveries" not in tables:
        rep.note("INV5: no deliveries table in this database; only 'every order has its outbox "
                 "notice' was checked")
        return
    cols = _columns(con, "deliveries")
    ref = "outbox_id" if "outbox_id" in cols else ("event_id" if "event_id" in cols else None)
    if not ref:
        rep.note(f"INV5: deliveries has no outbox_id/event_id column ({sorted(cols)}); skipped")
        return
    key = "id" if ref == "outbox_id" else "event_id"
    orphans, n = _limit(con.execute(
        f"SELECT d.{ref} FROM deliveries d WHERE NOT EXISTS (SELECT 1 FROM outbox x WHERE x.{key} = d.{ref})"))
    if n:
        rep.fail("INV5", f"{n} deliveries of vanished outbox rows: {orphans}")
    # an outbox row marked done must have the delivery that made it so
    ocols = _columns(con, "outbox")
    state = next((c for c in ("state", "status") if c in ocols), None)
    if state:
        done, n = _limit(con.execute(
            f"SELECT x.id, x.{state} FROM outbox x WHERE x.{state} IN ('delivered','dead','dead_letter','failed') "
            f"AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.{ref} = x.{key})"))
        if n:
            rep.fail("INV5", f"{n} outbox rows finished without any delivery attempt: {done}")
    rep.counts["deliveries"] = con.execute("SELECT count(*) FROM deliveries").fetchone()[0]


def inv6_own_acks(con, rep, history):
    names = {}
    for name, ent in con.execute("SELECT name, enterprise FROM tokens WHERE role = 'enterprise'"):
        if name:
            names.setdefault(name, set()).add(ent)
    for oid, ent, _, by, channel, _ in _acked_orders(con).values():
        if channel == "enterprise" and by != ent and ent not in names.get(by, ()):
            rep.fail("INV6", f"order {oid} of {ent} acknowledged by {by!r}, not one of its tokens")
    wrong, n = _limit(con.execute(
        "SELECT a.object, a.actor, a.role FROM audit a JOIN orders o ON a.object = 'order:' || o.id "
        "WHERE a.action = 'order.ack' AND a.result = 'ok' AND a.role != 'enterprise'"))
    if n:
        rep.fail("INV6", f"{n} enterprise acknowledgements made by another role: {wrong}")
    if history is None:
        return
    owner = dict(con.execute("SELECT id, enterprise FROM orders"))
    for h in history:
        if (h.get("op") == "ack" and h.get("status") and 200 <= h["status"] < 300
                and h.get("enterprise") and owner.get(h["order_id"]) != h["enterprise"]):
            rep.fail("INV6", f"order {h['order_id']} acknowledged 2xx with {h['enterprise']}'s token")
            break


def inv7_integrity(con, rep):
    res = [r[0] for r in con.execute("PRAGMA integrity_check")]
    if res != ["ok"]:
        rep.fail("INV7", f"integrity_check: {res[:5]}")
    fk = con.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        rep.fail("INV7", f"foreign_key_check: {fk[:5]}")


def inv8_in_doubt(con, rep, history, concurrency, crashes):
    if history is None:
        return
    tried = {h["order_id"] for h in history if h.get("op") == "ack"}
    ok = {h["order_id"] for h in history if h.get("op") == "ack" and h.get("status")
          and 200 <= h["status"] < 300}
    acked = set(_acked_orders(con))
    extra = len((acked & tried) - ok)
    rep.counts["acked_without_2xx"] = extra
    # each crash can leave at most one request per client in doubt
    bound = None if concurrency is None else concurrency * max(1, crashes)
    if bound is not None and extra > bound:
        rep.fail("INV8", f"{extra} orders acknowledged in the database without a 2xx reply; "
                         f"client concurrency {concurrency} x {max(1, crashes)} crash(es) allows {bound}")


def check(db, history=None, concurrency=None, smogd=None, crashes=1):
    """Runs every invariant; history is a list of dicts, a path, or None;
    crashes: how many times the server was killed while the history ran."""
    if isinstance(history, str):
        history = load_history(history)
    rep = Report()
    audit = None
    if smogd:
        # any smogd that opens the database first folds the acknowledgements a
        # killed server left in its ack log into their orders (0025): run it
        # before reading the orders
        audit = subprocess.run([smogd, "audit", "verify", "--db", db], capture_output=True,
                               text=True, timeout=120)
    con = sqlite3.connect(db, timeout=30)
    try:
        inv7_integrity(con, rep)
        inv1_orders_once(con, rep)
        inv2_acks_stored(con, rep, history)
        inv3_one_ack(con, rep, history)
        inv4_audited(con, rep)
        inv5_outbox(con, rep)
        inv6_own_acks(con, rep, history)
        inv8_in_doubt(con, rep, history, concurrency, crashes)
        unfolded = con.execute("SELECT count(*) FROM ack_log").fetchone()[0] \
            if con.execute("SELECT 1 FROM sqlite_schema WHERE name = 'ack_log'").fetchone() else 0
        if unfolded:
            rep.fail("INV2", f"{unfolded} acknowledgements left in the ack log, not in their orders "
                             "(read without smogd opening the database first?)")
    finally:
        con.close()
    if audit is not None and audit.returncode != 0:
        rep.fail("INV4", f"smogd audit verify: {audit.stdout.strip()} {audit.stderr.strip()}")
    return rep


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check smogd's reliability invariants INV1-INV8.")
    ap.add_argument("db")
    ap.add_argument("--history", help="client history, JSON lines")
    ap.add_argument("--concurrency", type=int, help="client in-flight requests, for INV8")
    ap.add_argument("--crashes", type=int, default=1,
                    help="server kills during the history (INV8 allows concurrency per crash)")
    ap.add_argument("--smogd", default=os.environ.get("SMOGD"),
                    help="smogd binary for 'audit verify' (default $SMOGD)")
    a = ap.parse_args(argv)
    rep = check(a.db, a.history, a.concurrency, a.smogd, a.crashes)
    print(rep)
    return 0 if rep.ok else 1


if __name__ == "__main__":
    sys.exit(main())
