-- An acknowledgement changes an order's status; with status in the episode
-- index every ack moved the row between two places of that index (two more
-- pages written per ack). The episode's orders are found by episode_id, and
-- the rowid in the index keeps them in id order ("ORDER BY id" needs no sort).
DROP INDEX orders_episode;
CREATE INDEX orders_episode ON orders(episode_id);
