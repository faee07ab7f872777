"""kill -9 at random moments during a large issuance and during an ack
flood; restart; re-send; the checker judges the database against the
client's history. SMOGD_SOAK=1 repeats many more times."""

import sqlite3
import threading
import time

from checker import check
from harness import SMOGD, Workdir, json_warning, main, make_token
from rel import (SEED, AckClient, XServer, current_orders, import_list, mint_enterprise_tokens, rng,
                 scale)

ISSUE_FIRMS = scale(2000, 5000)
ISSUE_ROUNDS = scale(4, 40)
ACK_FIRMS = scale(3000, 10000)
ACK_KILLS = scale(4, 30)
LEVELS = ("yellow", "orange", "red")


def versions_by_enterprise(db):
    con = sqlite3.connect(db)
    try:
        out = {}
        for ent, v in con.execute("SELECT enterprise, version FROM orders ORDER BY enterprise, version"):
            out.setdefault(ent, []).append(v)
        return out
    finally:
        con.close()


def test_kill_during_issuance():
    w = Workdir()
    s = XServer(w)
    try:
        ents = import_list(s.db, ISSUE_FIRMS, w)
        issuer = make_token(s.db, "issuer", name="feed")
        s.start()
        committed = lost = 0
        prev = None
        applied = 0
        for k in range(ISSUE_ROUNDS):
            ident = f"K-{k}"
            level = LEVELS[k % 3]
            body = json_warning(ident, level, msg_type="update" if prev else "alert",
                                references=[prev] if prev else ())
            reply = {}

            def send(b=body, out=reply):
                try:
                    out["r"] = s.post("/v1/warnings", body=b, token=issuer, timeout=30)
                except OSError as e:
                    out["e"] = e
            t = threading.Thread(target=send)
            t.start()
            time.sleep(rng.uniform(0.0, 0.8))
            s.kill9()
            t.join()
            s.start()
            # the same warning again: either it was committed whole (duplicate)
            # or not at all (applied now), never half
            r = s.post("/v1/warnings", body=body, token=issuer, timeout=60)
            assert r.status == 200, r
            if r.json["duplicate"]:
                committed += 1
                assert "r" not in reply or reply["r"].status == 200, reply
            else:
                lost += 1
                assert "r" not in reply, ("a 2xx warning was lost", reply)
            applied += 1
            prev = ident
            vs = versions_by_enterprise(s.db)
            assert set(vs) == set(ents), (len(vs), len(ents))
            bad = {e: v for e, v in vs.items() if v != list(range(1, applied + 1))}
            assert not bad, (applied, list(bad.items())[:3])
        # the kills also fell in the dispatcher's expansion of the decisions'
        # notices (0023): the restarted server finishes it, one notice per order
        deadline = time.monotonic() + 120
        while True:
            con = sqlite3.connect(s.db, timeout=10)
            owed, notices, orders, dup = con.execute(
                "SELECT (SELECT count(*) FROM outbox_owed), "
                "(SELECT count(*) FROM outbox WHERE kind IN ('order_issued','order_superseded')), "
                "(SELECT count(*) FROM orders), "
                "(SELECT count(*) - count(DISTINCT event_id) FROM outbox)").fetchone()
            con.close()
            assert dup == 0, dup
            if owed == 0:
                break
            assert time.monotonic() < deadline, (owed, notices, orders)
            time.sleep(0.2)
        assert notices == orders, (notices, orders)
        s.stop()
        rep = check(s.db, smogd=SMOGD)
        assert rep.ok, str(rep)
        print(f"issuance: {ISSUE_ROUNDS} kills during issuance to {ISSUE_FIRMS} firms (seed {SEED}); "
              f"{committed} had committed, {lost} had not; all re-sends consistent; "
              f"{rep.counts['orders']} orders, invariants hold", flush=True)
    finally:
        s.stop()
        w.cleanup()


def test_kill_during_ack_flood():
    w = Workdir()
    s = XServer(w)
    try:
        ents = import_list(s.db, ACK_FIRMS, w)
        issuer = make_token(s.db, "issuer", name="feed")
        tokens = mint_enterprise_tokens(s.db, ents)
        s.start()
        r = s.post("/v1/warnings", body=json_warning("F-1", "orange"), token=issuer, timeout=60)
        assert r.status == 200 and r.json["applied"], r
        work = current_orders(s.db)
        assert len(work) == ACK_FIRMS, len(work)
        hist = w.file("history.jsonl")
        client = AckClient(hist, tokens, threads=16)
        kills = in_doubt = in_doubt_before = logged_at_kill = 0
        for _ in range(ACK_KILLS):
            stop = threading.Event()
            t = threading.Thread(target=client.run, args=(s, work, stop))
            t.start()
            time.sleep(rng.uniform(0.05, 0.4))
            s.kill9()
            kills += 1
            stop.set()
            t.join()
            # acknowledgements the killed server had not folded yet (0025):
            # the restart folds them before it serves
            con = sqlite3.connect(s.db)
            logged_at_kill += con.execute("SELECT count(*) FROM ack_log").fetchone()[0]
            con.close()
            s.start()
            # right after the crash: every 2xx is stored, the in-doubt window is bounded
            client.f.flush()
            rep = check(s.db, history=hist, concurrency=client.threads, crashes=kills)
            assert rep.ok, str(rep)
            in_doubt = max(in_doubt, rep.counts["acked_without_2xx"] - in_doubt_before)
            in_doubt_before = rep.counts["acked_without_2xx"]
            if len(client.done) == len(work):
                break
        # the clients retry everything that got no 2xx, with the same keys
        for _ in range(5):
            client.run(s, work)
            if len(client.done) == len(work):
                break
        client.close()
        assert len(client.done) == len(work), (len(client.done), len(work))
        s.stop()
        rep = check(s.db, history=hist, concurrency=client.threads, smogd=SMOGD, crashes=kills)
        assert rep.ok, str(rep)
        con = sqlite3.connect(s.db)
        acked = con.execute("SELECT count(*) FROM orders WHERE acknowledged_ms IS NOT NULL").fetchone()[0]
        con.close()
        assert acked == len(work), acked
        # the kills found acknowledgements in the log, and none was lost
        assert logged_at_kill > 0, logged_at_kill
        c = rep.counts
        print(f"ack flood: {kills} kills, {c['history_requests']} requests, {c['history_2xx_acks']} 2xx, "
              f"{acked} orders acknowledged once each ({logged_at_kill} of them still in the ack log "
              f"at a kill), {in_doubt} at most newly in doubt at one kill "
              f"(bound {client.threads}); 0 lost (seed {SEED})", flush=True)
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_kill_during_issuance, test_kill_during_ack_flood])
