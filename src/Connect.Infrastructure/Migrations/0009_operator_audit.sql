-- The operator's changes to applications and keys are audit events too (SESSIONS.md "Audit"), listed by
-- `audit list` beside the events that end sessions. They name an application and, where one is involved, a key;
-- no account and no session. The table keeps its name: every writer and reader of it already uses it.

ALTER TABLE revocation_audit
    ALTER COLUMN account_id DROP NOT NULL,
    ALTER COLUMN revoked_count DROP NOT NULL,
    -- The client-auth key (JWK thumbprint) or token-signing key the change was about.
    ADD COLUMN key_id text CHECK (length(key_id) BETWEEN 1 AND 128),
    DROP CONSTRAINT revocation_audit_kind,
    DROP CONSTRAINT revocation_audit_session,
    ADD CONSTRAINT revocation_audit_kind CHECK (kind IN (
        'revoke_all', 'logout', 'reuse_detected',
        'application_registered', 'application_enabled', 'application_disabled',
        'client_key_added', 'client_key_retired', 'signing_key_rotated', 'signing_key_removed')),
    -- Events that end sessions name the account and how many they ended; logout and reuse_detected also the one
    -- session they ended.
    ADD CONSTRAINT revocation_audit_account CHECK (
        (kind IN ('revoke_all', 'logout', 'reuse_detected')) = (account_id IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_revoked_count CHECK (
        (kind IN ('revoke_all', 'logout', 'reuse_detected')) = (revoked_count IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_session CHECK (
        (kind IN ('logout', 'reuse_detected')) = (session_id IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_key CHECK (
        (kind IN ('application_registered', 'client_key_added', 'client_key_retired',
                  'signing_key_rotated', 'signing_key_removed')) = (key_id IS NOT NULL));
