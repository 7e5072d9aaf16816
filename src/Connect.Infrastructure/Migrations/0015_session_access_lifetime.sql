-- A session's own access-token lifetime: what the /establish constraint accessTokenTtlSeconds asked for (0011's
-- inquiries.access_token_ttl_seconds), stored by /redeem on the session it begins, so that every access token the
-- session is answered (at /redeem and at each /refresh) has that lifetime, still never past the session's expiry.
-- NULL (every session made before this, and every session made by `session issue` or without the constraint) means
-- the configured Connect:SessionTokens:AccessTokenLifetimeSeconds.
ALTER TABLE sessions ADD COLUMN access_token_ttl_seconds integer
    CHECK (access_token_ttl_seconds BETWEEN 60 AND 604800);
