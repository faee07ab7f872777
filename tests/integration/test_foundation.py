"""Foundation: the real server on loopback — probes, auth, error shape,
limits, corrupted database, SIGTERM, tokens and the audit chain."""

import os
import signal
import sqlite3
import subprocess
import time

from harness import SMOGD, Server, Workdir, main, make_token, run


def started():
    w = Workdir()
    s = Server(w)
    officer = make_token(s.db, "officer", name="duty-1")
    s.start()
    return w, s, officer


def test_health_and_status_shape():
    w, s, officer = started()
    try:
        r = s.get("/healthz")
        assert r.status == 200 and r.json == {"ok": True}, r
        r = s.get("/v1/status", token=officer)
        assert r.status == 200, r
        j = r.json
        assert j["level"] == "none" and j["episode_id"] is None, j
        assert set(j["sources"]) == {"municipal", "local", "manual"}, j
        assert {"active", "acknowledged", "overdue"} <= set(j["orders"]), j
    finally:
        assert s.stop() == 0
        w.cleanup()


def test_auth_401_403_and_error_shape():
    w, s, officer = started()
    try:
        monitor = make_token(s.db, "monitor", name="station-feed")
        for tok in (None, "smg_not-a-real-token", ""):
            r = s.get("/v1/status", token=tok)
            assert r.status == 401, r
            assert set(r.json["error"]) == {"code", "message"}, r.json
            assert r.json["error"]["code"] == "unauthorized"
        r = s.get("/v1/status", token=monitor)
        assert r.status == 403 and r.json["error"]["code"] == "forbidden", r
        r = s.get("/v1/nothing-here", token=officer)
        assert r.status == 404 and r.json["error"]["code"] == "not_found", r
        r = s.post("/healthz", body={})
        assert r.status == 405, r
        # a revoked token stops working at once
        listing = run("token", "list", "--db", s.db).stdout
        monitor_id = [ln.split()[0] for ln in listing.splitlines() if "station-feed" in ln][0]
        run("token", "revoke", monitor_id, "--db", s.db)
        assert s.get("/v1/status", token=monitor).status == 401
        s.stop()
        # every denial was audited
        con = sqlite3.connect(s.db)
        denied = con.execute("SELECT count(*) FROM audit WHERE action='auth.denied'").fetchone()[0]
        con.close()
        assert denied >= 5, denied
    finally:
        s.stop()
        w.cleanup()


def test_malformed_query_and_unknown_filter_refused():
    """A query that cannot be read, or a filter value outside its set, is refused instead of
    answering as if no filter had been asked for."""
    w, s, officer = started()
    try:
        assert s.get("/v1/orders?status=issued", token=officer).status == 200
        r = s.get("/v1/orders?enterprise=X&flag", token=officer)
        assert r.status == 400 and r.json["error"]["code"] == "malformed_query", r
        for q in ("status=acked", "level=purple", "compliance=fine", "overdue=yes"):
            r = s.get("/v1/orders?" + q, token=officer)
            assert r.status == 422 and r.json["error"]["code"] == "bad_filter", (q, r)
            assert q.split("=")[1] in r.json["error"]["message"], r
        assert s.get("/v1/orders?overdue=false&level=red", token=officer).status == 200
    finally:
        s.stop()
        w.cleanup()


def test_metrics_prometheus_text():
    w, s, officer = started()
    try:
        s.get("/healthz")
        s.get("/v1/status")
        r = s.get("/metrics")
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain"), r
        t = r.text
        assert 'smogd_http_requests_total{method="GET",route="/healthz",status="200"} 1' in t, t
        assert 'route="/v1/status",status="401"} 1' in t, t
        assert "smogd_http_request_duration_seconds_count" in t
        assert "smogd_db_errors_total 0" in t
    finally:
        s.stop()
        w.cleanup()


def test_oversize_body_413():
    w, s, officer = started()
    try:
        big = b'{"level":"red","reason":"' + b"x" * (2 * 1024 * 1024) + b'"}'
        r = s.post("/v1/status", body=big, token=officer)
        assert r.status == 413, r
        assert r.json["error"]["code"] == "body_too_large", r
        # the server is still alive and well
        assert s.get("/healthz").status == 200
    finally:
        s.stop()
        w.cleanup()


def test_corrupted_database_refused():
    w = Workdir()
    try:
        db = w.file("bad.db")
        make_token(db, "officer")
        with open(db, "r+b") as f:  # wreck pages past the header
            f.seek(4096)
            f.write(b"\xde\xad\xbe\xef" * 2048)
        s = Server(w, db=db)
        rc = s.start(expect_ok=False)
        assert rc != 0, rc
        err = s.stderr()
        assert "bad.db" in err and ("damaged" in err or "malformed" in err or "corrupt" in err), err
    finally:
        w.cleanup()


def test_sigterm_stops_cleanly():
    w, s, officer = started()
    try:
        assert s.get("/v1/status", token=officer).status == 200
        assert s.stop(signal.SIGTERM) == 0
        s.start()
        assert s.stop(signal.SIGINT) == 0
        assert "stopped" in s.stderr()
    finally:
        w.cleanup()


def test_audit_verify_detects_tamper():
    w, s, officer = started()
    try:
        for _ in range(3):
            s.get("/v1/status")  # denied: audited
    finally:
        s.stop()
    try:
        ok = run("audit", "verify", "--db", s.db)
        assert "intact" in ok.stdout, ok.stdout
        con = sqlite3.connect(s.db)
        try:
            con.execute("UPDATE audit SET result='ok' WHERE seq=2")
            raise AssertionError("the audit table accepted an UPDATE")
        except sqlite3.DatabaseError as e:
            assert "append-only" in str(e)
        try:
            con.execute("DELETE FROM audit WHERE seq=2")
            raise AssertionError("the audit table accepted a DELETE")
        except sqlite3.DatabaseError:
            pass
        # an attacker with file access drops the trigger and edits a row
        con.execute("DROP TRIGGER audit_no_update")
        con.execute("UPDATE audit SET actor='someone-else' WHERE seq=3")
        con.commit()
        con.close()
        bad = run("audit", "verify", "--db", s.db, check=False)
        assert bad.returncode == 1, bad
        assert "row 3" in bad.stdout, bad.stdout
    finally:
        w.cleanup()


def test_cli_flags_and_help():
    p = subprocess.run([SMOGD, "serve", "--nope"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "--nope" in p.stderr, p
    for cmd in (["--help"], ["serve", "--help"], ["token", "--help"], ["audit", "--help"]):
        p = subprocess.run([SMOGD, *cmd], capture_output=True, text=True)
        assert p.returncode == 0 and "usage:" in p.stdout, (cmd, p)
    p = subprocess.run([SMOGD, "frobnicate"], capture_output=True, text=True)
    assert p.returncode == 2
    w = Workdir()
    try:
        p = run("token", "create", "--role", "enterprise", "--db", w.file("x.db"), check=False)
        assert p.returncode == 2 and "--enterprise" in p.stderr, p
        tok = make_token(w.file("x.db"), "enterprise", enterprise="91350100M000100Y43")
        assert tok.startswith("smg_") and len(tok) == 47, tok
        con = sqlite3.connect(w.file("x.db"))
        stored = [r[0] for r in con.execute("SELECT hash FROM tokens")]
        con.close()
        assert tok not in stored and all(len(h) == 64 for h in stored)
        # ids that are not ids are usage errors, not "list 0" or "every episode"
        p = run("list", "show", "abc", "--db", w.file("x.db"), check=False)
        assert p.returncode == 2 and "not a list id" in p.stderr, p
        p = run("orders", "list", "--episode", "abc", "--db", w.file("x.db"), check=False)
        assert p.returncode == 2 and "--episode" in p.stderr, p
    finally:
        w.cleanup()


def test_config_file_errors_name_line():
    w = Workdir()
    try:
        cfg = w.file("smogd.conf")
        with open(cfg, "w") as f:
            f.write("# comment\nlisten 127.0.0.1:0\nlissten 1.2.3.4:5\n")
        p = subprocess.run([SMOGD, "serve", "--config", cfg, "--db", w.file("c.db")],
                           capture_output=True, text=True, timeout=10)
        assert p.returncode == 1, p
        assert f"{cfg}:3:" in p.stderr and "lissten" in p.stderr, p.stderr
    finally:
        w.cleanup()


def test_wal_and_pragmas_on_disk():
    w, s, officer = started()
    s.stop()
    try:
        con = sqlite3.connect(s.db)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] >= 1
        con.close()
    finally:
        w.cleanup()


def test_revoked_token_refused_while_serving():
    """Tokens are cached by the server; a revocation committed by another
    process must still be honoured within 2 s, and only for that token."""
    w, s, officer = started()
    try:
        other = make_token(s.db, "officer", name="duty-2")
        for _ in range(3):  # both are known (and cached) before the revocation
            assert s.get("/v1/status", token=officer).status == 200
            assert s.get("/v1/status", token=other).status == 200
        listing = run("token", "list", "--db", s.db).stdout
        other_id = [ln.split()[0] for ln in listing.splitlines() if "duty-2" in ln][0]
        run("token", "revoke", other_id, "--db", s.db)
        t0 = time.monotonic()
        status = s.get("/v1/status", token=other).status
        while status != 401 and time.monotonic() - t0 < 2.0:
            time.sleep(0.05)
            status = s.get("/v1/status", token=other).status
        assert status == 401, status
        r = s.get("/v1/status", token=other)
        assert r.status == 401 and r.json["error"]["code"] == "unauthorized", r
        assert s.get("/v1/status", token=officer).status == 200
        # a token created meanwhile by another process works at once
        third = make_token(s.db, "officer", name="duty-3")
        assert s.get("/v1/status", token=third).status == 200
    finally:
        assert s.stop() == 0
        w.cleanup()


def test_page_cache_pool_for_a_large_database():
    """A server on a database of 8 MB or more takes its page cache from one
    pool (store_pagepool.c), says so once, and serves from it; a small one
    keeps SQLite's own pages."""
    w, s, officer = started()
    try:
        assert s.get("/v1/status", token=officer).status == 200
        assert s.stop() == 0
        assert "page cache: a pool" not in s.stderr(), s.stderr()
        con = sqlite3.connect(s.db)
        con.execute("CREATE TABLE filler (b BLOB)")
        con.executemany("INSERT INTO filler VALUES (randomblob(1048576))", [()] * 12)
        con.commit()
        con.close()
        s.start()
        assert s.get("/v1/status", token=officer).status == 200
        assert s.get("/v1/orders", token=officer).status == 200
        log = s.stderr()
        assert "page cache: a pool of" in log and "MiB) on" in log, log
    finally:
        assert s.stop() == 0
        w.cleanup()


def test_wal_written_out_and_recovered_after_sigkill():
    """serve writes the WAL out to its working size at start, no larger than
    the database (store_sync.c): a small database's WAL stays small; a
    large one's is written out before the first ack. What the server commits
    into that WAL survives SIGKILL: recovery stops at the zeros past the
    last frame, the file is intact and the audit chain verifies."""
    w, s, officer = started()
    try:
        assert s.get("/v1/status", token=officer).status == 200
        small_db, small_wal = os.path.getsize(s.db), os.path.getsize(s.db + "-wal")
        assert small_wal <= small_db + 64 * 1024, (small_wal, small_db)
        assert s.stop() == 0
        con = sqlite3.connect(s.db)
        con.execute("CREATE TABLE filler (b BLOB)")
        con.executemany("INSERT INTO filler VALUES (randomblob(1048576))", [()] * 12)
        con.commit()
        con.close()
        big_db = os.path.getsize(s.db)
        assert big_db >= 12 << 20 and not os.path.exists(s.db + "-wal")
        s.start()
        assert os.path.getsize(s.db + "-wal") >= big_db
        # the server's own commits land in the written-out WAL
        r = s.request("PUT", "/v1/stations/S1", body={
            "name": "S1 监测站", "kind": "official", "lat": 35.49, "lon": 111.57}, token=officer)
        assert r.status == 200, r
        assert s.kill() == -signal.SIGKILL
        con = sqlite3.connect(s.db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM stations WHERE id = 'S1'").fetchone()[0] == 1
        con.close()
        assert run("audit", "verify", "--db", s.db).returncode == 0
        s.start()
        r = s.get("/v1/stations", token=officer)
        assert r.status == 200 and "S1" in r.text, r
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_health_and_status_shape, test_auth_401_403_and_error_shape,
          test_malformed_query_and_unknown_filter_refused,
          test_metrics_prometheus_text, test_oversize_body_413,
          test_corrupted_database_refused, test_sigterm_stops_cleanly,
          test_audit_verify_detects_tamper, test_cli_flags_and_help,
          test_config_file_errors_name_line, test_wal_and_pragmas_on_disk,
          test_revoked_token_refused_while_serving,
          test_page_cache_pool_for_a_large_database,
          test_wal_written_out_and_recovered_after_sigkill])
