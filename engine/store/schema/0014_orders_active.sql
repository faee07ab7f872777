-- The active orders by enterprise, keyed without the status: an acknowledgement changes
-- only the status (issued -> acknowledged), so it no longer moves its order inside this
-- index (one random index page fewer written per acknowledgement). An order is active
-- exactly while ended_ms is NULL: superseding, lifting and re-issuing set it.
DROP INDEX orders_current;
CREATE INDEX orders_active ON orders(enterprise) WHERE ended_ms IS NULL;
