"""Reporting to the city against the real server and binary: a warning,
some acknowledgements and an inspection, then the daily report from the CLI
(figures checked against known answers, in every format), the draft the
timer makes before the cut-off (daily_report_hour set two hours ahead,
the lead to three hours, so it is drafted at once and stays a draft), the
officers' endpoints, and the send: the outbox row, its deliveries (the
city's webhook is down, so that one stays pending and is retried), and the
audit row with the SHA-256 of what was sent."""

import datetime as dt
import hashlib
import json
import sqlite3
import time
import zipfile
import io

from harness import (SMALL_LIST, Server, Workdir, json_warning, main, make_token, rfc3339, run,
                     seed_list)

FIRMS = sorted({r[0] for r in SMALL_LIST})
HALT1 = SMALL_LIST[5][0]  # 合成车间, halted at orange
SECRET = "city-secret"


def wait_for(cond, timeout=45, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("condition not met in time")


class Setup:
    def __init__(self):
        self.w = Workdir()
        hour = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).hour + 2) % 24
        notifiers = {
            "channels": {"webhook": {"secret": SECRET, "timeout_ms": 1000,
                                     "connect_timeout_ms": 300},
                         "file": {"path": self.w.file("all.jsonl"), "sync": False}},
            "city": {"webhook_url": "http://127.0.0.1:9/city-inbox"},
            "retry": {"base_ms": 200, "cap_ms": 400, "max_attempts": 1000},
        }
        with open(self.w.file("notifiers.json"), "w") as f:
            json.dump(notifiers, f)
        with open(self.w.file("smogd.conf"), "w") as f:
            f.write(f"notifiers {self.w.file('notifiers.json')}\n"
                    f"daily_report_hour {hour}\ndaily_report_lead_minutes 180\n")
        self.s = Server(self.w, config=self.w.file("smogd.conf"))
        self.issuer = make_token(self.s.db, "issuer", name="feed")
        self.officer = make_token(self.s.db, "officer", name="duty-1")
        self.ent = {u: make_token(self.s.db, "enterprise", enterprise=u) for u in FIRMS}
        seed_list(self.s.db)
        self.s.start()
        r = self.s.post("/v1/warnings", body=json_warning("C-1", "orange"), token=self.issuer)
        assert r.status == 200 and r.json["level"] == "orange", r
        self.orders = {o["enterprise"]: o for o in
                       self.s.get("/v1/orders?status=issued", token=self.officer).json["orders"]}
        assert sorted(self.orders) == FIRMS, self.orders
        # times go to the second: keep a whole second on each side
        time.sleep(1.1)
        self.before_acks = rfc3339(dt.datetime.now(dt.timezone.utc))
        time.sleep(1.1)
        for u in FIRMS[:2]:
            r = self.s.post(f"/v1/orders/{self.orders[u]['id']}/ack", token=self.ent[u])
            assert r.status == 200, r
        r = self.s.post("/v1/compliance", token=self.officer, body={"inspections": [
            {"uscc": HALT1, "line": "合成车间", "result": "violation", "note": "仍在生产",
             "at": rfc3339(dt.datetime.now(dt.timezone.utc))}]})
        assert r.status == 200 and r.json["accepted"] == 1, r
        self.at = rfc3339(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2))

    def cli(self, *args):
        return run("cityreport", *args, "--db", self.s.db)

    def close(self):
        self.s.stop()
        err = self.s.stderr()
        assert "runtime error" not in err and "Sanitizer" not in err, err[-3000:]
        self.w.cleanup()


def check_figures(rep, on_time=2):
    assert rep["title"] == "重污染天气应急减排措施落实情况日报", rep["title"]
    assert rep["county"] == {"code": "140826", "name": "绛县"}, rep["county"]
    assert rep["orders"]["versions"] == 5 and rep["orders"]["enterprises"] == 5, rep["orders"]
    orange = [lv for lv in rep["orders"]["by_level"] if lv["level"] == "orange"][0]
    assert orange["total"] == 5 and orange["acknowledged"] == on_time, orange
    assert orange["issued"] == 5 - on_time, orange
    acks = rep["acknowledgements"]
    assert acks["on_time"] == on_time and acks["pending"] == 5 - on_time, acks
    assert acks["late"] == 0 and acks["missing"] == 0, acks
    comp = rep["compliance"]
    assert comp["enterprises"] == 5, comp
    assert comp["compliant"] + comp["violation"] + comp["unknown"] == 5, comp
    assert sum(g["enterprises"] for g in comp["by_town"]) == 5, comp["by_town"]
    assert [g["town"] for g in comp["by_town"]] == ["140826100", "140826101", "140826102",
                                                    "140826200"], comp["by_town"]
    assert comp["by_industry"][0]["industry"] == "铁合金", comp["by_industry"]
    assert rep["inspections"]["episode"] == {"total": 1, "compliant": 0, "violation": 1}, \
        rep["inspections"]
    assert rep["reductions"]["level"] == "orange", rep["reductions"]
    assert [p["pollutant"] for p in rep["reductions"]["pollutants"]] == ["so2", "nox", "pm", "vocs"]
    so2 = rep["reductions"]["pollutants"][0]
    assert so2["baseline_kg_d"] == 60.0, so2
    assert so2["required_pct"] > 0, so2


def test_cli_daily_report():
    e = Setup()
    try:
        rep = json.loads(e.cli("daily", "--episode", "1", "--at", e.at).stdout)
        check_figures(rep)
        assert rep["cutoff"] == e.at, (rep["cutoff"], e.at)
        # as it stood before the acknowledgements
        early = json.loads(e.cli("daily", "--episode", "1", "--at", e.before_acks).stdout)
        assert early["acknowledgements"]["on_time"] == 0, early["acknowledgements"]
        assert early["acknowledgements"]["pending"] == 5, early["acknowledgements"]
        csv = e.cli("daily", "--episode", "1", "--at", e.at, "--format", "csv").stdout
        assert csv.startswith("\ufeffsection,name,field,value\n"), csv[:60]
        assert "acknowledgements,,on_time,2\n" in csv, csv
        assert "inspections,episode,violation,1\n" in csv, csv
        out = e.w.file("r.xlsx")
        e.cli("daily", "--episode", "1", "--at", e.at, "--format", "xlsx", "--out", out)
        with zipfile.ZipFile(out) as z:
            assert "xl/worksheets/sheet1.xml" in z.namelist(), z.namelist()
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            assert "按时确认" in sheet and "<v>2</v>" in sheet, sheet[:500]
        html = e.cli("daily", "--episode", "1", "--at", e.at, "--format", "html").stdout
        assert "<h1>绛县重污染天气应急减排措施落实情况日报</h1>" in html, html[:400]
        bad = run("cityreport", "daily", "--episode", "9", "--db", e.s.db, check=False)
        assert bad.returncode == 1 and "no such episode" in bad.stderr, bad
        bad = run("cityreport", "weekly", "--episode", "1", "--db", e.s.db, check=False)
        assert bad.returncode == 2, bad
        bad = run("cityreport", "daily", "--episode", "1", "--at", "2025-12-01T08:00:00",
                  "--db", e.s.db, check=False)
        assert bad.returncode == 2 and "offset" in bad.stderr, bad
    finally:
        e.close()


def test_draft_remarks_send_and_deliveries():
    e = Setup()
    try:
        s, officer = e.s, e.officer
        lst = wait_for(lambda: (lambda r: r.json["total"] >= 1 and r.json)(
            s.get("/v1/reports?kind=daily", token=officer)))
        meta = lst["reports"][0]
        assert meta["state"] == "draft" and meta["number"] == 1 and meta["episode_id"] == 1, meta
        rid = meta["id"]
        r = s.get(f"/v1/reports/{rid}", token=officer)
        assert r.status == 200 and r.json["report"]["kind"] == "daily", r
        assert r.json["report"]["orders"]["versions"] == 5, r.json["report"]["orders"]

        # officers write into the draft
        r = s.post(f"/v1/reports/{rid}/remarks", token=officer, body={"remarks": "全县巡查 12 家"})
        assert r.status == 200 and r.json["state"] == "draft", r
        r = s.post(f"/v1/reports/{rid}/remarks", token=officer, body={"lessons": "x"})
        assert r.status == 422 and r.json["error"]["code"] == "lessons_only_in_summary", r
        r = s.post(f"/v1/reports/{rid}/remarks", token=officer,
                   body={"actions": [{"order_id": 999, "line": "x", "action": "y"}]})
        assert r.status == 422 and r.json["error"]["code"] == "not_a_violation", r
        r = s.post(f"/v1/reports/{rid}/remarks", token=officer, body="{nope")
        assert r.status == 400, r

        # every format; format=json is the stored bytes, whose hash the metadata names
        meta = s.get(f"/v1/reports/{rid}", token=officer).json
        raw = s.get(f"/v1/reports/{rid}?format=json", token=officer)
        assert raw.status == 200 and hashlib.sha256(raw.raw).hexdigest() == meta["sha256"], raw
        assert json.loads(raw.raw)["remarks"] == "全县巡查 12 家"
        x = s.get(f"/v1/reports/{rid}?format=xlsx", token=officer)
        assert x.status == 200 and x.headers["Content-Type"].endswith("spreadsheetml.sheet"), x
        assert len(zipfile.ZipFile(io.BytesIO(x.raw)).namelist()) == 8
        c = s.get(f"/v1/reports/{rid}?format=csv", token=officer)
        assert c.status == 200 and "report,remarks,,全县巡查 12 家" in c.text, c
        h = s.get(f"/v1/reports/{rid}?format=html", token=officer)
        assert h.status == 200 and "重污染天气应急减排措施落实情况日报" in h.text, h
        assert s.get(f"/v1/reports/{rid}?format=pdf", token=officer).status == 422
        assert s.get("/v1/reports/999", token=officer).status == 404
        assert s.get("/v1/reports", token=e.ent[FIRMS[0]]).status == 403
        assert s.get("/v1/reports?kind=weekly", token=officer).status == 422

        # send now: outbox row, deliveries (file delivered, the city's webhook retried)
        r = s.post(f"/v1/reports/{rid}/send", token=officer)
        assert r.status == 200 and r.json["event_id"] == f"report:{rid}:v1", r
        assert r.json["state"] == "sent", r
        sent_sha = r.json["sha256"]
        r = s.post(f"/v1/reports/{rid}/remarks", token=officer, body={"remarks": "late"})
        assert r.status == 409 and r.json["error"]["code"] == "already_sent", r

        def report_deliveries():
            d = s.get("/v1/deliveries?limit=500", token=officer).json["deliveries"]
            return [x for x in d if x["event_id"] == f"report:{rid}:v1"]
        ds = wait_for(lambda: (lambda d: len(d) == 2 and all(x["attempts"] >= 2 or
                                                             x["status"] == "delivered"
                                                             for x in d) and d)(report_deliveries()))
        by = {x["channel"]: x for x in ds}
        assert by["file"]["status"] == "delivered", by
        assert by["webhook"]["recipient"] == "http://127.0.0.1:9/city-inbox", by
        assert by["webhook"]["status"] == "pending" and by["webhook"]["attempts"] >= 2, by
        assert all(x["kind"] == "report" for x in ds), ds
        line = [json.loads(x) for x in open(e.w.file("all.jsonl"), encoding="utf-8")
                if f'"report:{rid}:v1"' in x][0]
        assert line["payload"]["remarks"] == "全县巡查 12 家", line
        assert line["subject"].startswith("【绛县】重污染天气应急减排措施落实情况日报（第1期）"), line

        con = sqlite3.connect(s.db, timeout=10)
        try:
            rows = con.execute("SELECT detail FROM audit WHERE action = 'report.send'").fetchall()
            payload = con.execute("SELECT payload FROM outbox WHERE event_id = ?",
                                  (f"report:{rid}:v1",)).fetchone()[0]
        finally:
            con.close()
        assert len(rows) == 1 and json.loads(rows[0][0])["sha256"] == sent_sha, rows
        assert hashlib.sha256(payload.encode()).hexdigest() == sent_sha

        # again: a new version
        r = s.post(f"/v1/reports/{rid}/send", token=officer)
        assert r.status == 200 and r.json["event_id"] == f"report:{rid}:v2" and \
            r.json["sends"] == 2, r
    finally:
        e.close()


def test_summary_at_the_lift():
    e = Setup()
    try:
        s, officer = e.s, e.officer
        r = s.post("/v1/warnings", token=e.issuer,
                   body=json_warning("C-2", "orange", msg_type="cancel", references=["C-1"]))
        assert r.status == 200 and r.json["level"] == "none", r
        lst = s.get("/v1/reports?kind=summary", token=officer).json
        assert lst["total"] == 1, lst
        rid = lst["reports"][0]["id"]
        rep = s.get(f"/v1/reports/{rid}", token=officer).json
        assert rep["state"] == "draft" and rep["report"]["title"] == "重污染天气应急响应总结报告", rep
        assert rep["report"]["episode"]["closed_at"] is not None, rep
        assert [d["to"] for d in rep["report"]["timeline"]] == ["orange", "none"], rep
        assert rep["report"]["orders"]["by_status"]["lifted"] == 5, rep["report"]["orders"]
        r = s.post(f"/v1/reports/{rid}/remarks", token=officer, body={"lessons": "提前研判"})
        assert r.status == 200, r
        assert s.get(f"/v1/reports/{rid}", token=officer).json["report"]["lessons"] == "提前研判"
    finally:
        e.close()


if __name__ == "__main__":
    main([test_cli_daily_report, test_draft_remarks_send_and_deliveries, test_summary_at_the_lift])
