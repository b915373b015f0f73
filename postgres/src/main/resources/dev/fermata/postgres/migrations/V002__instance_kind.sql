-- Version 2: every instance row says what it is, an orchestration or a durable entity, instead of
-- queries telling them apart by the '@' that starts an entity's id. Rows written before are
-- classified by that rule, once, here.
ALTER TABLE instances ADD COLUMN kind text NOT NULL DEFAULT 'orchestration'
  CHECK (kind IN ('orchestration', 'entity'));
UPDATE instances SET kind = 'entity' WHERE left(instance_id, 1) = '@';
-- Listing orchestrations (entities left out) in creation order, page by page.
CREATE INDEX instances_by_kind_created ON instances (kind, created_at, instance_id);
