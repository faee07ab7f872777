"""Drives the real smogd binary and the real server on 127.0.0.1 for
integration tests. Standard library only."""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

SMOGD = os.environ.get("SMOGD", "smogd")
# SMOGD_WRAP runs the server under a tool, e.g. "valgrind --error-exitcode=99 ..."
# (tests/run.sh's valgrind pass); a server that exits 99 had memory errors.
WRAP = os.environ.get("SMOGD_WRAP", "").split()
WRAP_ERROR_EXIT = 99
SOURCE_DIR = os.environ.get("SMOGD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args, check=True, input=None, timeout=120, env=None):
    """Runs `smogd ARGS`; returns CompletedProcess with text output."""
    p = subprocess.run([SMOGD, *args], capture_output=True, text=True, input=input,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"smogd {' '.join(args)} exited {p.returncode}\nstdout:{p.stdout}\nstderr:{p.stderr}")
    return p


class Workdir:
    """A temporary directory removed at exit unless the test failed."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="smogd-test-")

    def file(self, name):
        return os.path.join(self.path, name)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def text(self):
        return self.raw.decode("utf-8", "replace")

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


class Server:
    """`smogd serve` on an ephemeral loopback port with its own database."""

    def __init__(self, workdir, db=None, args=(), config=None):
        self.workdir = workdir
        self.db = db or workdir.file("smogd.db")
        self.args = list(args)
        self.config = config
        self.proc = None
        self.addr = None
        self.stderr_path = workdir.file("serve.stderr")

    def start(self, expect_ok=True, timeout=60 if WRAP else 10):
        cmd = [*WRAP, SMOGD, "serve", "--db", self.db, "--listen", "127.0.0.1:0", *self.args]
        if self.config:
            cmd += ["--config", self.config]
        self.stderr_file = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr_file, text=True)
        deadline = time.time() + timeout
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=max(1, deadline - time.time()))
            if expect_ok:
                raise AssertionError(f"server did not start: {self.stderr()}")
            return self.proc.returncode
        m = re.search(r"listening on (\S+)", line)
        assert m, f"unexpected first line: {line!r}"
        self.addr = m.group(1)
        self.host, self.port = self.addr.rsplit(":", 1)
        self.port = int(self.port)
        return 0

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, body=None, token=None, headers=None, timeout=30):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                h.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = body
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Reply(r.status, dict(r.getheaders()), r.read())
        finally:
            c.close()

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token=token, **kw)

    def post(self, path, body=None, token=None, **kw):
        return self.request("POST", path, body=body, token=token, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=60 if WRAP else 10):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.stderr_file.close()
        self.proc = None
        if WRAP and rc == WRAP_ERROR_EXIT:
            raise AssertionError(f"{WRAP[0]} reported errors in the server:\n{self.stderr()[-4000:]}")
        return rc

    def kill(self):
        return self.stop(sig=signal.SIGKILL)


def make_token(db, role, enterprise=None, name=None):
    args = ["token", "create", "--role", role, "--db", db]
    if enterprise:
        args += ["--enterprise", enterprise]
    if name:
        args += ["--name", name]
    out = run(*args).stdout.strip().splitlines()
    return out[-1]


def source(*parts):
    return os.path.join(SOURCE_DIR, *parts)


def main(tests):
    """Runs each test function; prints the plain closing line."""
    only = os.environ.get("ONLY")
    passed = failed = 0
    for fn in tests:
        if only and only not in fn.__name__:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print(f"ok   {fn.__name__} ({time.time() - t0:.2f}s)", flush=True)
        except Exception:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL {fn.__name__}", flush=True)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


# ---- episode helpers ----------------------------------------------------

import datetime as _dt

CST = _dt.timezone(_dt.timedelta(hours=8))


def rfc3339(dt):
    return dt.astimezone(CST).isoformat(timespec="seconds")


def now_plus(seconds):
    return rfc3339(_dt.datetime.now(CST) + _dt.timedelta(seconds=seconds))


def json_warning(identifier, level, msg_type="alert", references=(), onset=None, expires=None,
                 area=("140826",), status="Actual", sender="yc-aqoffice@yuncheng.gov.cn", **extra):
    w = {"identifier": identifier, "sender": sender, "sent": now_plus(-60), "msg_type": msg_type,
         "status": status, "level": level, "onset": onset or now_plus(-30),
         "expires": expires or now_plus(3 * 86400), "headline": f"{identifier} {level}"}
    if area is not None:
        w["area"] = list(area)
    if references:
        w["references"] = list(references)
    w.update(extra)
    return w


def uscc_check(first17):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights))
    return first17 + alphabet[(31 - total % 31) % 31]


def make_uscc(n, region="140826"):
    return uscc_check(f"91{region}MA0{n:06d}"[:17])


# A small list: (uscc, name, town, grade, line, action per level yellow/orange/red)
SMALL_LIST = [
    (make_uscc(1), "绛县甲铁合金有限公司", "140826100", "C", "1#矿热炉", ("limit:50", "halt", "halt")),
    (make_uscc(1), "绛县甲铁合金有限公司", "140826100", "C", "2#矿热炉", ("halt", "halt", "halt")),
    (make_uscc(2), "绛县乙铸造有限公司", "140826101", "B", "熔炼工序", ("limit:20", "limit:30", "halt")),
    (make_uscc(3), "绛县丙水泥粉磨站", "140826101", "A", "粉磨线", ("voluntary", "voluntary", "voluntary")),
    (make_uscc(4), "绛县丁供热公司", "140826102", "保障类", "1#锅炉", ("voluntary", "limit:10", "limit:20")),
    (make_uscc(5), "绛县戊化工有限公司", "140826200", "D", "合成车间", ("halt", "halt", "halt")),
]


def seed_list(db, rows=SMALL_LIST, year=2025):
    """Inserts and activates a list straight into the database (for tests
    that exercise orders independently of the list importer)."""
    import sqlite3
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE lists SET active = 0")
        ver = con.execute("SELECT coalesce(max(version),0)+1 FROM lists WHERE year=?", (year,)).fetchone()[0]
        cur = con.execute(
            "INSERT INTO lists (year, version, source, sha256, imported_ms, imported_by, active, "
            "activated_ms, line_count, enterprise_count, report) VALUES (?,?,?,?,0,'test',1,0,?,?,'{}')",
            (year, ver, "seed", "0" * 64, len(rows), len({r[0] for r in rows})))
        list_id = cur.lastrowid
        for i, (uscc, name, town, grade, line, acts) in enumerate(rows):
            cols = []
            for a in acts:
                kind, _, pct = a.partition(":")
                text = {"halt": "停产", "limit": f"限产{pct}%", "voluntary": "自主减排"}[kind]
                cols += [kind, float(pct or 0), text]
            con.execute(
                "INSERT INTO list_lines (list_id, uscc, name, town, industry, grade, line, so2, nox, pm, "
                "vocs, power_kw, y_action, y_pct, y_text, o_action, o_pct, o_text, r_action, r_pct, r_text, "
                "source_line) VALUES (?,?,?,?,?,?,?,10,20,5,1,1000,?,?,?,?,?,?,?,?,?,?)",
                (list_id, uscc, name, town, "铁合金", grade, line, *cols, i + 2))
    con.close()
    return list_id
