"""Wall-clock jumps while a deadline is pending (libfaketime): a warning's
onset a few seconds ahead; the server's clock jumps back an hour, then
forward again. The onset must not fire while the server's clock is before
it, and must fire once the clock reaches it (not lost). The scheduler
re-checks the wall clock at least every 30 s (engine/app/schedule.c), so
that bounds the delay after a forward jump."""

import os
import sqlite3
import time

from checker import check
from harness import SMALL_LIST, SMOGD, Workdir, json_warning, main, make_token, now_plus, seed_list
from rel import XServer, tool

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
RECHECK_S = 30


def test_onset_survives_clock_jumps():
    if not os.path.exists(LIBFAKETIME):
        tool("faketime")  # raises when tools are required
        print("SKIP: libfaketime is not installed", flush=True)
        return
    w = Workdir()
    offset = w.file("faketime")
    with open(offset, "w") as f:
        f.write("+0\n")
    env = {"LD_PRELOAD": LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE": offset, "FAKETIME_NO_CACHE": "1",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           # ASan wants to be first in the link order; libfaketime only wraps clock calls
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
    s = XServer(w, env=env)
    try:
        issuer = make_token(s.db, "issuer")
        officer = make_token(s.db, "officer")
        seed_list(s.db)
        s.start()
        lead = 4
        onset_wall = time.time() + lead
        r = s.post("/v1/warnings", token=issuer,
                   body=json_warning("C-1", "orange", onset=now_plus(lead), expires=now_plus(86400)))
        assert r.status == 200 and r.json["reason"] == "scheduled", r
        with open(offset, "w") as f:
            f.write("-1h\n")
        # past the onset in real time, an hour before it on the server's clock
        time.sleep(lead + 3)
        st = s.get("/v1/status", token=officer).json
        assert st["level"] == "none", ("fired early", st)
        with open(offset, "w") as f:
            f.write("+0\n")
        t_jump = time.time()
        while time.time() - t_jump < RECHECK_S + 10:
            st = s.get("/v1/status", token=officer).json
            if st["level"] == "orange":
                break
            time.sleep(0.25)
        delay = time.time() - t_jump
        assert st["level"] == "orange", ("onset lost", st)
        s.stop()
        con = sqlite3.connect(s.db)
        at = con.execute("SELECT at_ms FROM decisions WHERE to_level = 'orange'").fetchall()
        n = con.execute("SELECT count(*) FROM orders WHERE level = 'orange'").fetchone()[0]
        con.close()
        assert len(at) == 1 and at[0][0] >= int(onset_wall * 1000) - 1000, (at, onset_wall)
        assert n == len({r[0] for r in SMALL_LIST}), n
        rep = check(s.db, smogd=SMOGD)
        assert rep.ok, str(rep)
        print(f"clock: onset held while the clock was 1 h back ({lead + 3} s past it in real time); "
              f"fired once, {delay:.1f} s after the forward jump (bound {RECHECK_S} s); {n} orders",
              flush=True)
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_onset_survives_clock_jumps])
