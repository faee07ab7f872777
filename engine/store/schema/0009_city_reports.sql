-- Reports to the city: the daily implementation report and the episode
-- summary. The JSON is the report as generated (with the officers' remarks
-- applied); sha256 is over exactly that text, which is what is sent.
CREATE TABLE city_reports (
    id           INTEGER PRIMARY KEY,
    episode_id   INTEGER NOT NULL REFERENCES episodes(id),
    kind         TEXT NOT NULL CHECK (kind IN ('daily','summary')),
    number       INTEGER NOT NULL,              -- per episode and kind, 1..n
    drill        INTEGER NOT NULL DEFAULT 0,
    from_ms      INTEGER NOT NULL,              -- the period is (from_ms, cutoff_ms]
    cutoff_ms    INTEGER NOT NULL,
    generated_ms INTEGER NOT NULL,
    remarks      TEXT NOT NULL DEFAULT '',
    lessons      TEXT NOT NULL DEFAULT '',      -- summary only
    actions      TEXT NOT NULL DEFAULT '[]',    -- [{order_id, line, action}] on violations
    json         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft','sent')),
    sent_ms      INTEGER,
    sends        INTEGER NOT NULL DEFAULT 0,    -- versions queued: event id report:<id>:v<n>
    UNIQUE (episode_id, kind, number),
    UNIQUE (episode_id, kind, cutoff_ms)
) STRICT;
CREATE INDEX city_reports_drafts ON city_reports(cutoff_ms) WHERE state = 'draft';
