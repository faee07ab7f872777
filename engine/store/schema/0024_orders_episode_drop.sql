-- orders_episode (episode_id) repeated the first column of the unique
-- (episode_id, enterprise, version) index: every new order paid a fifth
-- B-tree (1.9 MB of the 300k issuance's WAL). The statements that want an
-- episode's orders in id order walk the rowid range between the episode's
-- smallest and largest id instead (both read from the unique index), with
-- the episode compared on each row: no sort, and no look-up per order from
-- an index entry to its row.
DROP INDEX orders_episode;
