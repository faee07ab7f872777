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

    def start(self, expect_ok=True, timeout=10):
        cmd = [SMOGD, "serve", "--db", self.db, "--listen", "127.0.0.1:0", *self.args]
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

    def stop(self, sig=signal.SIGTERM, timeout=10):
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
