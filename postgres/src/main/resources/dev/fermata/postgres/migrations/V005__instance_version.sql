-- Version 5: the orchestration version an instance was started with (null: none, as for every
-- instance written before).
ALTER TABLE instances ADD COLUMN version text;
