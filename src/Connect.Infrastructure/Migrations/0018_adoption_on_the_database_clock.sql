-- The grace window on one clock (docs/decisions.md, "The grace window on the database's clock"): rotated_at is the
-- rotating instance's clock (it is the current token's iat, which adoption signs again byte for byte), so the
-- window is judged instead from the database's own time of the rotation, stamped by the rotating statement, against
-- the database's time of the read. NULL for rotations made before this (judged by rotated_at, as they were).
ALTER TABLE sessions
    ADD COLUMN rotation_committed_at timestamptz,
    -- Adoptions answered for the session's current version so far; one past the alert threshold is audited once.
    ADD COLUMN adoptions integer NOT NULL DEFAULT 0 CHECK (adoptions >= 0);

-- adoption_threshold_exceeded: a session adopted more often than a client losing its answers would (a previous
-- token replayed within the grace window). It names its application, account and session, and ends nothing.
-- Every kind of 0016 stays; the account and session rules of 0013 and 0010 gain the new kind.
ALTER TABLE revocation_audit
    DROP CONSTRAINT revocation_audit_kind,
    DROP CONSTRAINT revocation_audit_account,
    DROP CONSTRAINT revocation_audit_session,
    ADD CONSTRAINT revocation_audit_kind CHECK (kind IN (
        'revoke_all', 'logout', 'reuse_detected',
        'application_registered', 'application_enabled', 'application_disabled', 'application_updated',
        'client_key_added', 'client_key_retired', 'signing_key_rotated', 'signing_key_removed',
        'inquiry_realized', 'inquiry_redeemed', 'passkey_added', 'passkey_removed',
        'account_disabled', 'account_enabled', 'account_deleted',
        'passkey_counter_regressed',
        'receiver_added', 'receiver_removed', 'signal_dead_lettered',
        'adoption_threshold_exceeded')),
    ADD CONSTRAINT revocation_audit_account CHECK (
        (kind IN ('revoke_all', 'logout', 'reuse_detected', 'inquiry_realized', 'inquiry_redeemed',
                  'passkey_added', 'passkey_removed', 'account_disabled', 'account_enabled', 'account_deleted',
                  'passkey_counter_regressed', 'adoption_threshold_exceeded'))
        = (account_id IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_session CHECK (
        (kind IN ('logout', 'reuse_detected', 'inquiry_redeemed', 'adoption_threshold_exceeded')) = (session_id IS NOT NULL));
