-- The token-signing keys the server generates and holds for each application (SESSIONS.md). A key's state
-- (next, current, retiring, removed) is never stored: it follows from the times below and the clock, so no job
-- has to flip it at the right moment and every instance agrees without being told. See SigningKeyLifecycle.

CREATE TABLE signing_keys (
    application_id          uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    -- 1 for the first key, one more for each later key. Unique, so two instances that both find an application
    -- without keys (or two rotations at once) cannot both add one: the second insert does nothing.
    generation              integer NOT NULL CHECK (generation >= 1),
    -- RFC 7638 JWK thumbprint of the public key: the kid of the tokens and of the JWKS.
    key_id                  text NOT NULL CHECK (length(key_id) BETWEEN 1 AND 128),
    public_key_spki         bytea NOT NULL,
    -- The PKCS#8 private key under AES-256-GCM with the configured key-encryption key; the associated data binds
    -- the application id and key id, so a ciphertext copied into another row does not decrypt.
    private_key_nonce       bytea NOT NULL CHECK (length(private_key_nonce) = 12),
    private_key_tag         bytea NOT NULL CHECK (length(private_key_tag) = 16),
    private_key_ciphertext  bytea NOT NULL,
    -- Published from created_at; signs from current_from (at least the JWKS max-age later, for a rotation).
    created_at              timestamptz NOT NULL,
    current_from            timestamptz NOT NULL,
    -- No token this key signed expires after this; once it has passed, a key no longer current is removed.
    signs_until             timestamptz NOT NULL,
    -- Removed on purpose (it leaked): verifies nothing from then on. Never cleared.
    removed_at              timestamptz,
    PRIMARY KEY (application_id, key_id),
    UNIQUE (application_id, generation),
    CHECK (current_from >= created_at),
    CHECK (signs_until >= current_from)
);

-- A signing key added, extended or removed is a change to its application: kept copies on every instance see the
-- new revision on their next use (the function is the one client-auth keys use; it reads only application_id).
CREATE TRIGGER signing_keys_revision
    AFTER INSERT OR UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION application_keys_touch_application();
