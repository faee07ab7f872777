-- A decision's order notices are written when the dispatcher expands them,
-- not when the decision is taken. Issuing writes one notice per decision and
-- kind in the same transaction as the orders (the intent to notify is as
-- durable as the decision), with its row in outbox_decisions:
--   decision_orders  the new orders first_id..last_id, each owed an
--                    order_issued (version 1) or order_superseded notice,
--                    deadline its ack deadline;
--   decision_lifted  the orders the decision lifted (ended_decision_id,
--                    status lifted), each owed an order_lifted notice.
-- The dispatcher writes those per-order notices in order id order, a slice
-- per transaction, with the deliveries of each; upto, the last order whose
-- notice is written, moves in the same transaction, so after a crash the
-- expansion goes on where the last committed slice ended. The decision's
-- notice is marked expanded (and settled) with its last slice; it has no
-- enterprise and no deliveries of its own.
CREATE TABLE outbox_decisions (
    outbox_id   INTEGER PRIMARY KEY REFERENCES outbox(id),
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    first_id    INTEGER NOT NULL,               -- decision_orders: the new orders; else 0
    last_id     INTEGER NOT NULL,
    upto        INTEGER NOT NULL DEFAULT 0      -- the last order whose notice is written
) STRICT;

-- The per-order notices that decisions' notices still owe, as the
-- dispatcher will write them (the same event ids and payloads): readers
-- that count notices (replay's expectations, the pending gauge, the
-- checker) add them. Plain SQL only: the connection does not trust
-- functions in the schema (trusted_schema=OFF).
CREATE VIEW outbox_owed AS
SELECT x.id AS outbox_id,
       'order:' || o.id || ':v' || o.version || ':' ||
           CASE WHEN o.version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS event_id,
       CASE WHEN o.version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS kind,
       o.id AS order_id, o.enterprise, o.drill,
       '{"order_id":' || o.id || ',"version":' || o.version || '}' AS payload,
       x.created_ms, o.ack_deadline_ms AS deadline_ms
  FROM outbox x JOIN outbox_decisions r ON r.outbox_id = x.id
  JOIN orders o ON o.id BETWEEN max(r.first_id, r.upto + 1) AND r.last_id
 WHERE x.expanded_ms IS NULL AND x.kind = 'decision_orders'
UNION ALL
SELECT x.id, 'order:' || o.id || ':v' || o.version || ':order_lifted', 'order_lifted',
       o.id, o.enterprise, o.drill,
       '{"order_id":' || o.id || ',"version":' || o.version || '}', x.created_ms, NULL
  FROM outbox x JOIN outbox_decisions r ON r.outbox_id = x.id
  JOIN orders o ON o.ended_decision_id = r.decision_id AND o.status = 'lifted' AND o.id > r.upto
 WHERE x.expanded_ms IS NULL AND x.kind = 'decision_lifted';
