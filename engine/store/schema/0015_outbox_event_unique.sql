-- The outbox without the UNIQUE constraint on every event_id. Issuing writes one
-- notice per order, and that index (a text key per notice) was the largest part
-- of writing one. The notices of orders (order_issued, order_superseded,
-- order_lifted) have the event id "order:<order id>:v<version>:<kind>": an order
-- gets its issued/superseded notice in the statement that creates it and its
-- lifted notice in the one that ends it, so those ids are unique by
-- construction. Every other kind (reminders, officer alerts, reports) keeps a
-- unique index; store_outbox_add_once's ON CONFLICT names it.
-- The table is rebuilt (an inline UNIQUE cannot be dropped). deliveries refers
-- to outbox(id) and foreign keys are on: with defer_foreign_keys the DROP
-- counts every delivery as a violation and the INSERT of the same ids counts
-- them back, so the COMMIT fails unless every notice came back.
CREATE TEMP TABLE outbox_copy AS SELECT * FROM outbox;
PRAGMA defer_foreign_keys = ON;
DROP TABLE outbox;
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL,                  -- receivers deduplicate on it
    kind        TEXT NOT NULL,                  -- order_issued, order_superseded, order_lifted, ack_reminder, officer_alert, report
    order_id    INTEGER REFERENCES orders(id),
    enterprise  TEXT,
    drill       INTEGER NOT NULL DEFAULT 0,
    payload     TEXT NOT NULL,                  -- JSON
    created_ms  INTEGER NOT NULL,
    deadline_ms INTEGER,                        -- undelivered past this: officer alert
    expanded_ms INTEGER,
    deadline_alerted INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO outbox (id, event_id, kind, order_id, enterprise, drill, payload, created_ms,
                    deadline_ms, expanded_ms, deadline_alerted)
SELECT id, event_id, kind, order_id, enterprise, drill, payload, created_ms,
       deadline_ms, expanded_ms, deadline_alerted
  FROM outbox_copy ORDER BY id;
DROP TABLE outbox_copy;
CREATE UNIQUE INDEX outbox_event ON outbox(event_id)
 WHERE kind <> 'order_issued' AND kind <> 'order_superseded' AND kind <> 'order_lifted';
CREATE INDEX outbox_unexpanded ON outbox(id) WHERE expanded_ms IS NULL;
CREATE INDEX outbox_watch ON outbox(id) WHERE deadline_alerted = 0 AND expanded_ms IS NOT NULL;
