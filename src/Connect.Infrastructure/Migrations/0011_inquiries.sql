-- Inquiries (docs/contract/sign-in.md): one pending sign-in that one application opened, realized at most once by a
-- person's account and redeemed at most once for the first token pair of a session. Each change is one conditional
-- statement on its row, so that realization and redemption happen at most once on any number of instances.

CREATE TABLE inquiries (
    id                         uuid PRIMARY KEY,
    -- SET NULL, not CASCADE: a redeem of an inquiry whose application is gone answers ApplicationNotFound.
    application_id             uuid REFERENCES applications (id) ON DELETE SET NULL,
    -- Public: it travels in the sign-in URL. 256 random bits, unpadded base64url.
    exposure_key               text NOT NULL UNIQUE CHECK (length(exposure_key) BETWEEN 22 AND 128),
    -- SHA-256 of the hidden key; the key itself is only ever held by the application.
    hidden_key_hash            bytea NOT NULL CHECK (length(hidden_key_hash) = 32),
    -- The subjects (in the application's sector) allowed to realize it; NULL lets everyone.
    allowed_sector_subjects    text[] CHECK (cardinality(allowed_sector_subjects) <= 4096),
    access_token_ttl_seconds   integer CHECK (access_token_ttl_seconds BETWEEN 60 AND 604800),
    refresh_token_ttl_seconds  integer CHECK (refresh_token_ttl_seconds BETWEEN 86400 AND 31536000),
    callback_url               text CHECK (octet_length(callback_url) BETWEEN 1 AND 2048),
    created_at                 timestamptz NOT NULL,
    expires_at                 timestamptz NOT NULL CHECK (expires_at > created_at),
    polls                      integer NOT NULL DEFAULT 0 CHECK (polls >= 0),
    -- Set together, once, by the realization.
    account_id                 uuid REFERENCES accounts (id),
    realized_at                timestamptz,
    realized_how               text CHECK (realized_how IN ('passkey', 'enrollment', 'operator')),
    -- The confirmation key is HMAC-SHA256 under a server secret over the id and this nonce, so every poll answers
    -- the same key while only its hash is stored (docs/decisions.md, "Inquiry keys").
    confirmation_nonce         bytea CHECK (length(confirmation_nonce) = 32),
    confirmation_key_hash      bytea CHECK (length(confirmation_key_hash) = 32),
    -- Set once, by the redemption, in the statement that begins the session (its inquiry_redeemed audit row names it).
    redeemed_at                timestamptz,
    CONSTRAINT inquiries_realization CHECK (
        (account_id IS NULL) = (realized_at IS NULL)
        AND (account_id IS NULL) = (realized_how IS NULL)
        AND (account_id IS NULL) = (confirmation_nonce IS NULL)
        AND (account_id IS NULL) = (confirmation_key_hash IS NULL)),
    CONSTRAINT inquiries_redemption CHECK (redeemed_at IS NULL OR account_id IS NOT NULL)
);

-- Expired inquiries are found by age when they are purged.
CREATE INDEX inquiries_expires_at ON inquiries (expires_at);
