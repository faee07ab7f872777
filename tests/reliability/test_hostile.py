"""Hostile input: a generated corpus of malformed and hostile XML, JSON and
CSV against every endpoint that takes a body. Each is refused with
400/413/422 (never 5xx, never 2xx), nothing changes in the database, the
server stays up with bounded memory, and /etc/passwd never leaks."""

import json
import sqlite3
import threading

from harness import SMALL_LIST, Workdir, json_warning, main, make_token, seed_list, source
from rel import XServer, db_counts, rss_kb, scale

REFUSED = (400, 413, 415, 422)
PASSWD = ("root:x:0:0", "/bin/bash", "daemon:")


def good_cap():
    with open(source("tests", "data", "cap", "good_yellow_140826.xml"), encoding="utf-8") as f:
        return f.read()


def xml_corpus():
    cap = good_cap()
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    c = {
        "xxe_file": head + '<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    + cap.split("?>", 1)[1].replace("<headline>", "<headline>&x;"),
        "xxe_http": head + '<!DOCTYPE alert [<!ENTITY x SYSTEM "http://127.0.0.1:1/x">]><alert>&x;</alert>',
        "external_dtd": head + '<!DOCTYPE alert SYSTEM "file:///etc/passwd"><alert/>',
        "parameter_entity": head + '<!DOCTYPE a [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><a/>',
        "billion_laughs": head + f'<!DOCTYPE a [<!ENTITY l0 "ha">{lol}]><a>&l9;</a>',
        "quadratic": head + '<!DOCTYPE a [<!ENTITY b "' + "B" * 40000 + '">]><a>' + "&b;" * 20000 + "</a>",
        "deep_nesting": head + "<a>" * 10000 + "</a>" * 10000,
        "huge_text": cap.replace("<description>", "<description>" + "字" * 300000),
        "invalid_utf8": cap.replace("<headline>", "<headline>\udcff", 1).encode("utf-8", "surrogateescape"),
        "nul_bytes": cap.replace("<identifier>", "<identifier>\x00", 1),
        "truncated": cap[: len(cap) // 2],
        "xinclude": head + '<alert xmlns:xi="http://www.w3.org/2001/XInclude">'
                    '<xi:include href="file:///etc/passwd" parse="text"/></alert>',
        "wrong_namespace": cap.replace("urn:oasis:names:tc:emergency:cap:1.2", "urn:example:other"),
        "time_without_offset": cap.replace("+08:00", ""),
        "empty": "",
        "not_xml": "hello",
    }
    return {k: (v.encode("utf-8", "surrogateescape") if isinstance(v, str) else v) for k, v in c.items()}


def json_corpus():
    w = json.dumps(json_warning("H-1", "red"))
    c = {
        "deep_arrays": "[" * 5000 + "]" * 5000,
        "deep_objects": '{"a":' * 3000 + "1" + "}" * 3000,
        "duplicate_keys": '{"level":"red","level":"yellow","reason":"x","note":"a","note":"b"}',
        "wrong_types": '{"level":5,"reason":["x"],"note":7,"contact":{},"identifier":1}',
        "invalid_utf8": b'{"note":"\xff\xfe","reason":"\xc3\x28","level":"red"}',
        "raw_nul": b'{"note":"a\x00b","level":"red","reason":"x"}',
        "escaped_nul": '{"note":"a\\u0000b","level":"red","reason":"x"}',
        "lone_surrogate": '{"note":"\\ud800","level":"red","reason":"x"}',
        "trailing_garbage": '{"level":"red","reason":"x"} x',
        "top_level_array": '["level","red"]',
        "top_level_scalar": "42",
        "null": "null",
        "big_int": '{"level":"red","reason":"x","note":99999999999999999999999}',
        "nan": '{"level":NaN,"reason":"x"}',
        "unknown_fields": '{"note":"x","enterprise_override":"all","level":"red","reason":"x","extra":1}',
        "truncated": w[: len(w) // 2],
        "warning_no_offset": w.replace("+08:00", ""),
        "sql_and_format": '{"level":"red\'; DROP TABLE orders;--","reason":"%n%s%x","note":1}',
        "huge_key_count": "{" + ",".join(f'"k{i}":{i}' for i in range(50000)) + "}",
    }
    return {k: (v.encode() if isinstance(v, str) else v) for k, v in c.items()}


def csv_corpus():
    with open(source("scenarios", "jiang-county", "list.csv"), encoding="utf-8") as f:
        good = f.read()
    lines = good.splitlines()
    c = {
        "no_header": "\n".join(lines[1:]),
        "nul_bytes": good.replace(",", ",\x00", 3),
        "invalid_utf8": good.encode("utf-8")[:200] + b"\xff\xfe\xfa" + good.encode("utf-8")[200:],
        "unterminated_quote": lines[0] + '\n"9114082601234567CH,' + "x" * 1000,
        "bad_uscc": lines[0] + "\n" + lines[1].replace("9114082601234567CH", "9114082601234567CX"),
        "many_columns": lines[0] + "," + ",".join(f"c{i}" for i in range(20000)) + "\n" + lines[1],
        "huge_line": lines[0] + "\n" + lines[1].replace("绛县", "绛" * 200000, 1),
        "formula_injection": lines[0] + "\n" + lines[1].replace("9114082601234567CH", "=cmd|'/c calc'!A0"),
        "xml_in_csv": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
        "empty": "",
    }
    return {k: (v.encode() if isinstance(v, str) else v) for k, v in c.items()}


def state(db):
    counts = db_counts(db)
    con = sqlite3.connect(db)
    try:
        counts["acked"] = con.execute("SELECT count(*) FROM orders WHERE acknowledged_ms IS NOT NULL").fetchone()[0]
        counts["non_denial_audit"] = con.execute(
            "SELECT count(*) FROM audit WHERE result NOT IN ('forbidden','denied','refused') "
            "AND action != 'auth.denied'").fetchone()[0]
    finally:
        con.close()
    return counts


def test_hostile_corpus_refused():
    w = Workdir()
    s = XServer(w)
    try:
        issuer = make_token(s.db, "issuer", name="feed")
        officer = make_token(s.db, "officer", name="duty")
        monitor = make_token(s.db, "monitor", name="stations")
        ent = SMALL_LIST[0][0]
        etok = make_token(s.db, "enterprise", enterprise=ent)
        seed_list(s.db)
        s.start()
        r = s.post("/v1/warnings", body=json_warning("H-0", "yellow"), token=issuer)
        assert r.status == 200, r
        oid = [o for o in s.get("/v1/orders", token=etok).json["orders"]][0]["id"]
        xml, js, csv = xml_corpus(), json_corpus(), csv_corpus()
        # (path, token, corpus, content type)
        targets = [
            ("/v1/warnings", issuer, xml, "application/cap+xml"),
            ("/v1/warnings", issuer, js, "application/json"),
            ("/v1/warnings", issuer, xml, ""),
            ("/v1/escalations", officer, js, "application/json"),
            ("/v1/escalations", officer, xml, "application/json"),
            (f"/v1/orders/{oid}/ack", etok, js, "application/json"),
            (f"/v1/orders/{oid}/ack", etok, xml, "application/json"),
            (f"/v1/orders/{oid}/phone-ack", officer, js, "application/json"),
            (f"/v1/orders/{oid}/reissue", officer, js, "application/json"),
            ("/v1/lists", officer, csv, "text/csv"),
            ("/v1/lists", officer, xml, "application/xml"),
            ("/v1/readings", monitor, js, "application/json"),
            ("/v1/readings", monitor, csv, "text/csv"),
            ("/v1/compliance", monitor, js, "application/json"),
        ]
        # endpoints other parts may not have built yet: 404 means "not present"
        absent = {p for p in ("/v1/readings", "/v1/compliance")
                  if s.post(p, body=b"", token=monitor).status in (404, 405)}
        before = state(s.db)
        base_rss = rss_kb(s.proc.pid)
        sent = 0
        by_status = {}
        for path, tok, corpus, ctype in targets:
            if path in absent:
                continue
            for name, body in corpus.items():
                if name == "empty" and path.endswith("/ack"):
                    continue  # an acknowledgement may have no body at all
                h = {"Content-Type": ctype} if ctype else {}
                r = s.post(path, body=body, token=tok, headers=h, timeout=30)
                sent += 1
                by_status[r.status] = by_status.get(r.status, 0) + 1
                assert r.status in REFUSED, (path, ctype, name, r)
                assert r.json and "error" in r.json, (path, name, r)
                assert not any(p in r.text for p in PASSWD), (path, name, r.text[:300])
        # the XML corpus again, 20 at a time
        errors = []

        def burst(body):
            r = s.post("/v1/warnings", body=body, token=issuer, headers={"Content-Type": "application/xml"})
            if r.status not in REFUSED:
                errors.append(r)
        for _ in range(scale(2, 20)):
            ts = [threading.Thread(target=burst, args=(b,)) for b in xml.values()]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            sent += len(ts)
        assert not errors, errors[:3]
        after = state(s.db)
        assert before == after, (before, after)
        assert s.alive()
        rss = rss_kb(s.proc.pid)
        assert rss < base_rss * 2 + 200 * 1024, (base_rss, rss)
        s.stop()
        assert not any(p in s.stderr() for p in PASSWD), "passwd content in the log"
        notes = f"; not present (404): {sorted(absent)}" if absent else ""
        print(f"hostile: {sent} hostile bodies ({len(xml)} XML, {len(js)} JSON, {len(csv)} CSV kinds) "
              f"refused {dict(sorted(by_status.items()))}; no state change; RSS {base_rss}->{rss} kB"
              f"{notes}", flush=True)
    finally:
        s.stop()
        w.cleanup()


if __name__ == "__main__":
    main([test_hostile_corpus_refused])
