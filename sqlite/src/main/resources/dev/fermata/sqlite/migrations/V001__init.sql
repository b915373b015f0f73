-- Fermata SQLite schema, version 1.
-- Times are epoch milliseconds (INTEGER). Payloads are JSON text; events use HistoryCodec's form.

CREATE TABLE instances (
  instance_id         TEXT    NOT NULL PRIMARY KEY,
  name                TEXT,
  execution_id        TEXT,
  status              TEXT    NOT NULL,
  input               TEXT,
  output              TEXT,
  failure             TEXT,
  custom_status       TEXT,
  created_at          INTEGER NOT NULL,
  last_updated_at     INTEGER NOT NULL,
  scheduled_start_at  INTEGER,
  completed_at        INTEGER,
  parent_instance_id  TEXT,
  parent_execution_id TEXT,
  parent_task_id      INTEGER
);
CREATE INDEX instances_by_created ON instances (created_at, instance_id);
CREATE INDEX instances_by_status ON instances (status);
CREATE INDEX instances_by_name ON instances (name);

-- The history of each instance's current execution. The primary key makes recording a step twice
-- impossible.
CREATE TABLE history (
  instance_id TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  event_json  TEXT    NOT NULL,
  PRIMARY KEY (instance_id, seq)
) WITHOUT ROWID;

-- Messages waiting for an instance; a future visible_at makes a durable timer. AUTOINCREMENT keeps
-- ids rising forever, so arrival order is id order and an id is never reused.
CREATE TABLE inbox (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id    TEXT    NOT NULL,
  execution_id   TEXT,
  visible_at     INTEGER NOT NULL,
  event_json     TEXT    NOT NULL,
  delivery_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_by_instance ON inbox (instance_id, id);
CREATE INDEX inbox_by_visible_at ON inbox (visible_at);

-- Activity calls waiting to run (or running: locks live in memory).
CREATE TABLE tasks (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id    TEXT    NOT NULL,
  execution_id   TEXT,
  task_id        INTEGER NOT NULL,
  name           TEXT    NOT NULL,
  input          TEXT,
  delivery_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_by_instance ON tasks (instance_id);

-- Inbox messages quarantined by a checkpoint (poison work items), kept for an operator.
CREATE TABLE dead_letters (
  id               INTEGER PRIMARY KEY,
  instance_id      TEXT    NOT NULL,
  execution_id     TEXT,
  visible_at       INTEGER NOT NULL,
  event_json       TEXT    NOT NULL,
  delivery_count   INTEGER NOT NULL,
  dead_lettered_at INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_instance ON dead_letters (instance_id);
