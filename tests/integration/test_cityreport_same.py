"""The figures of the reports to the city did not change when they stopped
turning every order into JSON: the jiang-county scenario (60 enterprises,
yellow -> orange -> red -> lifted, superseded versions, late and missing
acknowledgements, a violation) is replayed into a database and its daily
and summary reports at three times must equal, byte for byte, the JSON the
previous implementation wrote (tests/integration/data/cityreport_jiang)."""

import os

from harness import SOURCE_DIR, Workdir, main, run

DATA = os.path.join(SOURCE_DIR, "tests", "integration", "data", "cityreport_jiang")
TIMES = ["2025-12-02T16:00:00", "2025-12-03T10:30:00", "2025-12-04T18:00:00"]


def test_reports_as_before():
    w = Workdir()
    db = w.file("jiang.db")
    run("replay", os.path.join(SOURCE_DIR, "scenarios", "jiang-county", "scenario.json"),
        "--db", db)
    for kind in ("daily", "summary"):
        for at in TIMES:
            got = run("cityreport", kind, "--episode", "1", "--at", at + "+08:00",
                      "--db", db).stdout
            with open(os.path.join(DATA, f"{kind}_{at}.json"), encoding="utf-8") as f:
                want = f.read()
            assert got == want, (kind, at)


if __name__ == "__main__":
    main([test_reports_as_before])
