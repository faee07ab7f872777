-- Monitoring stations, their hourly readings, and the local trigger's proposals and runs.
CREATE TABLE stations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('official','lowcost')),  -- lowcost never counts
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    updated_ms  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL
) STRICT;

-- One hourly mean per station, pollutant and hour; a repeat replaces the value.
CREATE TABLE readings (
    station      TEXT NOT NULL REFERENCES stations(id),
    pollutant    TEXT NOT NULL,                 -- so2 no2 pm10 pm25 co o3
    at_ms        INTEGER NOT NULL,              -- end of the hour, UTC
    value        REAL NOT NULL,                 -- ug/m3, CO mg/m3
    source       TEXT NOT NULL,                 -- json, sensor_community
    received_ms  INTEGER NOT NULL,
    received_by  TEXT NOT NULL,
    PRIMARY KEY (station, pollutant, at_ms)
) STRICT, WITHOUT ROWID;
CREATE INDEX readings_at ON readings(at_ms);

CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    level       TEXT NOT NULL,
    evidence    TEXT NOT NULL,                  -- JSON: criteria, hours and values
    created_ms  INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open','accepted','dismissed')),
    decided_by  TEXT,
    decided_ms  INTEGER,
    reason      TEXT
) STRICT;
CREATE UNIQUE INDEX proposals_one_open ON proposals(level) WHERE state = 'open';

-- The hour the local trigger last ran for, so the timer runs it once an hour.
CREATE TABLE trigger_runs (
    drill        INTEGER PRIMARY KEY,
    last_hour_ms INTEGER NOT NULL
) STRICT;
