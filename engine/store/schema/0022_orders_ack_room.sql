-- Room in each order's row for its acknowledgement. Orders are written in
-- one sweep and SQLite packs them into full pages; an acknowledgement adds
-- about 60 bytes to its row (status, time, by, channel, contact), so the
-- page overflowed after a few acks and was split: two or three more pages
-- written (WAL frames) per split, and the split's page renumbering made
-- SQLite scan its whole page cache at the next COMMIT. New orders carry
-- ack_room = zeroblob(64), which the acknowledgement (or the order's end)
-- sets to NULL, so the row keeps its size and its page. Rows written
-- before this migration have none and behave as before.
ALTER TABLE orders ADD COLUMN ack_room BLOB;
