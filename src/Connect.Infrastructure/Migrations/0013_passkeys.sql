-- Passkeys (docs/contract/sign-in.md): the WebAuthn discoverable credentials a person signs in with, the single-use
-- challenges of the sign-in page's ceremonies, and the one-time links an operator hands out to add a passkey.

CREATE TABLE passkeys (
    -- What the operator sees (account passkeys); the credential id is the authenticator's.
    id                uuid PRIMARY KEY,
    account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- WebAuthn allows up to 1023 bytes; the lookup of a discoverable sign-in is by this column.
    credential_id     bytea NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 16 AND 1023),
    -- The COSE_Key the authenticator attested at registration.
    public_key        bytea NOT NULL CHECK (length(public_key) BETWEEN 1 AND 2048),
    -- The authenticator's signature counter (a uint32); one that goes backwards is refused and audited.
    signature_counter bigint NOT NULL DEFAULT 0 CHECK (signature_counter BETWEEN 0 AND 4294967295),
    -- The WebAuthn user.id the credential was made for: random, one per account, never the account id.
    user_handle       bytea NOT NULL CHECK (length(user_handle) BETWEEN 1 AND 64),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_used_at      timestamptz
);

CREATE INDEX passkeys_by_account ON passkeys (account_id, created_at);

CREATE TABLE passkey_enrollment_links (
    id          uuid PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the token in the link: a database reader cannot use a link it sees.
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    -- One-time: set by the statement that adds the passkey, which requires it unset.
    used_at     timestamptz
);

CREATE INDEX passkey_enrollment_links_by_account ON passkey_enrollment_links (account_id);

CREATE TABLE webauthn_challenges (
    -- The ceremony's id, handed to the page; the challenge itself lives inside options.
    id                  uuid PRIMARY KEY,
    purpose             text NOT NULL CHECK (purpose IN ('sign_in', 'sign_up', 'enroll')),
    -- The inquiry the ceremony belongs to, or the enrollment link: the challenge dies with either.
    inquiry_id          uuid REFERENCES inquiries (id) ON DELETE CASCADE,
    enrollment_link_id  uuid REFERENCES passkey_enrollment_links (id) ON DELETE CASCADE,
    -- The options the browser was sent, as Fido2 serialized them: the verification needs them back.
    options             text NOT NULL CHECK (length(options) BETWEEN 2 AND 16384),
    -- Never later than the inquiry's or the link's own expiry.
    expires_at          timestamptz NOT NULL,
    CONSTRAINT webauthn_challenges_bound_once CHECK ((inquiry_id IS NULL) <> (enrollment_link_id IS NULL))
);

CREATE INDEX webauthn_challenges_by_inquiry ON webauthn_challenges (inquiry_id) WHERE inquiry_id IS NOT NULL;
CREATE INDEX webauthn_challenges_by_link ON webauthn_challenges (enrollment_link_id) WHERE enrollment_link_id IS NOT NULL;
CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);

-- A deleted account keeps its row as a tombstone (0010), so ON DELETE CASCADE alone would never fire: its passkeys
-- and links go when deleted_at is first set, in the deleting statement's own transaction, whoever deletes it.
CREATE FUNCTION remove_deleted_account_passkeys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM passkeys WHERE account_id = NEW.id;
    DELETE FROM passkey_enrollment_links WHERE account_id = NEW.id;
    RETURN NEW;
END
$$;

CREATE TRIGGER accounts_deleted_remove_passkeys
    AFTER UPDATE OF deleted_at ON accounts
    FOR EACH ROW
    WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION remove_deleted_account_passkeys();

-- A signature counter that goes backwards (a cloned authenticator, or a replayed assertion) is refused and audited
-- as passkey_counter_regressed: an account event like passkey_added, naming the account and no application.
ALTER TABLE revocation_audit
    DROP CONSTRAINT revocation_audit_kind,
    DROP CONSTRAINT revocation_audit_application,
    DROP CONSTRAINT revocation_audit_account,
    ADD CONSTRAINT revocation_audit_kind CHECK (kind IN (
        'revoke_all', 'logout', 'reuse_detected',
        'application_registered', 'application_enabled', 'application_disabled', 'application_updated',
        'client_key_added', 'client_key_retired', 'signing_key_rotated', 'signing_key_removed',
        'inquiry_realized', 'inquiry_redeemed', 'passkey_added', 'passkey_removed',
        'account_disabled', 'account_enabled', 'account_deleted',
        'passkey_counter_regressed')),
    ADD CONSTRAINT revocation_audit_application CHECK (
        (kind IN ('account_disabled', 'account_enabled', 'account_deleted', 'passkey_added', 'passkey_removed',
                  'passkey_counter_regressed'))
        OR application_id IS NOT NULL),
    ADD CONSTRAINT revocation_audit_account CHECK (
        (kind IN ('revoke_all', 'logout', 'reuse_detected', 'inquiry_realized', 'inquiry_redeemed',
                  'passkey_added', 'passkey_removed', 'account_disabled', 'account_enabled', 'account_deleted',
                  'passkey_counter_regressed'))
        = (account_id IS NOT NULL));
