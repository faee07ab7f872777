-- The deadline watch looks only at notices still open: delivered ones are
-- marked settled (deadline_alerted = 2) when their last delivery arrives.
UPDATE outbox SET deadline_alerted = 2
 WHERE deadline_alerted = 0 AND expanded_ms IS NOT NULL
   AND EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = outbox.id)
   AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = outbox.id AND d.status <> 'delivered');
CREATE INDEX outbox_watch ON outbox(id) WHERE deadline_alerted = 0 AND expanded_ms IS NOT NULL;
