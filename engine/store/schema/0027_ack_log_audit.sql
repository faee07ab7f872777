-- An acknowledgement in the log carries its audit row's role and action;
-- the row itself (actor = ack_by, object = the order, detail = the
-- channel) is appended to the audit chain by the fold, in the transaction
-- that writes the acknowledgement into its order. An ack group then writes
-- no audit page: the audit rows of a flood were most of what its commits
-- wrote to the WAL and the checkpointer copied again. NULL action: the
-- row's audit entry was written with it (rows logged before this version).
ALTER TABLE ack_log ADD COLUMN role TEXT;
ALTER TABLE ack_log ADD COLUMN action TEXT;
