"""Shared pieces of the reliability suite: a server that can run under a
wrapper (strace, faketime) or with resource limits, a generated list of
thousands of enterprises, an acknowledging client that records a history,
and process sampling. Standard library only."""

import csv
import http.client
import json
import os
import random
import re
import socket
import subprocess
import threading
import time
import uuid

from harness import SMOGD, Server, json_warning, make_uscc, run

SOAK = os.environ.get("SMOGD_SOAK", "") not in ("", "0")
SEED = int(os.environ.get("SMOGD_SEED", str(int(time.time()))))
rng = random.Random(SEED)

LIST_HEADER = ("统一社会信用代码,企业名称,乡镇,行业,绩效等级,生产线/工序,二氧化硫,氮氧化物,颗粒物,"
               "挥发性有机物,正常生产负荷,黄色预警措施,橙色预警措施,红色预警措施,备注").split(",")


def scale(fast, soak):
    """The repetition count: small in ctest, larger with SMOGD_SOAK=1."""
    return soak if SOAK else fast


def tool(name):
    """Path of a test tool, or None. With SMOGD_REQUIRE_TOOLS=1 a missing
    tool is an error instead of a skip."""
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    if os.environ.get("SMOGD_REQUIRE_TOOLS") == "1":
        raise AssertionError(f"{name} is required (SMOGD_REQUIRE_TOOLS=1) but missing")
    return None


def write_list_csv(path, n, towns=8):
    """A valid list of n enterprises, one production line each."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LIST_HEADER)
        for i in range(n):
            w.writerow([make_uscc(i + 1), f"绛县测试{i}有限公司", f"1408261{i % towns:02d}", "铁合金",
                        "BCD"[i % 3], "1#炉", "1.5", "2.5", "0.5", "0", "1000",
                        ("限产30%", "停产")[i % 2], "停产", "停产", ""])
    return [make_uscc(i + 1) for i in range(n)]


def import_list(db, n, workdir):
    path = workdir.file(f"list-{n}.csv")
    ents = write_list_csv(path, n)
    run("list", "import", path, "--db", db, "--year", "2025", "--activate")
    return ents


class XServer(Server):
    """Server with an optional command prefix, extra environment and a
    preexec function (resource limits)."""

    def __init__(self, workdir, prefix=(), env=None, preexec=None, **kw):
        super().__init__(workdir, **kw)
        self.prefix = list(prefix)
        self.env = env
        self.preexec = preexec

    def start(self, expect_ok=True, timeout=20):
        cmd = [*self.prefix, SMOGD, "serve", "--db", self.db, "--listen", "127.0.0.1:0", *self.args]
        if self.config:
            cmd += ["--config", self.config]
        self.stderr_file = open(self.stderr_path, "ab")
        env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr_file, text=True,
                                     env=env, preexec_fn=self.preexec)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=timeout)
            if expect_ok:
                raise AssertionError(f"server did not start: {self.stderr()[-2000:]}")
            return self.proc.returncode
        m = re.search(r"listening on (\S+)", line)
        assert m, f"unexpected first line: {line!r}"
        self.addr = m.group(1)
        self.host, port = self.addr.rsplit(":", 1)
        self.port = int(port)
        return 0

    def server_pid(self):
        """The smogd process id (under strace, the traced child)."""
        if not self.prefix:
            return self.proc.pid
        try:
            kids = open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read().split()
            return int(kids[0]) if kids else self.proc.pid
        except OSError:
            return self.proc.pid

    def alive(self):
        try:
            return self.get("/healthz", timeout=10).status == 200
        except OSError:
            return False

    def stop(self, sig=15, timeout=10):
        """Signals smogd itself (a wrapper such as strace would only detach),
        then reaps the wrapper."""
        if self.proc and self.prefix and self.proc.poll() is None:
            pid = self.server_pid()
            if pid != self.proc.pid:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        return super().stop(sig=sig, timeout=timeout)

    def kill9(self):
        """SIGKILL to smogd itself (not only a wrapper), then reap."""
        pid = self.server_pid()
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        return self.stop(sig=9)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(pid, seconds=1.0):
    a = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - a) / seconds


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raw_request(host, port, data, timeout=10):
    """Sends raw bytes; returns the status code of the reply or None."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(data)
        buf = b""
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
        return int(m.group(1)) if m else None
    finally:
        s.close()


class AckClient:
    """Threads acknowledging orders with Idempotency-Keys. Every attempt is
    one history line; a request without a reply is retried later with the
    same key. Thread-safe history file."""

    def __init__(self, history_path, tokens, threads=8, timeout=5):
        self.path = history_path
        self.tokens = tokens          # enterprise -> token
        self.threads = threads
        self.timeout = timeout
        self.lock = threading.Lock()
        self.keys = {}                # order id -> idempotency key
        self.done = set()             # orders with a 2xx
        self.f = open(history_path, "a", encoding="utf-8")

    def record(self, **h):
        with self.lock:
            self.f.write(json.dumps(h) + "\n")
            self.f.flush()

    def ack_one(self, server, oid, ent):
        key = self.keys.setdefault(oid, str(uuid.uuid4()))
        body = json.dumps({"note": f"ack {oid}"}).encode()
        status = None
        at = None
        try:
            c = http.client.HTTPConnection(server.host, server.port, timeout=self.timeout)
            c.request("POST", f"/v1/orders/{oid}/ack", body=body,
                      headers={"Authorization": f"Bearer {self.tokens[ent]}",
                               "Content-Type": "application/json", "Idempotency-Key": key})
            r = c.getresponse()
            raw = r.read()
            status = r.status
            c.close()
            if 200 <= status < 300:
                at = json.loads(raw).get("acknowledged_at")
        except (OSError, http.client.HTTPException, ValueError):
            status = None
        self.record(op="ack", order_id=oid, enterprise=ent, key=key, status=status, acknowledged_at=at,
                    t=time.time())
        if status and 200 <= status < 300:
            with self.lock:
                self.done.add(oid)
        return status

    def run(self, server, work, stop=None):
        """Acks every (order id, enterprise) in work not yet done; returns
        the statuses seen. stop: a threading.Event that ends the run early."""
        queue = [w for w in work if w[0] not in self.done]
        rng.shuffle(queue)
        qlock = threading.Lock()
        statuses = []

        def worker():
            while True:
                with qlock:
                    if not queue or (stop is not None and stop.is_set()):
                        return
                    oid, ent = queue.pop()
                st = self.ack_one(server, oid, ent)
                with qlock:
                    statuses.append(st)
        ts = [threading.Thread(target=worker) for _ in range(self.threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return statuses

    def close(self):
        self.f.close()


def mint_enterprise_tokens(db, enterprises):
    """Enterprise tokens for many firms at once, stored the way `smogd token
    create` stores them (SHA-256 hex of the token text); returns ent -> token."""
    import base64
    import hashlib
    import sqlite3
    out = {}
    con = sqlite3.connect(db)
    with con:
        for e in enterprises:
            tok = "smg_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
            con.execute("INSERT INTO tokens (hash, role, enterprise, name, created_ms) "
                        "VALUES (?, 'enterprise', ?, '', 0)", (hashlib.sha256(tok.encode()).hexdigest(), e))
            out[e] = tok
    con.close()
    return out


def current_orders(db):
    """(order id, enterprise) of every order in force."""
    import sqlite3
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, enterprise FROM orders WHERE status IN ('issued','acknowledged') "
                           "ORDER BY id").fetchall()
    finally:
        con.close()


def db_counts(db, tables=("orders", "warnings", "decisions", "episodes", "lists", "list_lines",
                          "outbox", "floors", "idempotency")):
    import sqlite3
    con = sqlite3.connect(db)
    try:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables if t in have}
    finally:
        con.close()


def owed(db):
    """notices not yet expanded and deliveries not yet made"""
    import sqlite3
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT (SELECT count(*) FROM outbox_owed) + "
                           "(SELECT count(*) FROM deliveries WHERE status = 'pending')").fetchone()[0]
    finally:
        con.close()


def warn_and_settle(server, db, issuer, identifier, level="orange", timeout=60):
    """POSTs a warning that applies, then waits until its notices are delivered
    (so that no dispatch of them runs beside what the test does next)."""
    r = server.post("/v1/warnings", body=json_warning(identifier, level), token=issuer)
    assert r.status == 200 and r.json["applied"], r
    deadline = time.time() + timeout
    while time.time() < deadline and owed(db):
        time.sleep(0.1)
    assert not owed(db), f"the notices of {identifier} were not delivered"
