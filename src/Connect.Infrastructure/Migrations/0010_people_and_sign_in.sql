-- Sign-in through the API (docs/contract/sign-in.md): applications gain what their sign-in page shows and allows,
-- accounts become owned by people who can be disabled or deleted, and the audit gains the sign-in and account
-- kinds. The inquiries and passkeys themselves have tables of their own in the migrations after this one.

ALTER TABLE applications
    -- What the sign-in page calls the application; NULL shows the anchor.
    ADD COLUMN display_name    text CHECK (length(display_name) BETWEEN 1 AND 255),
    -- Whether a person without an account may create one on the sign-in page (app update --sign-up).
    ADD COLUMN sign_up_open    boolean NOT NULL DEFAULT true,
    -- The hosts a CALLBACK return method may name (app update --callback-host), matched exactly, lower case.
    ADD COLUMN callback_hosts  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(callback_hosts) <= 32);

ALTER TABLE accounts
    -- A disabled account keeps its sessions, but none of them refreshes or introspects as active meanwhile.
    ADD COLUMN enabled     boolean NOT NULL DEFAULT true,
    -- A deleted account is a tombstone: its sessions ended, its passkeys and subjects removed, so that an inquiry
    -- it realized can still be answered AccountDeleted rather than AccountNotFound.
    ADD COLUMN deleted_at  timestamptz;

ALTER TABLE revocation_audit
    -- Account events name no application.
    ALTER COLUMN application_id DROP NOT NULL,
    -- How an inquiry was realized: passkey, enrollment, operator.
    ADD COLUMN detail text CHECK (length(detail) BETWEEN 1 AND 64),
    DROP CONSTRAINT revocation_audit_kind,
    DROP CONSTRAINT revocation_audit_account,
    DROP CONSTRAINT revocation_audit_revoked_count,
    DROP CONSTRAINT revocation_audit_session,
    ADD CONSTRAINT revocation_audit_kind CHECK (kind IN (
        'revoke_all', 'logout', 'reuse_detected',
        'application_registered', 'application_enabled', 'application_disabled', 'application_updated',
        'client_key_added', 'client_key_retired', 'signing_key_rotated', 'signing_key_removed',
        'inquiry_realized', 'inquiry_redeemed', 'passkey_added', 'passkey_removed',
        'account_disabled', 'account_enabled', 'account_deleted')),
    -- Only the account events stand without an application.
    ADD CONSTRAINT revocation_audit_application CHECK (
        (kind IN ('account_disabled', 'account_enabled', 'account_deleted', 'passkey_added', 'passkey_removed'))
        OR application_id IS NOT NULL),
    -- Events about a person's sessions, inquiries and account name the account; the operator's changes to an
    -- application do not.
    ADD CONSTRAINT revocation_audit_account CHECK (
        (kind IN ('revoke_all', 'logout', 'reuse_detected', 'inquiry_realized', 'inquiry_redeemed',
                  'passkey_added', 'passkey_removed', 'account_disabled', 'account_enabled', 'account_deleted'))
        = (account_id IS NOT NULL)),
    -- Events that end sessions say how many they ended; an account's deletion ends them in every application.
    ADD CONSTRAINT revocation_audit_revoked_count CHECK (
        (kind IN ('revoke_all', 'logout', 'reuse_detected', 'account_deleted')) = (revoked_count IS NOT NULL)),
    -- logout and reuse_detected name the one session they ended, inquiry_redeemed the one it began.
    ADD CONSTRAINT revocation_audit_session CHECK (
        (kind IN ('logout', 'reuse_detected', 'inquiry_redeemed')) = (session_id IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_detail CHECK (
        (kind = 'inquiry_realized') = (detail IS NOT NULL)
        AND (detail IS NULL OR detail IN ('passkey', 'enrollment', 'operator')));

-- An account's events, newest first (a deletion or a support desk looks one person up).
CREATE INDEX revocation_audit_by_account ON revocation_audit (account_id, at DESC, id DESC) WHERE account_id IS NOT NULL;
