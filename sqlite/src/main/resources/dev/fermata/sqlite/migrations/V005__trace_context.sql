-- Version 5: the W3C traceparent of the span that started an instance, and the one its
-- activity tasks continue (null: outside any trace, as for every row written before).
ALTER TABLE instances ADD COLUMN trace_parent TEXT;
ALTER TABLE tasks ADD COLUMN trace_parent TEXT;
