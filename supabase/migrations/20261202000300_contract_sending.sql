-- Contracts that are safe to retry (DESIGN.md "Contracts (DocuSign)"). An enrollment is marked `sending` in
-- its own short transaction before the envelope POST, and only then does the call run, with no row lock
-- held: after an unknown outcome (a timeout, a killed function) the status is still `sending`, and a retry
-- looks the envelope up by its `enrollmentId` custom field instead of sending the family a second contract.
alter table enrollments drop constraint enrollments_signature_status_check;
alter table enrollments add constraint enrollments_signature_status_check
  check (signature_status in ('none', 'sending', 'sent', 'delivered', 'completed', 'declined', 'voided'));

-- When the current `sending` began: the lower bound (`from_date`) of the look-up by custom field, and what
-- tells a send still in flight (refused with 409) from an abandoned one (looked up, then retried).
alter table enrollments add column signature_sending_at timestamptz;
-- Set when the envelope was sent for embedded signing (in the portal): the recipient's `clientUserId`,
-- which the signing-url route must name again. Null: DocuSign emails the signer, who signs from the email.
alter table enrollments add column signature_client_user_id text;
-- Prefills the contract's `tuitionAmount` tab: minor units and ISO currency, as `payments` keeps money.
alter table enrollments add column tuition_amount bigint check (tuition_amount >= 0);
alter table enrollments add column tuition_currency text check (tuition_currency ~ '^[a-z]{3}$');
