-- A refresh_tokens row becomes what SESSIONS.md calls a session: one login of one account for one application,
-- named by an opaque sid, with an absolute expiry, a rotation version, and the jti of its current version (and
-- of the previous one, for the grace window) instead of a hash of a token. Every existing row is kept, with its
-- expiry and revocation; none of them had a token that anyone holds, so each gets a fresh sid and a fresh
-- current jti that no token carries.

ALTER TABLE refresh_tokens RENAME TO sessions;
ALTER INDEX refresh_tokens_active RENAME TO sessions_active;
ALTER TABLE sessions RENAME CONSTRAINT refresh_tokens_pkey TO sessions_pkey;

-- 256 random bits, unpadded base64url (gen_random_uuid is core since PostgreSQL 13; two give 244 random bits).
CREATE FUNCTION connect_random_token_id() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT rtrim(translate(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '=')
$$;

ALTER TABLE sessions
    -- The session id on the wire (sid): opaque, never the row id or the account id.
    ADD COLUMN sid                text,
    -- Starts at 1; each rotation moves it on by exactly one.
    ADD COLUMN rotation_version   integer NOT NULL DEFAULT 1 CHECK (rotation_version >= 1),
    -- The jti of the current version's refresh token, and of the previous version's (grace-window adoption).
    ADD COLUMN current_jti        text,
    ADD COLUMN previous_jti       text CHECK (length(previous_jti) BETWEEN 1 AND 128),
    -- When the current version was made, to the second: the iat of its refresh token, and the start of the
    -- grace window in which the previous version adopts it.
    ADD COLUMN rotated_at         timestamptz,
    -- The signing key of the current version's refresh token, so that adoption re-signs it byte for byte.
    ADD COLUMN current_key_id     text CHECK (length(current_key_id) BETWEEN 1 AND 128),
    -- Why the session ended: revoke_all, logout, reuse_detected, rotation_race_lost.
    ADD COLUMN revoked_reason     text CHECK (length(revoked_reason) BETWEEN 1 AND 64);

UPDATE sessions
   SET sid = connect_random_token_id(),
       current_jti = connect_random_token_id(),
       rotated_at = date_trunc('second', issued_at),
       revoked_reason = CASE WHEN revoked_at IS NOT NULL THEN 'revoke_all' END;

ALTER TABLE sessions
    ALTER COLUMN sid SET NOT NULL,
    ALTER COLUMN current_jti SET NOT NULL,
    ALTER COLUMN rotated_at SET NOT NULL,
    ADD CONSTRAINT sessions_sid_length CHECK (length(sid) BETWEEN 1 AND 128),
    ADD CONSTRAINT sessions_current_jti_length CHECK (length(current_jti) BETWEEN 1 AND 128),
    ADD CONSTRAINT sessions_revoked_reason_present CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    -- A session is found by its sid alone; the refresh token's aud is checked against application_id after.
    ADD CONSTRAINT sessions_sid_key UNIQUE (sid);

-- The hash of a token nobody holds carries nothing; tokens are now bound by signature, sid and jti.
ALTER TABLE sessions DROP COLUMN token_hash;

DROP FUNCTION connect_random_token_id();

-- Every event that ends sessions is audited with its kind (SESSIONS.md "Audit"): revoke_all with its count
-- (every row before this migration), logout and reuse_detected with the one session they ended.
ALTER TABLE revocation_audit
    ADD COLUMN kind        text NOT NULL DEFAULT 'revoke_all',
    ADD COLUMN session_id  bigint REFERENCES sessions (id),
    ADD CONSTRAINT revocation_audit_kind CHECK (kind IN ('revoke_all', 'logout', 'reuse_detected')),
    ADD CONSTRAINT revocation_audit_session CHECK ((kind = 'revoke_all') = (session_id IS NULL));
ALTER TABLE revocation_audit ALTER COLUMN kind DROP DEFAULT;
