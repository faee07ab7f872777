-- Delivery of the outbox: contacts per enterprise, one delivery per notice, channel and
-- recipient, and every attempt with its result and timing.
CREATE TABLE enterprise_contacts (
    uscc            TEXT PRIMARY KEY,
    webhook_url     TEXT,                          -- http(s); NULL: no webhook
    webhook_secret  TEXT,                          -- HMAC key; NULL: the channel's secret
    emails          TEXT NOT NULL DEFAULT '[]',    -- JSON array of addresses
    phones          TEXT NOT NULL DEFAULT '[]',    -- JSON array of numbers
    updated_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    channel         TEXT NOT NULL,                 -- webhook, email, sms, file
    recipient       TEXT NOT NULL,                 -- URL, address, phone or path
    status          TEXT NOT NULL CHECK (status IN ('pending','delivered','dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,    -- HTTP status or SMTP code of the last attempt
    delivered_ms    INTEGER,
    created_ms      INTEGER NOT NULL,
    UNIQUE (outbox_id, channel, recipient)
) STRICT;
CREATE INDEX deliveries_due ON deliveries(next_attempt_ms) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries(status, outbox_id);

CREATE TABLE delivery_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES deliveries(id),
    started_ms   INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    result       TEXT NOT NULL,                    -- delivered, transient, permanent
    code         INTEGER NOT NULL,                 -- HTTP status or SMTP code; 0 when none
    retry_after_ms INTEGER NOT NULL,               -- -1 when the receiver gave none
    detail       TEXT NOT NULL
) STRICT;
CREATE INDEX delivery_attempts_of ON delivery_attempts(delivery_id);

-- Expansion into deliveries happens once per notice; the undelivered-past-deadline alert too.
ALTER TABLE outbox ADD COLUMN expanded_ms INTEGER;
ALTER TABLE outbox ADD COLUMN deadline_alerted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_unexpanded ON outbox(id) WHERE expanded_ms IS NULL;
