-- Compliance evidence (meter and emission readings, inspections, gate records)
-- and the judgement of each order line.

-- One reading of a meter at a time; the same uscc + line + metric + time
-- again replaces the value. Hourly means are computed when judging.
CREATE TABLE meter_samples (
    id          INTEGER PRIMARY KEY,
    uscc        TEXT NOT NULL,
    line        TEXT NOT NULL,
    metric      TEXT NOT NULL CHECK (metric IN ('power_kw','so2_mg_m3','nox_mg_m3','pm_mg_m3')),
    value       REAL NOT NULL,
    flow_m3_h   REAL,                           -- stack flow, emission metrics only
    at_ms       INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    received_by TEXT NOT NULL,
    UNIQUE (uscc, line, metric, at_ms)
) STRICT;

-- On-site inspections by duty officers; the same line and time again replaces.
CREATE TABLE inspections (
    id          INTEGER PRIMARY KEY,
    uscc        TEXT NOT NULL,
    line        TEXT NOT NULL,
    result      TEXT NOT NULL CHECK (result IN ('compliant','violation')),
    note        TEXT NOT NULL DEFAULT '',
    photo       TEXT,
    at_ms       INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    inspector   TEXT NOT NULL,
    UNIQUE (uscc, line, at_ms)
) STRICT;

-- Heavy trucks seen at a plant gate, with their China emission stage.
CREATE TABLE gate_records (
    id          INTEGER PRIMARY KEY,
    uscc        TEXT NOT NULL,
    plate       TEXT NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('CN3','CN4','CN5','CN6','EV')),
    stage_num   INTEGER NOT NULL,               -- 3..6; EV 99 (never banned)
    at_ms       INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    received_by TEXT NOT NULL,
    UNIQUE (uscc, plate, at_ms)
) STRICT;
CREATE INDEX gate_records_uscc ON gate_records(uscc, at_ms);

-- The latest judgement of each line of an order (line '(trucks)' for the
-- truck ban), updated in place.
CREATE TABLE compliance_judgements (
    order_id     INTEGER NOT NULL REFERENCES orders(id),
    line         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('unknown','compliant','violation','not_judged')),
    threshold_kw REAL NOT NULL,
    evidence     TEXT NOT NULL,                 -- JSON object
    judged_ms    INTEGER NOT NULL,
    UNIQUE (order_id, line)
) STRICT;

-- How many times an order turned to violation (numbers its officer alerts).
CREATE TABLE compliance_orders (
    order_id    INTEGER PRIMARY KEY REFERENCES orders(id),
    violations  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- When the hourly re-judgement last ran.
CREATE TABLE compliance_clock (
    one            INTEGER PRIMARY KEY CHECK (one = 1),
    last_hourly_ms INTEGER NOT NULL
) STRICT;
