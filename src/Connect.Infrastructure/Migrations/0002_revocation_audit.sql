-- One row per revoke-all that reached an account: which application, which account, how many tokens it
-- revoked (0 included: the call succeeded), and when. Written by the same statement as the revocation, so
-- the audited count is the count the caller was answered. A subject that names no account writes nothing.

CREATE TABLE revocation_audit (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id  uuid NOT NULL REFERENCES applications (id),
    account_id      uuid NOT NULL REFERENCES accounts (id),
    revoked_count   integer NOT NULL CHECK (revoked_count >= 0),
    at              timestamptz NOT NULL DEFAULT now()
);

-- Newest first, for one application (audit list --anchor) and for all (audit list).
CREATE INDEX revocation_audit_by_application ON revocation_audit (application_id, at DESC, id DESC);
CREATE INDEX revocation_audit_newest ON revocation_audit (at DESC, id DESC);
