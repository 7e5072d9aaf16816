-- Kept copies of the token-signing keys are trusted only while their application's revision is current (0005).
-- 0006 made the client-auth keys' revision triggers fire always and covered TRUNCATE, but not signing_keys': with
-- session_replication_role = replica a key deleted (or removed) kept verifying, signing and being published on
-- every instance, and TRUNCATE fires no row trigger at all. Close both, as 0006 did for application_keys.

CREATE FUNCTION signing_keys_truncated_touch_applications() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Every signing key of every application is gone: every application changed.
    UPDATE applications SET revision = revision + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER signing_keys_truncate_revision
    AFTER TRUNCATE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION signing_keys_truncated_touch_applications();

ALTER TABLE signing_keys ENABLE ALWAYS TRIGGER signing_keys_revision;
ALTER TABLE signing_keys ENABLE ALWAYS TRIGGER signing_keys_truncate_revision;

-- Which key-encryption key sealed each key: its fingerprint (SigningKeyEncryption.KeyEncryptionKeyId), so that a
-- different or newly made KEK is refused by name at start and in every command, instead of failing request by
-- request. NULL marks a key sealed before the seal covered the whole row (application, generation, key id, public
-- key, creation time): the start check opens it the old way, checks that its private key is its public key, and
-- seals it again the new way, setting this column. Until then it is not trusted.
ALTER TABLE signing_keys ADD COLUMN kek_id text CHECK (kek_id IS NULL OR length(kek_id) BETWEEN 1 AND 64);
