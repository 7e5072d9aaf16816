-- A removed receiver is kept, marked removed (docs/decisions.md, "A removed receiver is kept, marked removed"). Deleting
-- the row made a revocation racing the removal fail: its signal insert's foreign-key check waited on the removal's
-- lock and then found the receiver gone. Now the row stays, so that check always succeeds; every revocation writes
-- signals only for receivers not removed, and a signal that a racing revocation still wrote for one is deleted by the
-- delivery worker's claim, never sent. Updating removed_at changes no key column, so it never conflicts with the
-- key-share locks of foreign-key checks.
ALTER TABLE signal_receivers ADD COLUMN removed_at timestamptz;

-- The revocations' join, the limit's count and the list read only the receivers in use.
DROP INDEX signal_receivers_application;
CREATE INDEX signal_receivers_application ON signal_receivers (application_id) WHERE removed_at IS NULL;
