-- Version 3: dead letters are not only inbox messages any more, but also activity tasks whose
-- deliveries never produced a result. Each gets its own id (the key an operator lists and
-- re-drives by), says what it was (kind, and source_id: the message's or the task's id) and why it
-- was given up on (reason; null for the messages quarantined before).
ALTER TABLE dead_letters RENAME COLUMN id TO source_id;
ALTER TABLE dead_letters DROP CONSTRAINT dead_letters_pkey;
ALTER TABLE dead_letters ADD COLUMN kind text NOT NULL DEFAULT 'message'
  CHECK (kind IN ('message', 'activity'));
ALTER TABLE dead_letters ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE dead_letters ADD COLUMN reason text;
ALTER TABLE dead_letters ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE UNIQUE INDEX dead_letters_by_source ON dead_letters (kind, source_id);
DROP INDEX dead_letters_by_instance;
CREATE INDEX dead_letters_by_instance ON dead_letters (instance_id, id);
