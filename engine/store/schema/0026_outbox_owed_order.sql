-- outbox_owed (0023) as it was, with its first branch's joins in the order
-- they are written (CROSS JOIN: SQLite keeps that order). The planner drove
-- that branch from `orders` (a scan of every order, each probed against an
-- automatic index on the outbox) instead of from the unexpanded decision
-- notices: 35 ms per use at 187k orders with nothing owed, and /metrics
-- used it twice per scrape. Now it starts from outbox_unexpanded and reads
-- each decision's order range by rowid.
DROP VIEW outbox_owed;
CREATE VIEW outbox_owed AS
SELECT x.id AS outbox_id,
       'order:' || o.id || ':v' || o.version || ':' ||
           CASE WHEN o.version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS event_id,
       CASE WHEN o.version = 1 THEN 'order_issued' ELSE 'order_superseded' END AS kind,
       o.id AS order_id, o.enterprise, o.drill,
       '{"order_id":' || o.id || ',"version":' || o.version || '}' AS payload,
       x.created_ms, o.ack_deadline_ms AS deadline_ms
  FROM outbox x CROSS JOIN outbox_decisions r ON r.outbox_id = x.id
  CROSS JOIN orders o ON o.id BETWEEN max(r.first_id, r.upto + 1) AND r.last_id
 WHERE x.expanded_ms IS NULL AND x.kind = 'decision_orders'
UNION ALL
SELECT x.id, 'order:' || o.id || ':v' || o.version || ':order_lifted', 'order_lifted',
       o.id, o.enterprise, o.drill,
       '{"order_id":' || o.id || ',"version":' || o.version || '}', x.created_ms, NULL
  FROM outbox x JOIN outbox_decisions r ON r.outbox_id = x.id
  JOIN orders o ON o.ended_decision_id = r.decision_id AND o.status = 'lifted' AND o.id > r.upto
 WHERE x.expanded_ms IS NULL AND x.kind = 'decision_lifted';
