-- Orders (one row per enterprise and version within an episode), acknowledgements and the outbox.
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    episode_id       INTEGER NOT NULL REFERENCES episodes(id),
    enterprise       TEXT NOT NULL,
    enterprise_name  TEXT NOT NULL,
    town             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    level            TEXT NOT NULL,
    list_id          INTEGER NOT NULL REFERENCES lists(id),
    drill            INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('issued','acknowledged','superseded','lifted')),
    measures         TEXT NOT NULL,             -- JSON array of {line, action, limit_pct, text}
    decision_id      INTEGER NOT NULL REFERENCES decisions(id),
    issued_ms        INTEGER NOT NULL,
    effective_from_ms INTEGER NOT NULL,
    ack_deadline_ms  INTEGER NOT NULL,
    acknowledged_ms  INTEGER,
    ack_by           TEXT,
    ack_channel      TEXT,                      -- enterprise, officer_phone
    ack_note         TEXT,
    ack_contact      TEXT,
    ended_ms         INTEGER,
    replaced_by      INTEGER REFERENCES orders(id),
    reissue_reason   TEXT,
    overdue          INTEGER NOT NULL DEFAULT 0,
    compliance       TEXT NOT NULL DEFAULT 'unknown',
    UNIQUE (episode_id, enterprise, version)
) STRICT;
CREATE INDEX orders_current ON orders(enterprise, status) WHERE status IN ('issued','acknowledged');
CREATE INDEX orders_episode ON orders(episode_id, status);
CREATE INDEX orders_deadline ON orders(ack_deadline_ms) WHERE status = 'issued' AND overdue = 0;

-- Notices to deliver, written in the same transaction as the decision that causes them.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,           -- receivers deduplicate on it
    kind        TEXT NOT NULL,                  -- order_issued, order_superseded, order_lifted, ack_reminder, officer_alert
    order_id    INTEGER REFERENCES orders(id),
    enterprise  TEXT,
    drill       INTEGER NOT NULL DEFAULT 0,
    payload     TEXT NOT NULL,                  -- JSON
    created_ms  INTEGER NOT NULL,
    deadline_ms INTEGER                         -- undelivered past this: officer alert
) STRICT;
