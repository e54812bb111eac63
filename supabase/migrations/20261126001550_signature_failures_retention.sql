-- Signature-failure rows are kept 8 days (the admin view reports 24 h and 7 d) and then deleted by the
-- webhook-retry job, oldest first in bounded batches: this index lets each batch find its rows without
-- scanning the table.
create index webhook_signature_failures_created on webhook_signature_failures (created_at);
