"""A slow disk (strace holds every fdatasync DELAY seconds): acknowledgements
that arrive while the WAL is being flushed are committed at once, the next
flush covers them, and each is answered only after a flush that started after
its commit. The loop keeps serving meanwhile."""

import re
import threading
import time

from checker import check
from harness import SMOGD, Workdir, main, make_token
from rel import XServer, current_orders, import_list, mint_enterprise_tokens, tool, warn_and_settle

DELAY = 0.4


def metric(server, name):
    r = server.get("/metrics")
    assert r.status == 200, r
    m = re.search(rf"^{name} (\d+)", r.text, re.M)
    assert m, name
    return int(m.group(1))


def ack(server, tokens, oid, ent, out):
    t0 = time.monotonic()
    r = server.post(f"/v1/orders/{oid}/ack", body={"note": "slow disk"}, token=tokens[ent],
                    timeout=30)
    out[oid] = (r.status, t0, time.monotonic())


def test_acks_commit_during_a_flush():
    strace = tool("strace")
    if not strace:
        print("SKIP test_acks_commit_during_a_flush: strace is not installed", flush=True)
        return
    w = Workdir()
    db = w.file("slow.db")
    ents = import_list(db, 6, w)
    issuer = make_token(db, "issuer", name="feed")
    tokens = mint_enterprise_tokens(db, ents)
    s = XServer(w, db=db)
    s.start()
    warn_and_settle(s, db, issuer, "SLOW-1", timeout=30)
    assert s.stop() == 0
    orders = current_orders(db)[:4]

    # every fdatasync now takes DELAY seconds more
    s = XServer(w, db=db, prefix=[strace, "-f", "-o", "/dev/null", "-e", "trace=fdatasync",
                                  "-e", f"inject=fdatasync:delay_exit={int(DELAY * 1e6)}"],
                env={"ASAN_OPTIONS": "detect_leaks=0"})
    s.start(timeout=60)
    try:
        # the first write after start creates the WAL: SQLite syncs its
        # header and the directory on the committing thread, once
        warm = {}
        ack(s, tokens, *orders[0], warm)
        assert warm[orders[0][0]][0] == 200, warm
        orders = orders[1:]
        commits0 = metric(s, "smogd_ack_commits_total")
        flushes0 = metric(s, "smogd_ack_flushes_total")
        got = {}
        first = threading.Thread(target=ack, args=(s, tokens, *orders[0], got))
        first.start()
        # the first ack's flush is in progress when the next two arrive
        time.sleep(DELAY / 4)
        rest = [threading.Thread(target=ack, args=(s, tokens, oid, ent, got))
                for oid, ent in orders[1:]]
        for t in rest:
            t.start()
        time.sleep(DELAY / 4)
        t_healthz = time.monotonic()
        assert s.get("/healthz").status == 200
        healthz_s = time.monotonic() - t_healthz
        commits_during = metric(s, "smogd_ack_commits_total") - commits0
        flushes_during = metric(s, "smogd_ack_flushes_total") - flushes0
        for t in [first] + rest:
            t.join()
        flushes = metric(s, "smogd_ack_flushes_total") - flushes0
        commits = metric(s, "smogd_ack_commits_total") - commits0
    finally:
        s.stop()
    print(f"commits while the first flush ran: {commits_during} (flushes ended: {flushes_during}); "
          f"in all {commits} commits, {flushes} flushes; /healthz {healthz_s * 1000:.0f} ms; "
          + ", ".join(f"order {oid}: {st} after {(t1 - t0):.2f} s" for oid, (st, t0, t1) in got.items()),
          flush=True)
    assert all(st == 200 for st, _, _ in got.values()), got
    assert flushes_during == 0, "the first flush ended before the check: the delay did not hold"
    # both later acks were committed while the first flush was still running
    assert commits_during >= 2, commits_during
    # ...and one flush after it covered them: two flushes in all, not three
    assert flushes == 2, flushes
    a0 = got[orders[0][0]]
    for oid, _ in orders[1:]:
        st, t0, t1 = got[oid]
        # answered after their own flush, which started once the first ended
        assert t1 >= a0[2] - 0.05 and t1 - t0 >= DELAY, (oid, got)
    assert healthz_s < DELAY / 2, healthz_s
    rep = check(db, smogd=SMOGD)
    assert rep.ok, str(rep)
    stored = {oid for oid, _ in current_orders(db)}
    assert {oid for oid, _ in orders} <= stored


if __name__ == "__main__":
    main([test_acks_commit_during_a_flush])
