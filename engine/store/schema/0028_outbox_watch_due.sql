-- The delivery deadline watch reads the open notices by deadline. It read
-- every open notice once a second, in id order, to compare each deadline
-- with now: after a large issuance some 300k notices wait for delivery,
-- and that read held the event loop up to 0.1 s every second. A notice
-- with its own deadline is found by it; one without, by its creation time
-- (the default deadline is configuration: created_ms <= now - default).
DROP INDEX outbox_watch;
CREATE INDEX outbox_watch_due ON outbox(deadline_ms)
    WHERE deadline_alerted = 0 AND expanded_ms IS NOT NULL AND deadline_ms IS NOT NULL;
CREATE INDEX outbox_watch_created ON outbox(created_ms)
    WHERE deadline_alerted = 0 AND expanded_ms IS NOT NULL AND deadline_ms IS NULL;
