-- Stored event payloads are compressed with lz4 instead of pglz. Most provider events are 2–4 KB of JSON,
-- past the ~2 KB at which PostgreSQL compresses a row's large values on insert; in the ingest bench's profile
-- of the database (perf, grouped payment_intent events), pglz_compress was the largest single entry, about 6%
-- of the backends' CPU. lz4 compresses several times faster for a slightly larger result. Only rows written
-- from now on use it; old and new rows read the same.
-- A server built without lz4 (PGlite, for one) keeps the default: nothing else depends on it.
do $$
begin
  alter table webhook_events alter column payload set compression lz4;
exception when feature_not_supported then
  raise notice 'this server has no lz4: webhook_events.payload keeps its default compression';
end
$$;
