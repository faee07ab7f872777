"""Deployment and operations: systemd units, the nginx site (nginx -t and a live
proxy with TLS on loopback), install and .deb contents, online backup under load
and restore, `smogd check`, SIGHUP reload and the database lock.

Tools that may be missing on a developer machine (systemd-analyze, nginx,
openssl, cpack, dpkg-deb) make their test print "skipped"; tests/run.sh sets
SMOGD_REQUIRE_TOOLS=1 (and installs them), which turns a missing tool into a
failure."""

import configparser
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import threading
import time

from harness import SMOGD, Server, Workdir, main, make_token, run, source

REQUIRE_TOOLS = os.environ.get("SMOGD_REQUIRE_TOOLS") == "1"


class Skip(Exception):
    pass


def need(tool):
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if os.access(f"/usr/sbin/{tool}", os.X_OK) else None)
    if path:
        return path
    if REQUIRE_TOOLS:
        raise AssertionError(f"{tool} is not installed (SMOGD_REQUIRE_TOOLS=1)")
    raise Skip(f"{tool} not installed")


def skippable(fn):
    def wrapper():
        try:
            fn()
        except Skip as e:
            print(f"skipped {fn.__name__}: {e}", flush=True)
    wrapper.__name__ = fn.__name__
    return wrapper


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=5.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def build_dir():
    """The build tree the tested binary came from (it holds CPackConfig.cmake)."""
    d = os.path.dirname(os.path.abspath(SMOGD))
    while d != "/":
        if os.path.exists(os.path.join(d, "CMakeCache.txt")):
            return d
        d = os.path.dirname(d)
    raise AssertionError(f"no CMakeCache.txt above {SMOGD}")


# ---------------------------------------------------------------- systemd units

UNITS = ("smogd.service", "smogd-backup.service", "smogd-backup.timer")


def read_unit(name):
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    # repeated keys (ExecReload=, SystemCallFilter=) are legal in units
    with open(source("deploy", name), encoding="utf-8") as f:
        text = f.read()
    seen = {}
    lines = []
    for ln in text.splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", ln)
        if m:
            k = m.group(1)
            seen[k] = seen.get(k, 0) + 1
            if seen[k] > 1:
                ln = f"{k}__{seen[k]}={m.group(2)}"
        lines.append(ln)
    cp.read_string("\n".join(lines))
    return cp


def test_service_unit_hardening():
    svc = read_unit("smogd.service")["Service"]
    want = {
        "User": "smogd", "StateDirectory": "smogd", "NoNewPrivileges": "yes",
        "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
        "PrivateDevices": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter": "@system-service", "MemoryDenyWriteExecute": "yes",
        "Restart": "on-failure", "LimitNOFILE": "65536",
        "ExecStart": "/usr/bin/smogd serve --config /etc/smogd/smogd.conf",
    }
    for k, v in want.items():
        assert svc.get(k) == v, (k, svc.get(k))
    reloads = [svc[k] for k in svc if k.startswith("ExecReload")]
    assert reloads == ["/usr/bin/smogd check --config /etc/smogd/smogd.conf",
                       "/bin/kill -HUP $MAINPID"], reloads
    # the database path in the shipped config lies inside StateDirectory
    conf = open(source("deploy", "smogd.conf"), encoding="utf-8").read()
    assert re.search(r"^db /var/lib/smogd/smogd\.db$", conf, re.M), conf


@skippable
def test_systemd_analyze_verify():
    tool = need("systemd-analyze")
    w = Workdir()
    try:
        # verify wants the ExecStart binary to exist: point it at the tested one
        for u in UNITS:
            text = open(source("deploy", u), encoding="utf-8").read()
            with open(w.file(u), "w", encoding="utf-8") as f:
                f.write(text.replace("/usr/bin/smogd", os.path.abspath(SMOGD)))
        p = subprocess.run([tool, "verify", *[w.file(u) for u in UNITS]],
                           capture_output=True, text=True, timeout=30)
        # it exits 0 even for unknown keys, so any diagnostic counts as a failure
        noise = [ln for ln in p.stderr.splitlines() if ln.strip()]
        assert p.returncode == 0 and not noise, (p.returncode, p.stderr)
        # and it does catch mistakes: a misspelt key is reported
        with open(w.file("smogd.service"), "a", encoding="utf-8") as f:
            f.write("ProtectSystm=strict\n")
        p = subprocess.run([tool, "verify", w.file("smogd.service")],
                           capture_output=True, text=True, timeout=30)
        assert "ProtectSystm" in p.stderr, p.stderr
    finally:
        w.cleanup()


# ---------------------------------------------------------------- nginx

def make_cert(dirpath):
    tool = need("openssl")
    os.makedirs(dirpath, exist_ok=True)
    cert, key = os.path.join(dirpath, "fullchain.pem"), os.path.join(dirpath, "privkey.pem")
    subprocess.run([tool, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=30)
    # the same self-signed certificate stands in for the enterprise CA
    shutil.copy(cert, os.path.join(dirpath, "enterprise-ca.pem"))
    return cert


class Nginx:
    """deploy/nginx-smogd.conf rewritten onto loopback ports and a temp prefix."""

    def __init__(self, w, upstream_port, mtls=False):
        self.binary = need("nginx")
        self.prefix = w.file("nginx")
        os.makedirs(self.prefix, exist_ok=True)
        self.cert = make_cert(os.path.join(self.prefix, "ssl"))
        self.https_port, self.http_port = free_port(), free_port()
        site = open(source("deploy", "nginx-smogd.conf"), encoding="utf-8").read()
        subs = [
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", ""),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("/etc/ssl/smogd/", os.path.join(self.prefix, "ssl") + "/"),
            ("/var/log/nginx/", self.prefix + "/"),
            ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};"),
        ]
        if mtls:
            subs.append(("#mtls ", ""))
        for old, new in subs:
            assert old in site, f"nginx-smogd.conf no longer contains {old!r}"
            site = site.replace(old, new)
        with open(os.path.join(self.prefix, "site.conf"), "w", encoding="utf-8") as f:
            f.write(site)
        p = self.prefix
        user = "user root;\n" if os.geteuid() == 0 else ""
        with open(os.path.join(p, "nginx.conf"), "w", encoding="utf-8") as f:
            f.write(f"""{user}worker_processes 1;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {p}/body; proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi; uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;
    include {p}/site.conf;
}}
""")
        self.proc = None

    def cmd(self, *extra):
        return [self.binary, "-p", self.prefix + "/", "-c", os.path.join(self.prefix, "nginx.conf"),
                "-e", os.path.join(self.prefix, "error.log"), *extra]

    def test_config(self):
        return subprocess.run(self.cmd("-t"), capture_output=True, text=True, timeout=30)

    def start(self):
        self.proc = subprocess.Popen(self.cmd("-g", "daemon off;"), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)

        def up():
            assert self.proc.poll() is None, self.proc.stderr.read()
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.2).close()
                return True
            except OSError:
                return False
        wait_for(up, 10, "nginx to listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stderr.close()
        self.proc = None

    def https(self, method, path, token=None):
        ctx = ssl.create_default_context(cafile=self.cert)
        c = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=ctx, timeout=10)
        try:
            h = {"Authorization": f"Bearer {token}"} if token else {}
            c.request(method, path, headers=h)
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()


@skippable
def test_nginx_site_config_valid():
    w = Workdir()
    try:
        for mtls in (False, True):
            n = Nginx(w, 8080, mtls=mtls)
            p = n.test_config()
            assert p.returncode == 0, (mtls, p.stderr)
            assert "syntax is ok" in p.stderr and "test is successful" in p.stderr, p.stderr
        # and nginx -t does reject a broken site
        with open(os.path.join(n.prefix, "site.conf"), "a", encoding="utf-8") as f:
            f.write("server { listen 127.0.0.1:1 ssl; client_header_timeout; }\n")
        p = n.test_config()
        assert p.returncode != 0 and "client_header_timeout" in p.stderr, p.stderr
    finally:
        w.cleanup()


@skippable
def test_smogd_behind_nginx_tls():
    w = Workdir()
    s = Server(w)
    n = None
    try:
        officer = make_token(s.db, "officer", name="duty-1")
        s.start()
        n = Nginx(w, s.port, mtls=True)  # optional client certificates: none is fine
        n.start()
        st, h, body = n.https("GET", "/healthz")
        assert st == 200 and json.loads(body) == {"ok": True}, (st, body)
        assert h.get("Strict-Transport-Security") == "max-age=31536000", h
        st, _, body = n.https("GET", "/v1/status", token=officer)
        assert st == 200 and b'"level"' in body, (st, body)
        st, _, body = n.https("GET", "/v1/status")
        assert st == 401 and b'"unauthorized"' in body, (st, body)
        # smogd would serve /metrics to nginx (a loopback peer); nginx refuses it
        st, _, body = n.https("GET", "/metrics")
        assert st == 403 and b"smogd_" not in body, (st, body)
        assert s.get("/metrics").status == 200  # while loopback scraping still works
        # plain HTTP only redirects to TLS
        c = http.client.HTTPConnection("127.0.0.1", n.http_port, timeout=10)
        c.request("GET", "/v1/status")
        r = c.getresponse()
        r.read()
        c.close()
        assert r.status == 301 and r.getheader("Location", "").startswith("https://"), r.status
        # the proxied requests reached smogd; the denied /metrics did not
        t = s.get("/metrics").text
        assert 'route="/healthz",status="200"} 1' in t, t
        assert 'route="/metrics",status="200"} 1' in t, t  # only the direct scrape above
    finally:
        if n:
            n.stop()
        assert s.stop() == 0
        w.cleanup()


def test_alert_rules_name_real_metrics():
    text = open(source("deploy", "prometheus-alerts.yml"), encoding="utf-8").read()
    try:
        import yaml  # python3-yaml, when present
        rules = [r for g in yaml.safe_load(text)["groups"] for r in g["rules"]]
        assert all(r["alert"] and r["expr"] and r["labels"]["severity"] in ("warning", "critical")
                   for r in rules), rules
        assert len(rules) == text.count("- alert:")
    except ImportError:
        assert text.count("- alert:") == text.count("expr:") >= 10
    for name in ("smogd_orders_overdue", "smogd_deliveries_dead", "smogd_station_stale",
                 "smogd_outbox_oldest_undelivered_seconds", "smogd_http_requests_total",
                 "smogd_db_errors_total"):
        assert name in text, name
    # every metric the file says exists today is served by /metrics
    existing = re.findall(r"# exists: (smogd_[a-z_]+)", text)
    assert len(existing) >= 4, existing
    w = Workdir()
    s = Server(w)
    try:
        s.start()
        s.get("/healthz")
        served = s.get("/metrics").text
        for name in existing:
            assert re.search(rf"^# TYPE {name} ", served, re.M), name
    finally:
        assert s.stop() == 0
        w.cleanup()


# ---------------------------------------------------------------- install and package

@skippable
def test_install_tree_and_deb_package():
    cpack = need("cpack")
    dpkg_deb = need("dpkg-deb")
    b = build_dir()
    w = Workdir()
    try:
        root = w.file("root")
        subprocess.run(["cmake", "--install", b, "--prefix", root], check=True,
                       capture_output=True, timeout=60)
        for rel in ("bin/smogd", "share/doc/smogd/smogd.conf", "share/doc/smogd/operations.md",
                    "share/doc/smogd/commands.txt", "share/doc/smogd/nginx-smogd.conf",
                    "share/doc/smogd/prometheus-alerts.yml", "share/smogd/smogd.conf.example",
                    "lib/systemd/system/smogd.service", "lib/systemd/system/smogd-backup.timer"):
            assert os.path.isfile(os.path.join(root, rel)), rel
        assert os.access(os.path.join(root, "bin/smogd"), os.X_OK)
        cmds = open(os.path.join(root, "share/doc/smogd/commands.txt"), encoding="utf-8").read()
        for c in ("serve", "token", "audit", "backup", "restore", "check"):
            assert f"$ smogd {c} --help\nusage: smogd {c}" in cmds, c
        out = w.file("deb")
        p = subprocess.run([cpack, "-G", "DEB", "--config", os.path.join(b, "CPackConfig.cmake"),
                            "-B", out], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        debs = [f for f in os.listdir(out) if f.endswith(".deb")]
        assert len(debs) == 1, debs
        deb = os.path.join(out, debs[0])
        listing = subprocess.run([dpkg_deb, "-c", deb], capture_output=True, text=True,
                                 check=True).stdout
        for rel in ("bin/smogd", "lib/systemd/system/smogd.service", "share/doc/smogd/commands.txt",
                    "share/smogd/smogd.conf.example", "share/doc/smogd/operations.md"):
            assert re.search(r"\./usr/(local/)?" + re.escape(rel) + r"$", listing, re.M), (rel, listing)
        depends = subprocess.run([dpkg_deb, "-f", deb, "Depends"], capture_output=True, text=True,
                                 check=True).stdout.strip()
        assert [d.strip() for d in depends.split(",")] == [
            "libevent-2.1-7", "libevent-extra-2.1-7", "libevent-pthreads-2.1-7", "libsqlite3-0",
            "libxml2", "libjansson4", "libssl3", "libcurl4", "libzip4", "passwd"], depends
        ctrl = w.file("ctrl")
        subprocess.run([dpkg_deb, "-e", deb, ctrl], check=True, timeout=30)
        postinst = open(os.path.join(ctrl, "postinst"), encoding="utf-8").read()
        assert "useradd --system" in postinst and "/var/lib/smogd" in postinst, postinst
        assert "@" not in postinst, "unsubstituted variable in postinst"
        assert os.stat(os.path.join(ctrl, "postinst")).st_mode & 0o111
        sh = subprocess.run(["sh", "-n", os.path.join(ctrl, "postinst")], capture_output=True)
        assert sh.returncode == 0, sh.stderr
    finally:
        w.cleanup()


# ---------------------------------------------------------------- backup and restore

def audit_rows(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        con.close()


def test_backup_under_load_then_restore():
    w = Workdir()
    s = Server(w)
    stop = threading.Event()
    done = {"n": 0, "errors": []}

    def load():
        # every denied request commits an audit row: a steady stream of writes
        while not stop.is_set():
            try:
                r = s.get("/v1/status", token="smg_wrong-token")
                if r.status != 401:
                    done["errors"].append(r.status)
                done["n"] += 1
            except OSError as e:  # noqa: PERF203
                done["errors"].append(repr(e))
    try:
        officer = make_token(s.db, "officer", name="duty-1")
        s.start()
        t = threading.Thread(target=load)
        t.start()
        wait_for(lambda: done["n"] >= 20, 10, "load to start")
        before = done["n"]
        backups = [w.file(f"b{i}.db") for i in range(3)]
        for b in backups:
            p = run("backup", b, "--db", s.db)
            assert re.fullmatch(r"backup ok: .* \(schema version \d+, integrity ok\)\n", p.stdout), p.stdout
        during = done["n"] - before
        stop.set()
        t.join(10)
        assert not done["errors"], done["errors"][:5]
        assert during > 0, "no request ran while backing up"
        # each copy is consistent: the audit chain verifies and rows only grow
        counts = []
        for b in backups:
            assert run("audit", "verify", "--db", b).stdout.startswith("audit chain intact"), b
            counts.append(audit_rows(b))
        assert counts == sorted(counts) and counts[0] > 0, counts
        # no temporary files are left beside the backups
        assert not [f for f in os.listdir(w.path) if ".partial." in f], os.listdir(w.path)
        # restore refuses while the server holds the database
        p = run("restore", backups[-1], "--db", s.db, "--force", check=False)
        assert p.returncode == 1 and "in use by another smogd" in p.stderr, p.stderr
        assert str(s.proc.pid) in p.stderr, p.stderr
        # a second server on the same database is refused the same way
        s2 = Server(w, db=s.db)
        assert s2.start(expect_ok=False) == 1
        assert "in use by another smogd" in s2.stderr(), s2.stderr()
        assert s.get("/v1/status", token=officer).status == 200
        assert s.stop() == 0
        live = audit_rows(s.db)
        # restore the oldest backup over the live database; the server starts on it
        p = run("restore", backups[0], "--db", s.db, "--force")
        assert re.fullmatch(r"restore ok: .* \(schema version \d+, integrity ok\)\n", p.stdout), p.stdout
        assert audit_rows(s.db) == counts[0] < live, (counts[0], live)
        assert run("audit", "verify", "--db", s.db).stdout.startswith("audit chain intact")
        assert not os.path.exists(s.db + "-wal") or os.path.getsize(s.db + "-wal") == 0
        s.start()
        assert s.get("/v1/status", token=officer).status == 200  # tokens came back with the data
    finally:
        stop.set()
        s.stop()
        w.cleanup()


def test_backup_and_restore_refusals():
    w = Workdir()
    try:
        db = w.file("smogd.db")
        make_token(db, "officer", name="duty-1")
        p = run("backup", w.file("b.db"), "--db", w.file("missing.db"), check=False)
        assert p.returncode == 1 and "no database at" in p.stderr, p.stderr
        assert not os.path.exists(w.file("missing.db"))
        run("backup", w.file("b.db"), "--db", db)
        p = run("backup", w.file("b.db"), "--db", db, check=False)
        assert p.returncode == 1 and "b.db already exists; --force replaces it" in p.stderr, p.stderr
        run("backup", w.file("b.db"), "--db", db, "--force")
        p = run("backup", "--db", db, check=False)
        assert p.returncode == 2, p.stderr
        p = run("backup", w.file("no-such-dir/b.db"), "--db", db, check=False)
        assert p.returncode == 1 and "backup failed" in p.stderr, p.stderr
        # restore: a new target is created; an existing one needs --force
        p = run("restore", w.file("b.db"), "--db", w.file("new.db"))
        assert "restore ok" in p.stdout
        p = run("restore", w.file("b.db"), "--db", w.file("new.db"), check=False)
        assert p.returncode == 1 and "already exists; --force replaces it" in p.stderr, p.stderr
        # a damaged, empty or foreign source is refused before anything is touched
        with open(w.file("junk.db"), "wb") as f:
            f.write(b"not a database" * 100)
        open(w.file("empty.db"), "wb").close()
        con = sqlite3.connect(w.file("foreign.db"))
        con.execute("CREATE TABLE t(x)")
        con.commit()
        con.close()
        before = open(w.file("new.db"), "rb").read()
        for src, msg in (("junk.db", "file is not a database"), ("empty.db", "not a smogd database"),
                         ("foreign.db", "not a smogd database (schema version 0)"),
                         ("absent.db", "no such file")):
            p = run("restore", w.file(src), "--db", w.file("new.db"), "--force", check=False)
            assert p.returncode == 1 and msg in p.stderr, (src, p.stderr)
        assert open(w.file("new.db"), "rb").read() == before
        # a corrupted page in a backup is caught by integrity_check
        bad = w.file("bad.db")
        shutil.copy(w.file("b.db"), bad)
        con = sqlite3.connect(bad)
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name='tokens'").fetchone()[0]
        con.close()
        with open(bad, "r+b") as f:
            f.seek((root - 1) * page)
            f.write(b"\xff" * page)
        p = run("restore", bad, "--db", w.file("new.db"), "--force", check=False)
        assert p.returncode == 1 and "restore failed" in p.stderr, p.stderr
        assert open(w.file("new.db"), "rb").read() == before
        # a damaged live database can be replaced (the reason restores exist)
        with open(w.file("new.db"), "r+b") as f:
            f.write(b"garbage" * 20)
        p = run("restore", w.file("b.db"), "--db", w.file("new.db"), "--force")
        assert run("audit", "verify", "--db", w.file("new.db")).returncode == 0
    finally:
        w.cleanup()


# ---------------------------------------------------------------- check and reload

def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def test_check_command():
    w = Workdir()
    try:
        good = w.file("good.conf")
        write(good, open(source("deploy", "smogd.conf"), encoding="utf-8").read()
              .replace("/var/lib/smogd/smogd.db", w.file("x.db")))
        p = run("check", "--config", good)
        assert p.stdout.endswith("configuration ok\n") and p.stdout.startswith(f"config ok: {good}\n"), p.stdout
        assert not os.path.exists(w.file("x.db")), "check must not create the database"
        assert run("check").stdout.endswith("configuration ok\n")
        cases = [
            ("listen 127.0.0.1:8080\nmax_body_bytes 12\n", 2, "max_body_bytes: '12' is not a number"),
            ("# c\n\nfrobnicate 1\n", 3, "unknown directive 'frobnicate'"),
            ("log_level chatty\nlisten 127.0.0.1:1\n", 1, "log_level: 'chatty' is not debug"),
            ("listen 127.0.0.1:1\ncounty_code 12345\n", 2, "county_code: '12345' is not a 6-digit"),
            ("timezone Mars/Olympus\n", 1, "timezone: 'Mars/Olympus'"),
        ]
        for text, line, msg in cases:
            bad = w.file("bad.conf")
            write(bad, text)
            p = run("check", "--config", bad, check=False)
            assert p.returncode == 1 and "configuration ok" not in p.stdout, (text, p.stdout)
            assert p.stderr.startswith(f"smogd check: {bad}:{line}: ") and msg in p.stderr, (text, p.stderr)
        p = run("check", "--config", w.file("absent.conf"), check=False)
        assert p.returncode == 1 and "cannot open" in p.stderr, p.stderr
        p = run("check", "--rules", w.file("no-rules"), check=False)
        assert p.returncode == 1 and "is not a readable directory" in p.stderr, p.stderr
        shutil.copytree(source("rules"), w.file("rules"))
        p = run("check", "--rules", w.file("rules"))
        assert p.returncode == 0, p
        with open(w.file("rules/ratios.json"), "a", encoding="utf-8") as f:
            f.write("}")  # trailing garbage: the strict loader must refuse it
        p = run("check", "--rules", w.file("rules"), check=False)
        assert p.returncode == 1 and "ratios.json" in p.stderr, p.stderr
        assert run("check", "--bogus", check=False).returncode == 2
    finally:
        w.cleanup()


def test_check_notice_templates():
    """`smogd check` (what `systemctl reload` runs before SIGHUP) reads the
    notifiers file and checks every notice template as the reload does: a
    broken one is refused with FILE:LINE:COLUMN, before the reload."""
    w = Workdir()
    try:
        conf, notifiers, tdir = w.file("smogd.conf"), w.file("notifiers.json"), w.file("templates")
        shutil.copytree(source("notifiers", "templates"), tdir)
        write(notifiers, json.dumps({"templates": tdir}))
        write(conf, f"db {w.file('x.db')}\nnotifiers {notifiers}\n")
        p = run("check", "--config", conf)
        assert f"notifiers file and notice templates ok: {tdir}\n" in p.stdout, p.stdout
        assert p.stdout.endswith("configuration ok\n"), p.stdout
        path = os.path.join(tdir, "ack_reminder.txt")
        good = open(path, encoding="utf-8").read()
        lines = good.split("\n")
        # an unknown name on the third line, at its seventh column
        lines[2] = "Note: {{enterprise}} " + lines[2]
        write(path, "\n".join(lines))
        p = run("check", "--config", conf, check=False)
        assert p.returncode == 1 and "configuration ok" not in p.stdout, p.stdout
        assert p.stderr.startswith(f"smogd check: {path}:3:7: "), p.stderr
        assert "unknown placeholder {{enterprise}}" in p.stderr, p.stderr
        write(path, good + "{{#measures}}\n")  # a section never closed
        p = run("check", "--config", conf, check=False)
        assert p.returncode == 1 and p.stderr.startswith(f"smogd check: {path}:"), p.stderr
        assert "{{#measures}} has no {{/measures}}" in p.stderr, p.stderr
        write(path, good)
        # a notifiers file that does not parse is named with its line and column
        write(notifiers, '{"templates": "%s",\n  "retry": }' % tdir)
        p = run("check", "--config", conf, check=False)
        assert p.returncode == 1 and p.stderr.startswith(f"smogd check: {notifiers}:2:"), p.stderr
        write(notifiers, json.dumps({"templates": tdir, "retry": {"base_ms": 0}}))
        p = run("check", "--config", conf, check=False)
        assert p.returncode == 1 and "retry.base_ms" in p.stderr, p.stderr
        assert not os.path.exists(w.file("x.db")), "check must not create the database"
    finally:
        w.cleanup()


def test_sighup_reload_keeps_serving_on_bad_config():
    w = Workdir()
    conf = w.file("smogd.conf")
    write(conf, "log_level info\n")
    s = Server(w, config=conf)
    try:
        officer = make_token(s.db, "officer", name="duty-1")
        s.start()

        def hup_and_wait(marker, count):
            s.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: s.stderr().count(marker) >= count, 5, marker)

        write(conf, "log_level debug\n")
        hup_and_wait("reloaded log_level", 1)
        assert s.stderr().count("reload requested") == 1
        # a broken file: logged with file:line, nothing changes, still serving
        write(conf, "log_level info\nmax_body_bytes lots\n")
        hup_and_wait("reload failed", 1)
        assert f"keeping the running configuration: {conf}:2: max_body_bytes" in s.stderr(), s.stderr()
        assert s.get("/healthz").status == 200
        write(conf, "log_level loud\n")
        hup_and_wait("reload failed", 2)
        assert "log_level: 'loud'" in s.stderr(), s.stderr()
        assert s.get("/v1/status", token=officer).status == 200
        os.unlink(conf)
        hup_and_wait("reload failed", 3)
        assert s.get("/healthz").status == 200
        assert s.stderr().count("reloaded log_level") == 1
        assert s.stop() == 0
    finally:
        s.stop()
        w.cleanup()


def test_sighup_reload_templates():
    """Notice templates are read at start and on SIGHUP; a broken one at
    reload is logged with file:line:column and the old set stays."""
    w = Workdir()
    conf, notifiers, tdir = w.file("smogd.conf"), w.file("notifiers.json"), w.file("templates")
    shutil.copytree(source("notifiers", "templates"), tdir)
    write(notifiers, json.dumps({"templates": tdir}))
    write(conf, f"log_level info\nnotifiers {notifiers}\n")
    s = Server(w, config=conf)
    try:
        s.start()

        def hup_and_wait(marker, count):
            s.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: s.stderr().count(marker) >= count, 5, marker)

        hup_and_wait("reloaded templates", 1)
        path = os.path.join(tdir, "order_issued.txt")
        good = open(path, encoding="utf-8").read()
        write(path, good.replace("{{enterprise_name}}", "{{enterprise}}", 1))
        hup_and_wait("reload templates failed", 1)
        assert f"keeping the old values: {path}:1:" in s.stderr(), s.stderr()
        assert "unknown placeholder {{enterprise}}" in s.stderr(), s.stderr()
        assert s.get("/healthz").status == 200
        write(path, good)
        hup_and_wait("reloaded templates", 2)
        assert s.stop() == 0
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_service_unit_hardening, test_systemd_analyze_verify, test_nginx_site_config_valid,
          test_smogd_behind_nginx_tls, test_alert_rules_name_real_metrics,
          test_install_tree_and_deb_package,
          test_backup_under_load_then_restore, test_backup_and_restore_refusals,
          test_check_command, test_check_notice_templates,
          test_sighup_reload_keeps_serving_on_bad_config,
          test_sighup_reload_templates])
