-- Signals out (docs/contract/signals.md): an application's receivers, and the outbox of signals owed to them.
--
-- One outbox row per (ended session or subject, receiver), written by the same statement that ends the sessions, so
-- that no committed revocation lacks its signals and no signal outlives a revocation that rolled back. The token is
-- not stored: each delivery attempt mints a fresh one (new jti and iat) from these columns.

CREATE TABLE signal_receivers (
    -- receiverId on the wire.
    id              uuid PRIMARY KEY,
    application_id  uuid NOT NULL REFERENCES applications (id),
    url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    format          text NOT NULL CHECK (format IN ('backchannel-logout', 'caep')),
    -- The aud of its tokens; the application's anchor unless the operator named another.
    audience        text NOT NULL CHECK (length(audience) BETWEEN 1 AND 255),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX signal_receivers_application ON signal_receivers (application_id);

CREATE TABLE signals (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Removing a receiver drops what it was still owed (the removal is audited with the count).
    receiver_id        uuid NOT NULL REFERENCES signal_receivers (id) ON DELETE CASCADE,
    -- The pairwise subject as it was when the sessions ended: an account's deletion removes its subjects.
    subject            text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    -- The one session that ended; NULL for a subject-wide signal (revoke-all, account delete or disable).
    sid                text CHECK (length(sid) BETWEEN 1 AND 128),
    initiating_entity  text NOT NULL CHECK (initiating_entity IN ('admin', 'user', 'policy')),
    -- When the sessions ended: CAEP's event_timestamp.
    ended_at           timestamptz NOT NULL,
    -- The revoking transaction's time, the start of commit-to-delivery latency and of the dead-letter deadline.
    committed_at       timestamptz NOT NULL DEFAULT now(),
    state              text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    -- Attempts made so far; a claim counts one, and the attempt number fences a late answer of an expired lease.
    attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- A pending signal is due at this time. A claim moves it to the end of the lease, so a signal whose holder died
    -- is due again, for any instance, once the lease has run out; no separate lease column is needed.
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    -- The instance that holds (or last held) it, for logs and for fencing.
    leased_by          text CHECK (length(leased_by) BETWEEN 1 AND 128),
    -- The last attempt's outcome in words ("status 503", "timeout", "connection refused"): never a token.
    last_outcome       text CHECK (length(last_outcome) BETWEEN 1 AND 512),
    dead_at            timestamptz,
    CONSTRAINT signals_dead_at CHECK ((state = 'dead') = (dead_at IS NOT NULL))
);

-- The claim's scan: only pending rows, in the order they fall due.
CREATE INDEX signals_due ON signals (next_attempt_at) WHERE state = 'pending';
CREATE INDEX signals_receiver ON signals (receiver_id, state);

-- The audit kinds of signals: a receiver added or removed (an operator's change to an application) and a signal
-- dead-lettered (about the application its receiver belongs to). Each names its receiver (no foreign key: the audit
-- outlives a removed receiver); a removal counts the pending signals it dropped, a dead letter says why in detail.
ALTER TABLE revocation_audit
    ADD COLUMN receiver_id   uuid,
    ADD COLUMN signal_count  integer CHECK (signal_count >= 0),
    DROP CONSTRAINT revocation_audit_kind,
    DROP CONSTRAINT revocation_audit_detail,
    ADD CONSTRAINT revocation_audit_receiver CHECK (
        (kind IN ('receiver_added', 'receiver_removed', 'signal_dead_lettered')) = (receiver_id IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_signal_count CHECK ((kind = 'receiver_removed') = (signal_count IS NOT NULL)),
    ADD CONSTRAINT revocation_audit_detail CHECK (
        (kind IN ('inquiry_realized', 'signal_dead_lettered')) = (detail IS NOT NULL)
        AND (kind <> 'inquiry_realized' OR detail IN ('passkey', 'enrollment', 'operator'))
        AND length(detail) <= 512),
    ADD CONSTRAINT revocation_audit_kind CHECK (kind IN (
        'revoke_all', 'logout', 'reuse_detected',
        'application_registered', 'application_enabled', 'application_disabled', 'application_updated',
        'client_key_added', 'client_key_retired', 'signing_key_rotated', 'signing_key_removed',
        'inquiry_realized', 'inquiry_redeemed', 'passkey_added', 'passkey_removed',
        'account_disabled', 'account_enabled', 'account_deleted',
        'passkey_counter_regressed',
        'receiver_added', 'receiver_removed', 'signal_dead_lettered'));
