"""smogd replay, demo and report: exit codes, named failures, line-precise
errors, a self-contained HTML report and JSON figures that match the
scenario's known answers."""
import html.parser
import json
import os
import subprocess
import sys
import tempfile
import time

from harness import make_uscc

SMOGD = os.environ["SMOGD"]
SRC = os.environ["SMOGD_SOURCE_DIR"]
DATA = os.path.join(SRC, "tests", "data", "scenarios")
DEMO = os.path.join(SRC, "scenarios", "jiang-county", "scenario.json")


def run(*args, cwd=None):
    return subprocess.run([SMOGD, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.open, self.links = {}, [], []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "href") and v and ("http://" in v or "https://" in v or v.startswith("//")):
                self.links.append(v)
        if tag not in ("meta", "br", "img", "link", "input"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def check(cond, msg):
    if not cond:
        print("FAIL:", msg)
        sys.exit(1)


def test_good_scenario():
    r = run("replay", DEMO)
    check(r.returncode == 0, f"demo scenario: rc {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr}")
    check("expectations hold" in r.stdout and "ok:" in r.stdout, r.stdout[-500:])
    # the reminder fires at the exact deadline: orders at 20:00, deadline 60 min
    check("2025-12-01 21:00+08:00  overdue   acknowledgement overdue: 4 ack_reminder, 4 officer_alert"
          in r.stdout, "the overdue line at 21:00")


def test_wrong_expectation():
    path = os.path.join(DATA, "wrong_expectation.json")
    r = run("replay", path)
    check(r.returncode == 1, f"rc {r.returncode}")
    line = next(i + 1 for i, t in enumerate(open(path, encoding="utf-8")) if '"acknowledged": 60' in t)
    want = f"FAILED {path}:{line}: step 2: expect.orders.acknowledged: expected 60, got 59"
    check(want in r.stderr, f"wanted {want!r} in:\n{r.stderr}")
    overdue_line = next(i + 1 for i, t in enumerate(open(path, encoding="utf-8")) if '"overdue": 0' in t)
    check(f"{path}:{overdue_line}: step 2: expect.orders.overdue: expected 0, got 1" in r.stderr, r.stderr)
    # the level expectation held and is not named
    check("expect.level" not in r.stderr, r.stderr)
    rj = run("replay", path, "--json")
    out = json.loads(rj.stdout)
    check(rj.returncode == 1 and out["ok"] is False and out["failed"] == 2, rj.stdout[:500])
    check({f["what"] for f in out["failures"]} == {"expect.orders.acknowledged", "expect.orders.overdue"},
          out["failures"])


def test_malformed():
    path = os.path.join(DATA, "malformed.json")
    r = run("replay", path)
    check(r.returncode == 1, f"rc {r.returncode}")
    check(f"{path}:8:" in r.stderr and "steps[1].expect.ordres" in r.stderr and "unknown key" in r.stderr,
          r.stderr)
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "bad.json")
        with open(bad, "w") as f:
            f.write('{\n  "title": "x",\n  "title": "y"\n}\n')
        r = run("replay", bad)
        check(r.returncode == 1 and f"{bad}:3:" in r.stderr and "duplicate" in r.stderr, r.stderr)
    r = run("replay", "--nope")
    check(r.returncode == 2, "unknown flag exits 2")


def test_report_and_figures():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.html")
        r = run("replay", DEMO, "--report", out)
        check(r.returncode == 0, r.stderr)
        text = open(out, encoding="utf-8").read()
        p = Page()
        p.feed(text)
        p.close()
        check(not p.links, f"links out: {p.links}")
        check(p.tags.get("svg", 0) >= 4, f"svg charts: {p.tags.get('svg')}")
        check(p.tags.get("script", 0) == 0, "no scripts")
        check("No station readings" not in text, "the county AQI chart is drawn")
        check(p.tags.get("svg", 0) >= 5, f"svg charts with AQI: {p.tags.get('svg')}")
        fig = json.load(open(os.path.join(d, "r.json"), encoding="utf-8"))
        # known answers of the demo: 60 enterprises, 3 levels, one never answers
        check(fig["episode"]["max_level"] == "red", fig["episode"])
        check(fig["aqi"]["available"] is True and len(fig["aqi"]["county"]) >= 24, fig["aqi"])
        # the line caught running under a halt order (meter data, then an inspection)
        check(fig["episode"]["compliance"]["violation"] == 1, fig["episode"]["compliance"])
        check(fig["orders"]["versions"] == 180 and fig["orders"]["enterprises"] == 60, fig["orders"])
        check(fig["orders"]["lifted"] == 60 and fig["orders"]["superseded"] == 120, fig["orders"])
        check(fig["orders"]["acknowledged"] == 177 and fig["orders"]["acknowledged_by_phone"] == 1, fig["orders"])
        am = fig["ack_minutes"]
        check(am["count"] == 177 and am["late"] == 3 and am["never"] == 3, am)
        check(sum(b["count"] for b in am["bins"]) == 177, am["bins"])
        check([l["to"] for l in fig["levels"]] == ["yellow", "orange", "red", "none"], fig["levels"])
        check(len(fig["warnings"]) == 4, fig["warnings"])
        towns = fig["compliance"]["by_town"]
        check(sum(t["orders"] for t in towns) == 60, towns)
        red = {p["pollutant"]: p for p in fig["reductions"]["pollutants"]}
        check(abs(red["so2"]["required_kg_day"] - 0.3 * red["so2"]["baseline_kg_day"]) < 1e-6, red)
        check(red["so2"]["promised_kg_day"] >= red["so2"]["required_kg_day"], red)
        # one line measured (the one caught running): achieved from its load, not promised
        check(fig["reductions"]["lines"]["measured"] >= 1, fig["reductions"])
        check(red["so2"]["achieved_kg_day"] is not None
              and 0 <= red["so2"]["achieved_kg_day"] < red["so2"]["promised_kg_day"], red)


def test_report_figures_match_the_orders():
    """The report's per-instant and per-enterprise figures, recomputed here
    the plain way (every order at every instant, every version of each
    enterprise) from the orders the replay wrote."""
    import sqlite3
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "r.db")
        r = run("replay", DEMO, "--db", db, "--report", os.path.join(d, "r.html"))
        check(r.returncode == 0, r.stderr)
        fig = json.load(open(os.path.join(d, "r.json"), encoding="utf-8"))
        c = sqlite3.connect(db)
        rows = c.execute("SELECT issued_ms, ack_deadline_ms, coalesce(acknowledged_ms, 0), "
                         "coalesce(ended_ms, 0), enterprise, overdue, level FROM orders "
                         "WHERE episode_id = ? ORDER BY id", (fig["episode"]["id"],)).fetchall()
        c.close()
        check(len(rows) == 180, len(rows))
        now = fig["generated_at_ms"]
        times = sorted({t for o in rows for t in (o[0], o[2], o[3], o[1] if o[1] <= now else 0) if t})
        want = []
        for at in times:
            want.append({"at_ms": at,
                         "issued": sum(o[0] <= at for o in rows),
                         "acknowledged": sum(bool(o[2]) and o[2] <= at for o in rows),
                         "overdue": sum(o[1] <= at and (not o[2] or o[2] > at) and (not o[3] or o[3] > at)
                                        for o in rows)})
        got = [{k: p[k] for k in ("at_ms", "issued", "acknowledged", "overdue")} for p in fig["orders_over_time"]]
        check(got == want, f"orders_over_time differs:\n{got[:5]}\n{want[:5]}")
        check(any(p["overdue"] for p in got), "some instant has overdue orders")
        ents = {}
        for o in rows:
            e = ents.setdefault(o[4], {"first_issued": 0, "overdue": False})
            e["first_issued"] = e["first_issued"] or o[0]
            e["overdue"] = e["overdue"] or bool(o[5])
        check(len(fig["enterprises"]) == len(ents) == 60, "one row per enterprise")
        overdue = {e["uscc"]: e["ever_overdue"] for e in fig["enterprises"]}
        check(overdue == {u: e["overdue"] for u, e in ents.items()}, overdue)
        check(sum(overdue.values()) >= 1, "some enterprise was overdue")
        from datetime import datetime
        first = {e["uscc"]: int(datetime.fromisoformat(e["first_issued_at"]).timestamp() * 1000)
                 for e in fig["enterprises"]}
        check(first == {u: e["first_issued"] for u, e in ents.items()}, "first_issued_at")


def test_demo_and_report_command():
    with tempfile.TemporaryDirectory() as d:
        t0 = time.monotonic()
        r = run("demo", "--out", d)
        took = time.monotonic() - t0
        check(r.returncode == 0, r.stderr)
        check(took < 5, f"demo took {took:.1f} s")
        html_path = os.path.join(d, "smogd-demo-report.html")
        check(os.path.exists(html_path) and os.path.exists(os.path.join(d, "smogd-demo-report.json")),
              os.listdir(d))
        check(f"report written to {html_path}" in r.stdout, r.stdout[-300:])
        # a replayed database can be reported on later
        db = os.path.join(d, "kept.db")
        r = run("replay", os.path.join(SRC, "scenarios", "municipal-cancel", "scenario.json"), "--db", db)
        check(r.returncode == 0, r.stderr)
        r = run("report", "1", "--db", db, "--json")
        check(r.returncode == 0, r.stderr)
        fig = json.loads(r.stdout)
        check(fig["episode"]["max_level"] == "yellow" and fig["orders"]["lifted"] == 60, fig["orders"])
        r = run("report", "1", "--db", db)
        check(r.returncode == 0 and r.stdout.startswith("<!DOCTYPE html>"), r.stderr)
        r = run("report", "9", "--db", db)
        check(r.returncode == 1 and "no such episode" in r.stderr, r.stderr)


def test_http_report():
    sys.path.insert(0, os.path.join(SRC, "tests", "support"))
    from harness import Server, Workdir, json_warning, make_token
    w = Workdir()
    s = Server(w)
    try:
        check(run("list", "import", os.path.join(SRC, "scenarios", "jiang-county", "list.csv"),
                  "--activate", "--db", s.db).returncode == 0, "list import")
        officer = make_token(s.db, "officer", name="duty-1")
        issuer = make_token(s.db, "issuer", name="feed")
        s.start()
        r = s.post("/v1/warnings", body=json.dumps(json_warning("HTTP-1", "orange")), token=issuer,
                   headers={"Content-Type": "application/json"})
        check(r.status == 200, r)
        r = s.get("/v1/episodes/1/report", token=officer)
        check(r.status == 200 and r.headers.get("Content-Type", "").startswith("text/html"), r)
        check(r.text.startswith("<!DOCTYPE html>") and "<svg" in r.text, r.text[:200])
        r = s.get("/v1/episodes/1/report?format=json", token=officer)
        check(r.status == 200 and r.json["orders"]["active"] == 60, r)
        check(r.json["episode"]["max_level"] == "orange", r.json["episode"])
        check(s.get("/v1/episodes/7/report", token=officer).status == 404, "unknown episode")
        check(s.get("/v1/episodes/1/report?format=pdf", token=officer).status == 422, "bad format")
        check(s.get("/v1/episodes/1/report", token=issuer).status == 403, "issuer is not an officer")
    finally:
        s.stop()
        w.cleanup()


OUTAGE = os.path.join(SRC, "scenarios", "receiver-outage", "scenario.json")


def test_receiver_outage():
    r = run("replay", OUTAGE, "--strict")
    check(r.returncode == 0, f"rc {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr}")
    out = r.stdout
    check("08:00+08:00  delivery  file channel down: 60 deliveries failed, retried with backoff" in out, out)
    # the backlog goes out after 08:30, not before
    line = next(l for l in out.splitlines() if "60 delayed deliveries delivered on retry" in l)
    check("between 08:30 and" in line, line)
    # the alert for the re-issued order's notice comes at its deadline exactly
    check("2025-12-10 10:30+08:00  delivery  undelivered past the deadline: 1 officer_alert notices" in out, out)
    check("steps skipped" not in out and "skipped   " not in out and "ok: " in out, out[-300:])
    # the same timeline every run: retry jitter derives from the delivery
    again = run("replay", OUTAGE, "--strict")
    check(again.stdout == out, "two replays differ")


def test_delivery_expectations_and_dead_letters():
    """A notifiers file in config: two attempts a minute apart at most, so
    the notices of a 30-minute outage are given up, each with an officer
    alert (itself given up); expect.deliveries names what is wrong."""
    scenario = json.load(open(OUTAGE, encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        notifiers = os.path.join(d, "notifiers.json")
        with open(notifiers, "w") as f:
            json.dump({"channels": {"file": {"path": os.path.join(d, "n.jsonl")}},
                       "retry": {"base_ms": 60000, "cap_ms": 60000, "max_attempts": 2}}, f)
        scenario["list"] = os.path.abspath(os.path.join(SRC, "scenarios", "jiang-county", "list.csv"))
        scenario["config"] = {"notifiers": notifiers}
        scenario["steps"] = scenario["steps"][:3] + [
            {"at": "+PT20M", "expect": {"notices": {"officer_alert": 60},
                                        "deliveries": {"dead": 120, "pending": 0, "delivered": 1,
                                                       "undelivered_notices": 120,
                                                       "file": {"dead": 61}}}}]
        path = os.path.join(d, "dead.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(scenario, f, indent=2)
        r = run("replay", path, "--json")
        out = json.loads(r.stdout)
        check(r.returncode == 1 and out["failed"] == 2, r.stdout[:2000])
        check("officer alert" not in r.stderr, r.stderr[:500])
        check({f["what"] for f in out["failures"]} == {"expect.deliveries.delivered",
                                                      "expect.deliveries.file.dead"}, out["failures"])
        got = {f["what"]: f["actual"] for f in out["failures"]}
        check(got["expect.deliveries.file.dead"] == 120 and got["expect.deliveries.delivered"] == 0, got)
        dead = [e["text"] for e in out["events"] if "given up" in e["text"]]
        check(len(dead) == 1 and dead[0].startswith("120 deliveries given up (dead letters"), dead)
        check(not os.path.exists(os.path.join(d, "n.jsonl")), "replay writes no notices file")


def test_outage_channel_checked():
    scenario = json.load(open(OUTAGE, encoding="utf-8"))
    scenario["steps"][0]["outage"]["channel"] = "pigeon"
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bad.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(scenario, f, indent=2)
        line = next(i + 1 for i, t in enumerate(open(path, encoding="utf-8")) if '"pigeon"' in t)
        r = run("replay", path)
        check(r.returncode == 1 and f"{path}:{line}:" in r.stderr
              and "steps[0].outage.channel" in r.stderr and "unknown channel" in r.stderr, r.stderr)
        scenario["steps"][0]["outage"]["channel"] = "file"
        scenario["steps"][3]["expect"]["deliveries"]["file"] = {"deliverd": 1}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(scenario, f, indent=2)
        line = next(i + 1 for i, t in enumerate(open(path, encoding="utf-8")) if '"deliverd"' in t)
        r = run("replay", path)
        check(r.returncode == 1 and f"{path}:{line}:" in r.stderr
              and "steps[3].expect.deliveries.file.deliverd" in r.stderr and "unknown key" in r.stderr,
              r.stderr)


def test_notifiers_file_read_once():
    """replay reads its notifiers file and templates once, not at every
    clock stop (the outage scenario stops at every retry for an hour)."""
    import shutil
    strace = shutil.which("strace")
    if not strace:
        check(not os.environ.get("SMOGD_REQUIRE_TOOLS"), "strace is required")
        print("skip test_notifiers_file_read_once: no strace")
        return
    scenario = json.load(open(OUTAGE, encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        notifiers = os.path.join(d, "notifiers.json")
        tdir = os.path.join(d, "templates")
        shutil.copytree(os.path.join(SRC, "notifiers", "templates"), tdir)
        with open(notifiers, "w") as f:
            json.dump({"channels": {"file": {"path": os.path.join(d, "n.jsonl")}}, "templates": tdir}, f)
        scenario["list"] = os.path.abspath(os.path.join(SRC, "scenarios", "receiver-outage",
                                                        scenario["list"]))
        scenario["config"] = {"notifiers": notifiers}
        path = os.path.join(d, "s.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(scenario, f, indent=2)
        log = os.path.join(d, "trace")
        # LeakSanitizer cannot run under ptrace
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
        r = subprocess.run([strace, "-f", "-qq", "-e", "trace=openat", "-o", log, SMOGD, "replay", path],
                           capture_output=True, text=True, timeout=300, env=env)
        check(r.returncode == 0, r.stdout[-1000:] + r.stderr[-1000:])
        stops = sum(1 for line in r.stdout.splitlines() if "delivery" in line)
        check(stops >= 2, r.stdout[-2000:])  # more than one clock stop delivered
        opens = open(log, encoding="utf-8").read()
        check(opens.count(f'"{notifiers}"') == 1, f"notifiers opened {opens.count(notifiers)} times")
        check(opens.count(os.path.join(tdir, "order_issued.txt")) == 1, "templates read once")


def test_many_late_orders_one_line():
    """1,100 enterprises, none answers: the server flags late orders in
    bounded passes; the replay takes them all at the deadline's instant,
    in one timeline line, each with its reminder and officer alert."""
    n = 1100
    with tempfile.TemporaryDirectory() as d:
        head = open(os.path.join(SRC, "scenarios", "jiang-county", "list.csv"),
                    encoding="utf-8").readline()
        with open(os.path.join(d, "list.csv"), "w", encoding="utf-8") as f:
            f.write(head)
            for i in range(1, n + 1):
                f.write(f"{make_uscc(i)},绛县第{i}铸造有限公司,140826100,铸造,C,熔炼工序,"
                        "1.00,2.00,0.50,0.00,1000,停产,停产,停产,\n")
        scenario = {
            "title": "late orders", "start": "2025-12-10T08:00:00+08:00",
            "county": {"code": "140826", "name": "绛县"}, "list": "list.csv",
            "steps": [
                {"at": "+PT0H", "warning": {
                    "identifier": "YC-AQ-2025-0901", "sender": "yc-aqoffice@yuncheng.gov.cn",
                    "sent": "2025-12-10T08:00:00+08:00", "msg_type": "alert", "status": "actual",
                    "level": "yellow", "expires": "2025-12-12T00:00:00+08:00", "area": ["140800"],
                    "headline": "运城市启动重污染天气黄色预警"}},
                {"at": "2025-12-10T08:59:59+08:00",
                 "expect": {"orders": {"overdue": 0}, "notices": {"ack_reminder": 0}}},
                {"at": "2025-12-10T09:00:00+08:00",
                 "expect": {"orders": {"overdue": n},
                            "notices": {"ack_reminder": n, "officer_alert": n}}}]}
        path = os.path.join(d, "late.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(scenario, f, ensure_ascii=False)
        r = run("replay", path)
        check(r.returncode == 0, f"rc {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        lines = [t for t in r.stdout.splitlines() if "acknowledgement overdue" in t]
        check(len(lines) == 1 and lines[0].startswith(
            f"2025-12-10 09:00+08:00  overdue   acknowledgement overdue: {n} ack_reminder, "
            f"{n} officer_alert"), lines)


if __name__ == "__main__":
    for name, fn in list(globals().items()):
        if name.startswith("test_") and callable(fn):
            fn()
            print("ok  ", name)
