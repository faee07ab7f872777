"""The yearly list: import over the CLI and HTTP, strict rejection that
changes nothing, versions, activation and the orders that point at them."""

import json
import os
import shutil
import sqlite3

from harness import Server, Workdir, json_warning, main, make_token, run, source

DATA = source("tests", "data", "list")
DEMO = source("scenarios", "jiang-county", "list.csv")


def test_cli_import_report_and_versions():
    w = Workdir()
    try:
        db = w.file("l.db")
        p = run("list", "import", DEMO, "--db", db, "--year", "2025", "--activate")
        assert "accepted: list 1, year 2025, version 1" in p.stdout, p.stdout
        assert "active" in p.stdout.splitlines()[-1]
        p = run("list", "import", DEMO, "--db", db, "--year", "2025", "--json")
        rep = json.loads(p.stdout)
        assert rep["accepted"] and rep["list"]["version"] == 2 and rep["list"]["active"] is False, rep
        assert rep["rows"] == 95 and rep["enterprises"] == 60, rep
        for lvl in ("yellow", "orange", "red"):
            assert rep["levels"][lvl]["pass"] is True, rep["levels"][lvl]
        shows = run("list", "show", "--db", db).stdout
        assert shows.count("2025") == 2, shows
        run("list", "activate", "2", "--db", db)
        con = sqlite3.connect(db)
        assert con.execute("SELECT id FROM lists WHERE active = 1").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM list_lines WHERE list_id = 2").fetchone()[0] == 95
        con.close()
    finally:
        w.cleanup()


def test_rejected_list_changes_nothing_and_lists_every_error():
    w = Workdir()
    try:
        db = w.file("l.db")
        run("list", "import", DEMO, "--db", db, "--year", "2025", "--activate")
        for name, expect in (("bad_uscc_checksum.csv", "bad_uscc_checksum.csv:3: uscc:"),
                             ("bad_town_county.csv", "bad_town_county.csv:"),
                             ("bad_measure_syntax.csv", "bad_measure_syntax.csv:"),
                             ("bad_missing_column.csv", "bad_missing_column.csv:1:"),
                             ("bad_doctype.xml", "bad_doctype.xml:")):
            p = run("list", "import", f"{DATA}/{name}", "--db", db, check=False)
            assert p.returncode == 1, (name, p)
            assert expect in p.stdout, (name, p.stdout)
            assert "rejected:" in p.stdout and "nothing was imported" in p.stdout, p.stdout
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM lists").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM list_lines").fetchone()[0] == 95
        con.close()
        p = run("list", "import", f"{DATA}/fail_shares.csv", "--db", db, "--year", "2025", check=False)
        assert p.returncode == 0 and "DOES NOT MEET" in p.stdout, p.stdout
    finally:
        w.cleanup()


def test_each_pollutant_is_checked_against_its_own_share():
    """rules/ratios.json asks NOx 40 % at every level and the other pollutants
    10 / 20 / 30 %: a list cutting every pollutant by 10 % at yellow meets SO2's
    share but not NOx's."""
    w = Workdir()
    try:
        rules = w.file("rules")
        shutil.copytree(source("rules"), rules)
        with open(os.path.join(rules, "ratios.json"), encoding="utf-8") as f:
            ratios = json.load(f)
        for lvl in ("yellow", "orange", "red"):
            ratios["levels"][lvl]["nox"] = 40
        with open(os.path.join(rules, "ratios.json"), "w", encoding="utf-8") as f:
            json.dump(ratios, f)
        conf = w.file("smogd.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"rules {rules}\ncounty_code 140826\n")
        p = run("list", "import", f"{DATA}/fail_shares.csv", "--db", w.file("l.db"), "--year",
                "2025", "--config", conf, "--json")
        yellow = json.loads(p.stdout)["levels"]["yellow"]
        assert yellow["pollutants"]["so2"]["pass"] is True, yellow
        assert yellow["pollutants"]["nox"]["pass"] is False, yellow
        assert yellow["pass"] is False, yellow
        assert yellow["pollutants"]["so2"]["required_pct"] == 10, yellow
        assert yellow["pollutants"]["nox"]["required_pct"] == 40, yellow
        p = run("list", "import", f"{DATA}/fail_shares.csv", "--db", w.file("l.db"), "--year",
                "2025", "--config", conf)
        assert "*** yellow nox: 10.0 % < required 40.0 %" in p.stdout, p.stdout
    finally:
        w.cleanup()


def test_an_action_added_in_measures_json_needs_no_rebuild():
    """rules/measures.json gains 错峰生产 (removes 50 %) and a synonym of 停产:
    a list using them imports with their reductions, and a word the rules do
    not name is refused at its line and column, naming the words they do."""
    w = Workdir()
    try:
        rules = w.file("rules")
        shutil.copytree(source("rules"), rules)
        path = os.path.join(rules, "measures.json")
        with open(path, encoding="utf-8") as f:
            measures = json.load(f)
        measures["actions"]["stagger"] = {"names": ["错峰生产", "stagger"], "reduction_pct": 50}
        measures["actions"]["halt"]["names"].append("停止生产")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(measures, f, ensure_ascii=False)
        conf = w.file("smogd.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"rules {rules}\ncounty_code 140826\n")
        head = "uscc,name,town,industry,grade,line,so2,nox,pm,vocs,power_kw,yellow,orange,red\n"
        row = "91140802MA0K40004G,运城某某化工有限公司,140826105,化工,非引领性,合成车间,10,10,10,10,900,"
        lst = w.file("added.csv")
        with open(lst, "w", encoding="utf-8") as f:
            f.write(head + row + "错峰生产;夜间,错峰生产,停止生产\n")
        p = run("list", "import", lst, "--db", w.file("l.db"), "--year", "2025", "--config", conf,
                "--json")
        rep = json.loads(p.stdout)
        assert rep["accepted"] is True, rep
        assert rep["levels"]["yellow"]["pollutants"]["so2"]["share_pct"] == 50, rep["levels"]
        assert rep["levels"]["red"]["pollutants"]["so2"]["share_pct"] == 100, rep["levels"]
        con = sqlite3.connect(w.file("l.db"))
        got = con.execute("SELECT y_action, o_action, r_action FROM list_lines").fetchall()
        con.close()
        assert got == [("stagger", "stagger", "halt")], got
        bad = w.file("bad.csv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(head + row + "错峰生产,半停,停产\n")
        p = run("list", "import", bad, "--db", w.file("l.db"), "--config", conf, check=False)
        assert p.returncode == 1, p
        assert (f"{bad}:2: orange: \"半停\" is not a measure: expected 停产, 限产N%, 自主减排, 错峰生产 "
                "(or halt, 停止生产, limit N%, voluntary, stagger), then optional text after ';'"
                in p.stdout), p.stdout
    finally:
        w.cleanup()


def test_http_upload_and_orders_keep_their_version():
    w = Workdir()
    s = Server(w)
    officer = make_token(s.db, "officer")
    issuer = make_token(s.db, "issuer")
    s.start()
    try:
        body = open(DEMO, "rb").read()
        r = s.post("/v1/lists?year=2025&activate=true", body=body, token=officer,
                   headers={"Content-Type": "text/csv"})
        assert r.status == 200 and r.json["version"] == 1 and r.json["active"], r
        first = r.json["list_id"]
        r = s.post("/v1/lists", body=open(f"{DATA}/bad_grade.csv", "rb").read(), token=officer,
                   headers={"Content-Type": "text/csv"})
        assert r.status == 422 and r.json["error"]["code"] == "list_rejected", r
        assert r.json["errors"] and "bad_grade" not in r.json["errors"][0] or r.json["errors"], r
        r = s.post("/v1/lists", body=body, token=issuer, headers={"Content-Type": "text/csv"})
        assert r.status == 403, r
        assert len(s.get("/v1/lists", token=officer).json["lists"]) == 1

        # an episode on version 1
        r = s.post("/v1/warnings", body=json_warning("L-1", "yellow"), token=issuer)
        assert r.json["level"] == "yellow", r
        orders = s.get("/v1/orders?limit=1000", token=officer).json["orders"]
        assert len(orders) == 60 and {o["list_id"] for o in orders} == {first}

        # a new version, activated during the episode: used from the next level change
        r = s.post("/v1/lists?year=2025&activate=true", body=body, token=officer,
                   headers={"Content-Type": "text/csv"})
        second = r.json["list_id"]
        assert r.json["version"] == 2 and second != first
        orders = s.get("/v1/orders?status=issued&limit=1000", token=officer).json["orders"]
        assert {o["list_id"] for o in orders} == {first}
        r = s.post("/v1/warnings", body=json_warning("L-2", "orange", msg_type="update",
                                                      references=["L-1"]), token=issuer)
        orders = s.get("/v1/orders?status=issued&limit=1000", token=officer).json["orders"]
        assert {o["list_id"] for o in orders} == {second} and {o["version"] for o in orders} == {2}
        old = s.get("/v1/orders?status=superseded&limit=1000", token=officer).json["orders"]
        assert {o["list_id"] for o in old} == {first}
        one = s.get(f"/v1/lists/{first}", token=officer).json
        assert one["report"]["rows"] == 95 and one["active"] is False, one
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_cli_import_report_and_versions, test_rejected_list_changes_nothing_and_lists_every_error,
          test_each_pollutant_is_checked_against_its_own_share,
          test_an_action_added_in_measures_json_needs_no_rebuild,
          test_http_upload_and_orders_keep_their_version])
