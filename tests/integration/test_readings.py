"""Stations, readings, HJ 633 AQI views and the local trigger, over HTTP
against the real server with a real SQLite file."""

import datetime as dt
import json
import math
import os
import shutil
import sqlite3

from harness import (CST, SMALL_LIST, Server, Workdir, json_warning, main, make_token,
                     rfc3339, seed_list, source)

ENTERPRISES = sorted({r[0] for r in SMALL_LIST})


def last_hour():
    """End of the last whole hour (readings may not be in the future)."""
    now = dt.datetime.now(CST)
    return now.replace(minute=0, second=0, microsecond=0)


def hours_back(n, end=None):
    """The n hour ends up to `end` (default the last whole hour), oldest first."""
    end = end or last_hour()
    return [end - dt.timedelta(hours=k) for k in range(n - 1, -1, -1)]


def reading(station, pollutant, value, at, unit="ug/m3"):
    return {"station": station, "pollutant": pollutant, "value": value, "unit": unit,
            "period": "1h", "at": rfc3339(at)}


def iaqi(c, bp, ia):
    """HJ 633: linear interpolation, rounded up."""
    for k in range(1, len(bp)):
        if c <= bp[k]:
            return math.ceil((ia[k] - ia[k - 1]) / (bp[k] - bp[k - 1]) * (c - bp[k - 1]) + ia[k - 1])
    return 500


IA = [0, 50, 100, 150, 200, 300, 400, 500]
PM25_24H = [0, 35, 75, 115, 150, 250, 350, 500]
NO2_1H = [0, 100, 200, 700, 1200, 2340, 3090, 3840]


class Site:
    def __init__(self, args=(), list_seed=False):
        self.w = Workdir()
        self.s = Server(self.w, args=args)
        self.officer = make_token(self.s.db, "officer", name="duty-1")
        self.monitor = make_token(self.s.db, "monitor", name="station-feed")
        if list_seed:
            seed_list(self.s.db)
        self.s.start()

    def station(self, sid, kind="official", name=None):
        r = self.s.request("PUT", f"/v1/stations/{sid}", body={
            "name": name or f"{sid} 监测站", "kind": kind, "lat": 35.49, "lon": 111.57},
            token=self.officer)
        assert r.status == 200 and r.json["kind"] == kind, r
        return r

    def post(self, readings):
        return self.s.post("/v1/readings", body={"readings": readings}, token=self.monitor)

    def get(self, path):
        r = self.s.get(path, token=self.officer)
        assert r.status == 200, r
        return r

    def close(self):
        self.s.stop()
        self.w.cleanup()


def test_stations_and_rejections():
    e = Site()
    try:
        e.station("S1")
        e.station("S1", name="县城站")  # PUT again updates
        r = e.get("/v1/stations").json["stations"]
        assert [(x["id"], x["name"], x["kind"]) for x in r] == [("S1", "县城站", "official")], r
        assert r[0]["readings"] == 0 and r[0]["stale"] is True and r[0]["last_reading_at"] is None

        bad = e.s.request("PUT", "/v1/stations/S2", body={"name": "x", "kind": "cheap", "lat": 1, "lon": 2},
                          token=e.officer)
        assert bad.status == 422 and bad.json["error"]["code"] == "bad_kind", bad
        bad = e.s.request("PUT", "/v1/stations/S2", body={"name": "x", "kind": "official", "lat": 99, "lon": 2},
                          token=e.officer)
        assert bad.status == 422 and bad.json["error"]["code"] == "bad_position", bad
        # wrong roles
        assert e.s.post("/v1/readings", body={"readings": []}, token=e.officer).status == 403
        assert e.s.get("/v1/aqi", token=e.monitor).status == 403

        h = last_hour()
        future = h + dt.timedelta(hours=2)
        batch = [
            reading("S1", "pm25", 80, h),                     # 0 good
            reading("S1", "pm25", -5, h - dt.timedelta(hours=1)),  # 1 negative
            reading("S1", "pm10", "lots", h),                 # 2 not a number
            reading("S1", "benzene", 3, h),                   # 3 unknown pollutant
            reading("S1", "no2", 40, h, unit="ppb"),          # 4 unknown unit
            reading("S1", "so2", 10, future),                 # 5 in the future
            reading("NOPE", "pm25", 50, h),                   # 6 unknown station
            reading("S1", "co", 1.2, h, unit="mg/m3"),        # 7 good
        ]
        r = e.post(batch)
        assert r.status == 200, r
        assert r.json["accepted"] == 2, r
        codes = [(x["index"], x["code"]) for x in r.json["rejected"]]
        assert codes == [(1, "negative_value"), (2, "not_a_number"), (3, "unknown_pollutant"),
                         (4, "unknown_unit"), (5, "time_in_future"), (6, "unknown_station")], codes
        assert "readings[6].station" in r.json["rejected"][5]["message"]

        # malformed body 400, oversize 413, too many readings 413
        r = e.s.post("/v1/readings", body='{"readings": [', token=e.monitor,
                     headers={"Content-Type": "application/json"})
        assert r.status == 400, r
        r = e.s.post("/v1/readings", body="x" * (1024 * 1024 + 10), token=e.monitor,
                     headers={"Content-Type": "application/json"})
        assert r.status == 413, r
        r = e.post([reading("S1", "pm25", 1, h)] * 10001)
        assert r.status == 413, r

        # the same station + pollutant + hour replaces the earlier value
        r = e.post([reading("S1", "pm25", 120, h)])
        assert r.status == 200 and r.json == {"accepted": 1, "rejected": []}, r
        con = sqlite3.connect(e.s.db)
        rows = con.execute("SELECT value FROM readings WHERE station='S1' AND pollutant='pm25'").fetchall()
        con.close()
        assert rows == [(120.0,)], rows
    finally:
        e.close()


def test_aqi_values_county_and_history():
    e = Site()
    try:
        e.station("S1")
        e.station("S2")
        e.station("L1", kind="lowcost")
        e.station("S3")  # registered, never reports: stale
        hours = hours_back(24)
        h = hours[-1]
        batch = [reading("S1", "pm25", 160, t) for t in hours]
        batch += [reading("S2", "pm25", 100, t) for t in hours]
        batch.append(reading("S1", "no2", 250, h))
        r = e.post(batch)
        assert r.status == 200 and r.json["accepted"] == len(batch), r

        # a low-cost push: shown, never in the county
        r = e.s.post("/v1/readings/sensor-community", token=e.monitor, headers={"X-Sensor": "L1"},
                     body={"esp8266id": "123", "sensordatavalues": [
                         {"value_type": "P1", "value": "600.0"}, {"value_type": "P2", "value": "480.5"},
                         {"value_type": "temperature", "value": "3.2"}]})
        assert r.status == 200 and r.json["accepted"] == 2, r
        r = e.s.post("/v1/readings/sensor-community", token=e.monitor, headers={"X-Sensor": "S1"},
                     body={"sensordatavalues": [{"value_type": "P2", "value": "1"}]})
        assert r.status == 422 and r.json["error"]["code"] == "not_lowcost", r
        r = e.s.post("/v1/readings/sensor-community", token=e.monitor,
                     body={"sensordatavalues": [{"value_type": "P2", "value": "1"}]})
        assert r.status == 422 and r.json["error"]["code"] == "missing_sensor", r

        a = e.get("/v1/aqi").json
        st = {x["station"]: x for x in a["stations"]}
        assert set(st) == {"S1", "S2", "S3", "L1"}
        s1 = st["S1"]
        assert s1["kind"] == "official" and s1["stale"] is False
        # PM2.5 24 h mean 160 lies in the 150..250 segment (IAQI 200..300):
        # ceil((300-200)/(250-150)*(160-150)+200) = 210
        want = iaqi(160, PM25_24H, IA)
        assert want == 210
        assert s1["daily"]["aqi"] == 210 and s1["daily"]["primary"] == ["pm25"], s1["daily"]
        assert s1["hourly"]["aqi"] == 210 and s1["hourly"]["category"] == "heavy", s1["hourly"]
        assert s1["hourly"]["color"] == "purple" and s1["hourly"]["at"] == rfc3339(h), s1["hourly"]
        p = s1["hourly"]["pollutants"]
        assert p["pm25"]["iaqi"] == 210 and p["pm25"]["valid_hours"] == 24 and p["pm25"]["period"] == "24h"
        assert p["no2"]["iaqi"] == iaqi(250, NO2_1H, IA) == 105 and p["no2"]["period"] == "1h", p
        # one NO2 hour is too few for a 24-hour mean: flagged, not dropped
        assert s1["daily"]["pollutants"]["no2"]["insufficient"] is True, s1["daily"]
        assert st["S2"]["daily"]["aqi"] == iaqi(100, PM25_24H, IA) == 132
        assert st["S3"]["hourly"] is None and st["S3"]["stale"] is True
        lc = st["L1"]["hourly"]
        assert lc["pollutants"]["pm25"]["insufficient"] is True and lc["pollutants"]["pm25"]["iaqi"] is None, lc
        assert lc["aqi"] is None and lc["pollutants"]["pm25"]["valid_hours"] == 1, lc
        # county: mean of the official stations (160 + 100) / 2 = 130 -> 172
        c = a["county"]
        assert c["stations"] == 2, c
        assert c["hourly"]["aqi"] == iaqi(130, PM25_24H, IA) == 172, c
        assert c["daily"]["pollutants"]["pm25"]["concentration"] == 130.0, c

        one = e.get("/v1/aqi?station=S2").json
        assert [x["station"] for x in one["stations"]] == ["S2"] and one["county"]["hourly"]["aqi"] == 172
        assert e.s.get("/v1/aqi?station=NOPE", token=e.officer).status == 404

        # history: JSON for the county, CSV for a station
        frm = rfc3339(h - dt.timedelta(hours=3)).replace("+", "%2B")
        to = rfc3339(h).replace("+", "%2B")
        hist = e.get(f"/v1/aqi/history?from={frm}&to={to}").json
        assert [x["at"] for x in hist["hours"]] == [rfc3339(h - dt.timedelta(hours=k)) for k in (2, 1, 0)], hist
        # 24-hour means need 20 valid hours: 22, 23 and 24 of them here
        assert [x["aqi"] for x in hist["hours"]] == [172, 172, 172], hist
        r = e.get(f"/v1/aqi/history?station=S1&from={frm}&to={to}&format=csv")
        assert r.headers["Content-Type"].startswith("text/csv"), r.headers
        lines = r.text.strip().split("\n")
        assert lines[0] == "at,aqi,category,primary,so2,no2,pm10,pm25,co,o3", lines
        assert lines[-1] == f"{rfc3339(h)},210,heavy,pm25,,250.0,,160.0,,", lines
        bad = e.s.get(f"/v1/aqi/history?from={to}&to={frm}", token=e.officer)
        assert bad.status == 422 and bad.json["error"]["code"] == "bad_range", bad

        # stale stations in /v1/status and /metrics
        s = e.get("/v1/status").json
        assert s["stations"] == {"total": 4, "stale": ["S3"]}, s
        m = e.s.get("/metrics").text
        assert 'smogd_station_stale{station="S3"} 1' in m and 'smogd_station_stale{station="S1"} 0' in m, m
        assert f"smogd_readings_total {len(batch) + 2}" in m, m
        # default propose mode, but no 24 straight hours above 200: nothing proposed
        assert e.get("/v1/proposals").json["proposals"] == []
    finally:
        e.close()


def test_forecast_check_on_warning():
    e = Site()
    try:
        issuer = make_token(e.s.db, "issuer")
        r = e.s.post("/v1/warnings", body=json_warning("F-1", "yellow", forecast=[160, 210, 120]),
                     token=issuer)
        assert r.status == 200 and r.json["applied"], r
        w = e.get(f"/v1/warnings/{r.json['warning_id']}").json
        assert w["forecast_check"] == {"level": "yellow", "matches": True}, w
        r = e.s.post("/v1/warnings", body=json_warning("F-2", "yellow", forecast=[230, 240, 250]),
                     token=issuer)
        w = e.get(f"/v1/warnings/{r.json['warning_id']}").json
        assert w["forecast_check"] == {"level": "orange", "matches": False}, w
        # no readings were posted: the timer alone ran the trigger for this hour
        con = sqlite3.connect(e.s.db)
        runs = con.execute("SELECT drill, last_hour_ms FROM trigger_runs").fetchall()
        con.close()
        hour_ms = int(last_hour().timestamp()) * 1000
        assert runs and runs[0][0] == 0 and runs[0][1] >= hour_ms, runs
    finally:
        e.close()


def heavy(station, n=48, value=250):
    """n hours of PM2.5 at `value` (IAQI 300 for 250) ending at the last hour."""
    return [reading(station, "pm25", value, t) for t in hours_back(n)]


def test_propose_accept_and_lowcost_never_counts():
    e = Site(list_seed=True)
    try:
        e.station("S1")
        e.station("L1", kind="lowcost")
        r = e.post(heavy("L1", value=400))
        assert r.status == 200 and r.json["accepted"] == 48, r
        assert e.get("/v1/proposals").json["proposals"] == []
        assert e.get("/v1/status").json["level"] == "none"

        r = e.post(heavy("S1"))
        assert r.status == 200 and r.json["accepted"] == 48, r
        props = e.get("/v1/proposals").json["proposals"]
        assert len(props) == 1, props
        p = props[0]
        assert p["level"] == "yellow" and p["state"] == "open", p
        ev = p["evidence"]
        assert ev["criteria"] == "criteria-2024" and ev["stations"] == 1, ev
        assert ev["hours"][-1]["aqi"] == 300 and ev["hours"][-1]["pm25_primary"] is True, ev
        # propose mode never moves the level by itself
        assert e.get("/v1/status").json["level"] == "none"
        # the same data again: still one open proposal per level
        e.post(heavy("S1"))
        assert len(e.get("/v1/proposals?state=open").json["proposals"]) == 1

        r = e.s.post(f"/v1/proposals/{p['id']}/accept", body={"reason": "值班确认"}, token=e.officer)
        assert r.status == 200 and r.json["level"] == "yellow", r
        assert r.json["sources"]["manual"] == "yellow" and r.json["orders"]["active"] == len(ENTERPRISES), r
        p2 = e.get("/v1/proposals").json["proposals"][0]
        assert p2["state"] == "accepted" and p2["decided_by"] and p2["reason"] == "值班确认", p2
        r = e.s.post(f"/v1/proposals/{p['id']}/accept", body={"reason": "again"}, token=e.officer)
        assert r.status == 409 and r.json["error"]["code"] == "proposal_not_open", r
        r = e.s.post("/v1/proposals/999/dismiss", body={"reason": "x"}, token=e.officer)
        assert r.status == 404, r
        con = sqlite3.connect(e.s.db)
        reason = con.execute("SELECT reason FROM decisions WHERE source='manual'").fetchone()[0]
        con.close()
        assert f"proposal {p['id']}" in reason, reason
    finally:
        e.close()


def test_activate_raises_and_falls_back():
    w0 = Workdir()
    rules = w0.file("rules")
    shutil.copytree(source("rules"), rules)
    with open(os.path.join(rules, "local-trigger.json")) as f:
        lt = json.load(f)
    lt["mode"] = "activate"
    with open(os.path.join(rules, "local-trigger.json"), "w") as f:
        json.dump(lt, f)
    e = Site(args=["--rules", rules], list_seed=True)
    try:
        e.station("S1")
        e.station("L1", kind="lowcost")
        e.post(heavy("L1", value=400))
        assert e.get("/v1/status").json["level"] == "none"
        r = e.post(heavy("S1"))
        assert r.status == 200, r
        s = e.get("/v1/status").json
        assert s["level"] == "yellow" and s["sources"]["local"] == "yellow", s
        assert s["orders"]["active"] == len(ENTERPRISES), s
        assert e.get("/v1/proposals").json["proposals"] == []
        ep = e.get(f"/v1/episodes/{s['episode_id']}").json
        d = [x for x in ep["timeline"] if x["source"] == "local"]
        assert len(d) == 1 and d[0]["to"] == "yellow" and d[0]["actor"] == "system", ep["timeline"]
        assert d[0]["reason"].startswith("local trigger (criteria-2024, activate): none -> yellow"), d
        con = sqlite3.connect(e.s.db)
        detail = con.execute("SELECT detail FROM audit WHERE action='level.local'").fetchone()[0]
        con.close()
        assert json.loads(detail)["hours"][-1]["aqi"] == 300

        # corrected data: the rule has not held anywhere in the window, far
        # longer than the 12 hysteresis hours, so the local floor falls back
        r = e.post(heavy("S1", value=30))
        assert r.status == 200, r
        s = e.get("/v1/status").json
        assert s["level"] == "none" and s["sources"]["local"] == "none", s
    finally:
        e.close()
        w0.cleanup()


if __name__ == "__main__":
    main([test_stations_and_rejections, test_aqi_values_county_and_history, test_forecast_check_on_warning,
          test_propose_accept_and_lowcost_never_counts, test_activate_raises_and_falls_back])
