-- The revoke-all slice: who may call (applications and their keys), whom they may name (sector subjects),
-- what gets revoked (refresh tokens), and the replay records that make every client-JWT jti single-use.

CREATE TABLE sectors (
    id          uuid PRIMARY KEY,
    name        text CHECK (length(name) <= 255),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE applications (
    id          uuid PRIMARY KEY,
    -- Matched exactly against the client JWT's iss: no case folding, no trimming.
    anchor      text NOT NULL UNIQUE CHECK (length(anchor) BETWEEN 1 AND 255),
    sector_id   uuid NOT NULL REFERENCES sectors (id),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE application_keys (
    application_id   uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    -- RFC 7638 JWK thumbprint of the key, assigned by the server.
    key_id           text NOT NULL CHECK (length(key_id) BETWEEN 1 AND 128),
    public_key_spki  bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    retired_at       timestamptz,
    PRIMARY KEY (application_id, key_id)
);

CREATE TABLE accounts (
    id          uuid PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sector_subjects (
    sector_id   uuid NOT NULL REFERENCES sectors (id),
    subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    account_id  uuid NOT NULL REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- A subject names one account in its sector, and an account has one subject per sector.
    PRIMARY KEY (sector_id, subject),
    UNIQUE (sector_id, account_id)
);

CREATE TABLE refresh_tokens (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts (id),
    application_id  uuid NOT NULL REFERENCES applications (id),
    -- Only a hash of the token is stored; the token itself is never at rest.
    token_hash      bytea NOT NULL UNIQUE,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    CHECK (expires_at > issued_at),
    CHECK (revoked_at IS NULL OR revoked_at >= issued_at)
);

-- Reaches only the tokens revoke-all can change: not revoked, per (account, application); expiry is checked
-- on the few rows found, since now() cannot stand in an index predicate.
CREATE INDEX refresh_tokens_active
    ON refresh_tokens (account_id, application_id, expires_at)
    WHERE revoked_at IS NULL;

CREATE TABLE client_jwt_replays (
    application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    jti             text NOT NULL CHECK (length(jti) BETWEEN 1 AND 128),
    -- The record must outlive the token: its exp plus the allowed clock skew.
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (application_id, jti)
);

CREATE INDEX client_jwt_replays_expiry ON client_jwt_replays (expires_at);
