-- The server keeps every live credential in memory and, when another
-- process has committed (`smogd token create|revoke`), reads the new ones
-- by id and the revoked ones through this index, which holds only those.
CREATE INDEX tokens_revoked ON tokens(id) WHERE revoked_ms IS NOT NULL;
