-- Credentials, the audit chain and idempotency records.
CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,          -- SHA-256 of the token; the token itself is never stored
    role        TEXT NOT NULL CHECK (role IN ('issuer','officer','monitor','enterprise','admin')),
    enterprise  TEXT,                           -- USCC, for role 'enterprise' only
    name        TEXT NOT NULL DEFAULT '',
    created_ms  INTEGER NOT NULL,
    revoked_ms  INTEGER,
    CHECK ((role = 'enterprise') = (enterprise IS NOT NULL))
) STRICT;

CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    result     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;

CREATE TABLE idempotency (
    scope        TEXT NOT NULL,                 -- who: token id or enterprise
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
