-- The yearly emission-reduction lists, one version per import.
CREATE TABLE lists (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    source       TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    imported_ms  INTEGER NOT NULL,
    imported_by  TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 0,
    activated_ms INTEGER,
    line_count   INTEGER NOT NULL,
    enterprise_count INTEGER NOT NULL,
    report       TEXT NOT NULL,                 -- JSON validation and reduction report
    UNIQUE (year, version)
) STRICT;
CREATE UNIQUE INDEX lists_one_active ON lists(active) WHERE active = 1;

CREATE TABLE list_lines (
    id         INTEGER PRIMARY KEY,
    list_id    INTEGER NOT NULL REFERENCES lists(id),
    uscc       TEXT NOT NULL,
    name       TEXT NOT NULL,
    town       TEXT NOT NULL,
    industry   TEXT NOT NULL,
    grade      TEXT NOT NULL,
    line       TEXT NOT NULL,
    so2        REAL NOT NULL,
    nox        REAL NOT NULL,
    pm         REAL NOT NULL,
    vocs       REAL NOT NULL,
    power_kw   REAL NOT NULL,
    -- the measure per level: action halt|limit|voluntary, cut percent, free text
    y_action TEXT NOT NULL, y_pct REAL NOT NULL, y_text TEXT NOT NULL,
    o_action TEXT NOT NULL, o_pct REAL NOT NULL, o_text TEXT NOT NULL,
    r_action TEXT NOT NULL, r_pct REAL NOT NULL, r_text TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',        -- extra columns, JSON object
    source_line INTEGER NOT NULL,
    UNIQUE (list_id, uscc, line)
) STRICT;
