-- Acknowledgements of the server's ack groups as they arrive, before they
-- are folded into their orders' rows. An ack that updated its order wrote
-- that order's page: at 64 connections a group of ~20 acks wrote ~20
-- random 4 KiB pages to the WAL and the checkpointer copied each of them
-- again into the database file. Appended here, a group writes one or two
-- pages; the server folds the log into `orders` (one UPDATE of every page
-- once) when the acks pause, before any other write or request, and when
-- it stops or starts. No index: the server knows which orders are in the
-- log (store_acklog.c). A row here is an acknowledgement as durable as one
-- in `orders`; readers outside the server (sqlite3) see it in `orders`
-- once folded.
CREATE TABLE ack_log (
    seq       INTEGER PRIMARY KEY,
    order_id  INTEGER NOT NULL,
    at_ms     INTEGER NOT NULL,
    ack_by    TEXT,
    channel   TEXT NOT NULL,
    note      TEXT,
    contact   TEXT
) STRICT;
