"""The authorisation matrix, derived from the route tables in
engine/api/*.c (so a new route is covered the day it is added): every
route x every role x own/other object, plus missing, forged, revoked and
malformed tokens; then the audit chain after several kinds of tampering."""

import glob
import re
import shutil
import sqlite3

from harness import SMALL_LIST, Workdir, json_warning, main, make_token, run, seed_list, source
from rel import XServer

ROUTE_RE = re.compile(r'\{\s*HTTP_(GET|POST|PUT|DELETE|HEAD)\s*,\s*"([^"]+)"\s*,\s*([^,]+?)\s*,')
ROLES = ("issuer", "officer", "monitor", "enterprise", "admin")


def parse_routes():
    """(method, pattern, set of roles or None for 'anyone') from the C tables."""
    out = []
    for path in sorted(glob.glob(source("engine", "api", "*.c"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in ROUTE_RE.finditer(text):
            method, pattern, mask = m.groups()
            mask = mask.strip()
            if mask == "0":
                roles = None
            else:
                roles = {r.strip()[len("ROLE_"):].lower() for r in mask.split("|")}
                assert roles <= set(ROLES), (path, mask)
            out.append((method, pattern, roles))
    return out


def test_route_role_matrix():
    routes = parse_routes()
    assert len(routes) >= 15, routes
    w = Workdir()
    s = XServer(w)
    try:
        db = s.db
        ent_a, ent_b = SMALL_LIST[0][0], SMALL_LIST[2][0]
        tok = {r: make_token(db, r, name=f"{r}-1") for r in ROLES if r != "enterprise"}
        tok["enterprise"] = make_token(db, "enterprise", enterprise=ent_a)
        tok_b = make_token(db, "enterprise", enterprise=ent_b)
        revoked = make_token(db, "officer", name="gone")
        gone_id = [ln.split()[0] for ln in run("token", "list", "--db", db).stdout.splitlines()
                   if "gone" in ln][0]
        run("token", "revoke", gone_id, "--db", db)
        seed_list(db)
        s.start()
        r = s.post("/v1/warnings", body=json_warning("M-1", "orange"), token=tok["issuer"])
        assert r.status == 200, r
        orders = s.get("/v1/orders?limit=100", token=tok["officer"]).json["orders"]
        own = [o["id"] for o in orders if o["enterprise"] == ent_a][0]
        other = [o["id"] for o in orders if o["enterprise"] == ent_b][0]

        def denied_count():
            con = sqlite3.connect(db)
            try:
                return con.execute("SELECT count(*) FROM audit WHERE action='auth.denied'").fetchone()[0]
            finally:
                con.close()

        cells = n401 = n403 = 0
        expect_audit = 0
        before = denied_count()
        bad_tokens = {"missing": None, "forged": "smg_" + "A" * 43, "revoked": revoked,
                      "wrong_scheme": ("Basic", tok["officer"]), "empty_bearer": "",
                      "long": "smg_" + "x" * 5000, "nul": "smg_\x00abc"}
        failures = []
        for method, pattern, roles in routes:
            for obj in ("own", "other") if pattern.startswith("/v1/orders/{}") else ("none",):
                path = pattern.replace("{}", str(own if obj == "own" else other), 1).replace("{}", "1")
                if "{}" in pattern and not pattern.startswith("/v1/orders/{}"):
                    path = pattern.replace("{}", "1")
                body = {} if method in ("POST", "PUT") else None
                for role in ROLES:
                    r = s.request(method, path, body=body, token=tok[role])
                    cells += 1
                    if roles is None:
                        want = "served"
                    elif role not in roles:
                        want = 403
                    elif role == "enterprise" and obj == "other" and pattern.startswith("/v1/orders/{}"):
                        want = 403
                    else:
                        want = "served"
                    got_ok = (r.status not in (401, 403) and r.status < 500) if want == "served" \
                        else r.status == want
                    if not got_ok:
                        failures.append((method, path, role, obj, want, r.status, r.raw[:120]))
                    if r.status == 403:
                        n403 += 1
                        if want == 403 and role not in (roles or ()):
                            expect_audit += 1
                if roles is None:
                    continue
                for label, t in bad_tokens.items():
                    h = {}
                    if isinstance(t, tuple):
                        h["Authorization"] = f"{t[0]} {t[1]}"
                        t = None
                    elif t is not None:
                        h["Authorization"] = f"Bearer {t}"
                    try:
                        r = s.request(method, path, body=body, headers=h)
                    except ValueError:
                        continue  # the client library refuses a NUL in a header
                    cells += 1
                    if r.status != 401:
                        failures.append((method, path, label, obj, 401, r.status, r.raw[:120]))
                    else:
                        n401 += 1
                        expect_audit += 1
                        assert r.json["error"]["code"] == "unauthorized", r
        assert not failures, "\n".join(map(str, failures[:20]))
        # the other enterprise's token can still see its own order
        assert s.get(f"/v1/orders/{other}", token=tok_b).status == 200
        # every 401 and wrong-role 403 was audited
        assert denied_count() - before == expect_audit, (denied_count() - before, expect_audit)
        s.stop()
        p = run("audit", "verify", "--db", db)
        assert "intact" in p.stdout, p.stdout
        print(f"auth matrix: {len(routes)} routes from the route tables, {cells} cells "
              f"({n401} x 401, {n403} x 403), every denial audited, chain intact", flush=True)
    finally:
        s.stop()
        w.cleanup()


def verify_first_bad(db):
    p = run("audit", "verify", "--db", db, check=False)
    assert p.returncode == 1, p
    m = re.search(r"row (\d+)", p.stdout)
    assert m, p.stdout
    return int(m.group(1))


def test_audit_tamper_kinds():
    """test_foundation edits one row's actor; here: a forged hash, a
    deleted row, a row appended without the chain, and a reordered pair."""
    w = Workdir()
    try:
        src = w.file("src.db")
        for i in range(12):
            make_token(src, "officer", name=f"o{i}")
        s = XServer(w, db=src)
        s.start()
        for _ in range(8):
            s.get("/v1/status")  # denied: one audit row each
        s.stop()
        con = sqlite3.connect(src)
        n = con.execute("SELECT count(*) FROM audit").fetchone()[0]
        con.close()
        assert n >= 8, n
        kinds = {
            # a hash that already began with 00 stayed the same (1 run in 256 passed nothing)
            "hash_rewritten": ("UPDATE audit SET hash = CASE substr(hash, 1, 2) WHEN '00' THEN 'ff' "
                               "ELSE '00' END || substr(hash, 3) WHERE seq = 5", 5),
            "row_deleted": ("DELETE FROM audit WHERE seq = 4", 5),
            "row_appended": ("INSERT INTO audit (at_ms, actor, role, action, object, result, detail, "
                             "prev_hash, hash) VALUES (0, 'x', 'admin', 'token.create', 'x', 'ok', '', "
                             "'0', '0')", n + 1),
            "detail_changed": ("UPDATE audit SET detail = 'edited' WHERE seq = 6", 6),
        }
        for name, (sql, first_bad) in kinds.items():
            db = w.file(f"{name}.db")
            shutil.copy(src, db)
            con = sqlite3.connect(db)
            con.execute("DROP TRIGGER audit_no_update")
            con.execute("DROP TRIGGER audit_no_delete")
            con.execute(sql)
            con.commit()
            con.close()
            got = verify_first_bad(db)
            assert got == first_bad, (name, got, first_bad)
        print(f"audit tamper: {len(kinds)} kinds of tampering, each named at its first bad row", flush=True)
    finally:
        w.cleanup()


if __name__ == "__main__":
    main([test_route_role_matrix, test_audit_tamper_kinds])
