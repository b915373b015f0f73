-- Fermata PostgreSQL schema, version 1. Each task hub has its own schema (fermata_<hub>); these
-- statements run with that schema as the search path.
-- Times are epoch milliseconds (bigint) read from the workers' clocks. Instance ids compare
-- bytewise (COLLATE "C"). Payloads are JSON text;
-- events use HistoryCodec's form.

-- Lock tokens come from one sequence so that a token is never issued twice, by any worker.
CREATE SEQUENCE lock_tokens;

-- locked_by/locked_until/lock_token: the worker running an episode of the instance, until when
-- its lease lasts, and the fencing token a checkpoint must present. locked_until without
-- locked_by holds an instance back after an abandoned episode (retry delay).
CREATE TABLE instances (
  instance_id         text    COLLATE "C" NOT NULL PRIMARY KEY,
  name                text,
  execution_id        text,
  status              text    NOT NULL,
  input               text,
  output              text,
  failure             text,
  custom_status       text,
  created_at          bigint  NOT NULL,
  last_updated_at     bigint  NOT NULL,
  scheduled_start_at  bigint,
  completed_at        bigint,
  parent_instance_id  text,
  parent_execution_id text,
  parent_task_id      integer,
  locked_by           text,
  locked_until        bigint,
  lock_token          bigint
);
CREATE INDEX instances_by_created ON instances (created_at, instance_id);
CREATE INDEX instances_by_status ON instances (status);
CREATE INDEX instances_by_name ON instances (name);
CREATE INDEX instances_by_locked_until ON instances (locked_until) WHERE locked_until IS NOT NULL;

-- The history of each instance's current execution. The primary key makes recording a step twice
-- impossible, whichever worker tries.
CREATE TABLE history (
  instance_id text    COLLATE "C" NOT NULL,
  seq         integer NOT NULL,
  event_json  text    NOT NULL,
  PRIMARY KEY (instance_id, seq)
);

-- Messages waiting for an instance; a future visible_at makes a durable timer.
CREATE TABLE inbox (
  id             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id    text    COLLATE "C" NOT NULL,
  execution_id   text,
  visible_at     bigint  NOT NULL,
  event_json     text    NOT NULL,
  delivery_count integer NOT NULL DEFAULT 0
);
CREATE INDEX inbox_by_instance ON inbox (instance_id, id);
CREATE INDEX inbox_by_visible_at ON inbox (visible_at, id);

-- Activity calls waiting to run, or running under a lease.
CREATE TABLE tasks (
  id             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id    text    COLLATE "C" NOT NULL,
  execution_id   text,
  task_id        integer NOT NULL,
  name           text    NOT NULL,
  input          text,
  delivery_count integer NOT NULL DEFAULT 0,
  locked_by      text,
  locked_until   bigint,
  lock_token     bigint
);
CREATE INDEX tasks_by_instance ON tasks (instance_id);
CREATE INDEX tasks_by_locked_until ON tasks (locked_until) WHERE locked_until IS NOT NULL;

-- Inbox messages quarantined by a checkpoint (poison work items), kept for an operator.
CREATE TABLE dead_letters (
  id               bigint  PRIMARY KEY,
  instance_id      text    COLLATE "C" NOT NULL,
  execution_id     text,
  visible_at       bigint  NOT NULL,
  event_json       text    NOT NULL,
  delivery_count   integer NOT NULL,
  dead_lettered_at bigint  NOT NULL
);
CREATE INDEX dead_letters_by_instance ON dead_letters (instance_id);
