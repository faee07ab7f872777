-- The deadline watch's index no longer depends on the status: an
-- acknowledgement used to take its order out of orders_deadline, a write
-- to one more page (one more WAL frame) per acknowledgement. orders_due
-- holds the active orders not flagged overdue, by deadline; the watch
-- looks at each deadline once (store_orders_mark_overdue).
DROP INDEX orders_deadline;
CREATE INDEX orders_due ON orders(ack_deadline_ms) WHERE overdue = 0 AND ended_ms IS NULL;
