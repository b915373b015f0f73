-- Version 3: dead letters are not only inbox messages any more, but also activity tasks whose
-- deliveries never produced a result. Each gets its own id (the key an operator lists and
-- re-drives by), says what it was (kind, and source_id: the message's or the task's id) and why it
-- was given up on (reason; null for the messages quarantined before). SQLite cannot change a
-- table's key in place, so the table is copied, keeping the rows in the order they came.
CREATE TABLE dead_letters_v3 (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  kind             TEXT    NOT NULL CHECK (kind IN ('message', 'activity')),
  source_id        INTEGER NOT NULL,
  instance_id      TEXT    NOT NULL,
  execution_id     TEXT,
  visible_at       INTEGER NOT NULL,
  event_json       TEXT    NOT NULL,
  delivery_count   INTEGER NOT NULL,
  dead_lettered_at INTEGER NOT NULL,
  reason           TEXT
);
INSERT INTO dead_letters_v3 (kind, source_id, instance_id, execution_id, visible_at, event_json,
  delivery_count, dead_lettered_at)
  SELECT 'message', id, instance_id, execution_id, visible_at, event_json, delivery_count,
    dead_lettered_at
  FROM dead_letters ORDER BY dead_lettered_at, id;
DROP TABLE dead_letters;
ALTER TABLE dead_letters_v3 RENAME TO dead_letters;
CREATE UNIQUE INDEX dead_letters_by_source ON dead_letters (kind, source_id);
CREATE INDEX dead_letters_by_instance ON dead_letters (instance_id, id);
