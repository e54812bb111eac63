-- What the admin functions of issue 7 read and write: the outcome of each integration's last "Test
-- Connection", the indexes behind the events list and the health figures, and pruning of rate-limit windows.

-- The last connection test of a stored integration (the full history is in audit_log). The error is the
-- provider's reason in plain words, never a secret.
alter table integrations
  add column last_test_at timestamptz,
  add column last_test_ok boolean,
  add column last_test_error text;

-- The events list filters by source and status, newest first; health looks for the oldest event that still
-- needs work. (tenant_id, created_at desc) already serves the unfiltered list and the per-day counts.
create index webhook_events_tenant_source_created on webhook_events (tenant_id, source, created_at desc);
create index webhook_events_tenant_unprocessed on webhook_events (tenant_id, source, created_at)
  where status in ('received', 'failed', 'dead');

-- Old rate-limit windows are deleted by age (functions/_shared/http/rate-limit.ts prunes opportunistically).
create index rate_limits_window_start on rate_limits (window_start);
