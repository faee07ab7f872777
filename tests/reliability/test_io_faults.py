"""I/O faults under strace: the K-th fdatasync fails with EIO, or the K-th
pwrite64 fails with ENOSPC, for a sweep of K, while orders are acknowledged
and a warning update is issued. A write that was not committed never gets
a 2xx (503 instead), the server does not flood its log, and after a restart
the checker finds every 2xx stored. SMOGD_SOAK=1 sweeps further."""

import os
import shutil

from checker import check
from harness import SMOGD, Workdir, json_warning, main, make_token
from rel import (SEED, AckClient, XServer, current_orders, import_list, mint_enterprise_tokens, scale,
                 tool, warn_and_settle)

FIRMS = 40
ACKS_PER_RUN = 8
SWEEP = scale(10, 40)
LOG_LIMIT = 64 * 1024


class Base:
    """A database with a list, tokens and an orange episode, stopped cleanly."""

    def __init__(self):
        self.w = Workdir()
        self.db = self.w.file("base.db")
        ents = import_list(self.db, FIRMS, self.w)
        self.issuer = make_token(self.db, "issuer", name="feed")
        self.tokens = mint_enterprise_tokens(self.db, ents)
        s = XServer(self.w, db=self.db)
        s.start()
        # the notices delivered before the copies are taken: a server started on a copy
        # then has no dispatch of its own racing the first acknowledgement for the fault
        warn_and_settle(s, self.db, self.issuer, "IO-1", timeout=30)
        assert s.stop() == 0
        self.orders = current_orders(self.db)

    def copy(self, name):
        d = self.w.file(name)
        os.makedirs(d)
        db = os.path.join(d, "smogd.db")
        shutil.copy(self.db, db)
        return d, db


def startup_calls(base, strace, call):
    """How many times smogd makes the call before it serves (dry run)."""
    d, db = base.copy(f"dry-{call}")
    wd = Workdir()
    wd.path = d
    out = os.path.join(d, "strace.out")
    s = XServer(wd, db=db, prefix=[strace, "-f", "-o", out, "-e", f"trace={call}"],
                env={"ASAN_OPTIONS": "detect_leaks=0"})
    s.start()
    n = sum(1 for line in open(out) if f"{call}(" in line)
    s.stop()
    return n


def sweep(base, inject, label):
    strace = tool("strace")
    if not strace:
        print(f"SKIP {label}: strace is not installed", flush=True)
        return None
    call = inject.split(":")[0]
    startup = startup_calls(base, strace, call)
    # K=1 hits start-up; the rest of the sweep hits requests
    ks = sorted({1} | {startup + k for k in range(1, SWEEP)})
    tally = {"runs": 0, "2xx": 0, "503": 0, "no_reply": 0, "other": 0, "server_exited": 0,
             "refused_start": 0}
    for k in ks:
        d, db = base.copy(f"{label}-{k}")
        wd = Workdir()
        wd.path = d
        # LeakSanitizer cannot run under ptrace; ASan itself still does
        s = XServer(wd, db=db, prefix=[strace, "-f", "-o", "/dev/null", "-e", f"trace={call}",
                                        "-e", f"inject={inject}:when={k}"],
                    env={"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1"})
        hist = os.path.join(d, "history.jsonl")
        client = AckClient(hist, base.tokens, threads=1)
        tally["runs"] += 1
        statuses = []
        work = base.orders[:ACKS_PER_RUN]
        if s.start(expect_ok=False) != 0:
            # the fault hit start-up: refusing to start, with a reason, is right
            assert "cannot" in s.stderr(), s.stderr()[-2000:]
            tally["refused_start"] += 1
            work = []
        for oid, ent in work:
            statuses.append(client.ack_one(s, oid, ent))
        # then a decision that supersedes every order in one transaction
        try:
            if work:
                r = s.post("/v1/warnings", token=base.issuer, timeout=20,
                           body=json_warning("IO-2", "red", msg_type="update", references=["IO-1"]))
                statuses.append(r.status)
                client.record(op="warning", status=r.status)
        except OSError:
            statuses.append(None)
        for st in statuses:
            if st is None:
                tally["no_reply"] += 1
            elif 200 <= st < 300:
                tally["2xx"] += 1
            elif st == 503:
                tally["503"] += 1
            else:
                tally["other"] += 1
        assert all(st in (200, 503, None) for st in statuses), (k, statuses, s.stderr()[-2000:])
        if s.proc and s.proc.poll() is not None:
            tally["server_exited"] += 1
        s.stop()
        client.close()
        size = os.path.getsize(s.stderr_path)
        assert size < LOG_LIMIT, (k, size)
        # restart without faults: every 2xx is there, the database is sound
        s2 = XServer(wd, db=db)
        s2.start()
        assert s2.alive()
        s2.stop()
        rep = check(db, history=hist, concurrency=1, smogd=SMOGD)
        assert rep.ok, (k, str(rep))
    print(f"{label}: K=1 and {startup + 1}..{startup + SWEEP - 1} ({startup} calls at start-up): {tally['runs']} runs, {tally['2xx']} 2xx, {tally['503']} 503, "
          f"{tally['no_reply']} without reply, {tally['server_exited']} server exits, "
          f"{tally['refused_start']} refused to start, "
          f"{tally['other']} other; checker passed after every restart (seed {SEED})", flush=True)
    assert tally["503"] > 0, f"{label}: no request ever saw the injected fault: {tally}"
    assert tally["other"] == 0, tally
    return tally


def test_fdatasync_eio():
    base = Base()
    try:
        sweep(base, "fdatasync:error=EIO", "fdatasync EIO")
    finally:
        base.w.cleanup()


def test_pwrite_enospc():
    base = Base()
    try:
        sweep(base, "pwrite64:error=ENOSPC", "pwrite64 ENOSPC")
    finally:
        base.w.cleanup()


if __name__ == "__main__":
    main([test_fdatasync_eio, test_pwrite_enospc])
