-- Municipal warnings, floors set by the county, episodes and every level decision.
CREATE TABLE warnings (
    id           INTEGER PRIMARY KEY,
    sender       TEXT NOT NULL,
    identifier   TEXT NOT NULL,
    sent_ms      INTEGER NOT NULL,
    msg_type     TEXT NOT NULL,                 -- alert, update, cancel, ack, error
    status       TEXT NOT NULL,                 -- actual, exercise, test, system, draft
    drill        INTEGER NOT NULL DEFAULT 0,    -- exercise: kept apart from real figures
    level        TEXT NOT NULL,
    pollutant    TEXT NOT NULL DEFAULT '',
    start_ms     INTEGER NOT NULL,              -- onset, else effective, else sent
    expires_ms   INTEGER,                       -- NULL: until cancelled
    areas        TEXT NOT NULL DEFAULT '',      -- geocodes as received, space separated
    towns        TEXT NOT NULL DEFAULT '',      -- towns in scope; '' = county-wide
    headline     TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    forecast     TEXT NOT NULL DEFAULT '',      -- JSON array of daily AQI, if given
    format       TEXT NOT NULL,                 -- cap or json
    original     BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    applied      INTEGER NOT NULL,
    reason       TEXT NOT NULL,                 -- applied, not_applicable, expired, ...
    state        TEXT NOT NULL CHECK (state IN
                 ('scheduled','active','expired','replaced','cancelled','recorded')),
    replaced_by  INTEGER REFERENCES warnings(id),
    references_  TEXT NOT NULL DEFAULT '',
    received_ms  INTEGER NOT NULL,
    received_by  TEXT NOT NULL,
    ended_ms     INTEGER,
    UNIQUE (sender, identifier)
) STRICT;
CREATE INDEX warnings_pending ON warnings(state) WHERE state IN ('scheduled','active');
CREATE INDEX warnings_identifier ON warnings(identifier);

CREATE TABLE floors (
    drill   INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('manual','local')),
    level   TEXT NOT NULL,
    reason  TEXT NOT NULL,
    set_by  TEXT NOT NULL,
    set_ms  INTEGER NOT NULL,
    PRIMARY KEY (drill, kind)
) STRICT;

CREATE TABLE episodes (
    id          INTEGER PRIMARY KEY,
    drill       INTEGER NOT NULL,
    opened_ms   INTEGER NOT NULL,
    closed_ms   INTEGER,
    max_level   TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX episodes_one_open ON episodes(drill) WHERE closed_ms IS NULL;

CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    episode_id  INTEGER REFERENCES episodes(id),
    drill       INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    from_level  TEXT NOT NULL,
    to_level    TEXT NOT NULL,
    source      TEXT NOT NULL,                  -- municipal, local, manual, timer
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    municipal   TEXT NOT NULL,                  -- the sources' levels after the decision
    local       TEXT NOT NULL,
    manual      TEXT NOT NULL,
    warning_id  INTEGER REFERENCES warnings(id),
    orders_issued     INTEGER NOT NULL DEFAULT 0,
    orders_superseded INTEGER NOT NULL DEFAULT 0,
    orders_lifted     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX decisions_episode ON decisions(episode_id);
