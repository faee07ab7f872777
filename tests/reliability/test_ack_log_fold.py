"""The ack log's fold policy, end to end: acknowledgements trickling in
without a pause are folded into their orders once the oldest has waited
FOLD_MAX_AGE (10 s), not only when they pause; what reads the orders
meanwhile (one order, the order lists and their totals, the status
counts) shows them acknowledged without folding them, and so do the reads
of nothing they change (warnings, lists, readings, proposals, the
console); and when the server stops the log is empty."""

import re
import sqlite3
import threading
import time

from harness import Workdir, main, make_token
from rel import XServer, current_orders, import_list, mint_enterprise_tokens, warn_and_settle

FIRMS = 1000
TRICKLE_S = 14.0
GAP_S = 0.02
MAX_AGE_S = 10.0


def pending(s):
    r = s.get("/metrics")
    assert r.status == 200, r
    m = re.search(r"^smogd_ack_log_pending (\d+)", r.text, re.M)
    assert m, r.text[-500:]
    return int(m.group(1))


def test_trickle_is_folded_within_the_age_bound():
    w = Workdir()
    db = w.file("fold.db")
    ents = import_list(db, FIRMS, w)
    issuer = make_token(db, "issuer", name="feed")
    officer = make_token(db, "officer", name="duty")
    tokens = mint_enterprise_tokens(db, ents)
    s = XServer(w, db=db)
    s.start()
    try:
        warn_and_settle(s, db, issuer, "FOLD-1")
        orders = current_orders(db)
        assert len(orders) >= TRICKLE_S / GAP_S, len(orders)

        acked = []
        stop = threading.Event()

        def trickle():
            for oid, ent in orders:
                if stop.is_set():
                    return
                r = s.post(f"/v1/orders/{oid}/ack", body={"note": "trickle"}, token=tokens[ent])
                assert r.status == 200, r
                acked.append(oid)
                time.sleep(GAP_S)

        t = threading.Thread(target=trickle)
        t0 = time.monotonic()
        t.start()
        samples = []
        checked_reads = False
        while time.monotonic() - t0 < TRICKLE_S:
            samples.append((time.monotonic() - t0, pending(s)))
            if not checked_reads and samples[-1][1] >= 20:
                # reads while acks wait in the log: they show them acknowledged
                oid = acked[-1]
                one = s.get(f"/v1/orders/{oid}", token=officer)
                assert one.status == 200 and one.json["status"] == "acknowledged", one
                st = s.get("/v1/status", token=officer)
                assert st.status == 200 and st.json["orders"]["acknowledged"] >= len(acked) - 5, st
                # reads of nothing an ack changes leave the log as it is
                waiting = pending(s)
                for path in ("/v1/proposals", "/v1/warnings", "/v1/aqi", "/v1/stations", "/v1/lists", "/"):
                    assert s.get(path, token=officer).status == 200, path
                assert pending(s) >= waiting, (pending(s), waiting)
                # the order lists read the log beside the orders too: logged
                # acks listed and counted as acknowledged, not as issued
                before = len(acked)
                lst = s.get("/v1/orders?status=acknowledged&limit=1000", token=officer)
                issued = s.get("/v1/orders?status=issued&limit=1", token=officer)
                after = len(acked)
                assert lst.status == 200 and issued.status == 200, (lst, issued)
                listed = {o["id"] for o in lst.json["orders"]}
                assert acked[0] in listed and oid in listed, (acked[0], oid)
                assert all(o["status"] == "acknowledged" for o in lst.json["orders"]), lst.json
                assert before <= lst.json["total"] <= after + 1, (before, lst.json["total"], after)
                assert len(orders) - after - 1 <= issued.json["total"] <= len(orders) - before, \
                    (len(orders), before, issued.json["total"], after)
                assert pending(s) >= waiting, (pending(s), waiting)
                checked_reads = True
            time.sleep(0.2)
        stop.set()
        t.join()
    finally:
        assert s.stop() == 0
    # the longest stretch between folds (a sample below the one before)
    # while acks waited in the log
    longest, since, prev = 0.0, None, 0
    for at, n in samples:
        if since is not None and n < prev:
            longest = max(longest, at - since)
            since = None
        if n > 0 and since is None:
            since = at
        prev = n
    if since is not None:
        longest = max(longest, samples[-1][0] - since)
    print(f"{len(acked)} acks over {TRICKLE_S:.0f} s, one every {GAP_S * 1000:.0f} ms; largest log "
          f"{max(n for _, n in samples)}; longest wait in the log {longest:.1f} s; reads checked "
          f"{checked_reads}", flush=True)
    assert checked_reads, samples[:20]
    assert max(n for _, n in samples) >= 20, samples
    # folded once the oldest waited 10 s (plus a look every 100 ms and the
    # sampling's 0.2 s), not held for the whole trickle
    assert longest < MAX_AGE_S + 1.5, (longest, samples)
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM ack_log").fetchone()[0] == 0
        n = con.execute("SELECT count(*) FROM orders WHERE status = 'acknowledged'").fetchone()[0]
    finally:
        con.close()
    assert n == len(acked), (n, len(acked))


if __name__ == "__main__":
    main([test_trickle_is_folded_within_the_age_bound])
