-- Set-based issuance. One row per enterprise of a list with its name and
-- town (those of its first line) and the measures of an order at each level,
-- written at import as the JSON text orders carry (sm_measures() is the
-- application's aggregate); issuing a level copies them with one
-- INSERT ... SELECT instead of reading every line again.
CREATE TABLE list_enterprises (
    id        INTEGER PRIMARY KEY,
    list_id   INTEGER NOT NULL REFERENCES lists(id),
    uscc      TEXT NOT NULL,
    name      TEXT NOT NULL,
    town      TEXT NOT NULL,
    m_yellow  TEXT NOT NULL,                    -- JSON array of {line, action, limit_pct, text}
    m_orange  TEXT NOT NULL,
    m_red     TEXT NOT NULL,
    UNIQUE (list_id, uscc)
) STRICT;
INSERT INTO list_enterprises (list_id, uscc, name, town, m_yellow, m_orange, m_red)
SELECT list_id, uscc, name, town, my, mo, mr FROM
  (SELECT list_id, uscc, min(id), name, town,
          sm_measures(id, line, y_action, y_pct, y_text) AS my,
          sm_measures(id, line, o_action, o_pct, o_text) AS mo,
          sm_measures(id, line, r_action, r_pct, r_text) AS mr
     FROM list_lines GROUP BY list_id, uscc)
 ORDER BY list_id, uscc;

-- The decision that superseded or lifted an order: its audit row carries a
-- digest over the orders it ended (see store_orders_ended_digest).
ALTER TABLE orders ADD COLUMN ended_decision_id INTEGER REFERENCES decisions(id);
CREATE INDEX orders_ended_by ON orders(ended_decision_id) WHERE ended_decision_id IS NOT NULL;
