-- Instances keep applications in memory and trust a kept copy only while its revision is current (0003). Two
-- ways of changing keys bypassed the row triggers that bump the revision: TRUNCATE fires no row trigger, and
-- with session_replication_role = replica (logical replication, pg_restore --disable-triggers style loads) an
-- ordinary trigger does not fire at all. Cover TRUNCATE, and make every revision trigger fire always.

CREATE FUNCTION application_keys_truncated_touch_applications() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Every key of every application is gone: every application changed.
    UPDATE applications SET revision = revision + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER application_keys_truncate_revision
    AFTER TRUNCATE ON application_keys
    FOR EACH STATEMENT EXECUTE FUNCTION application_keys_truncated_touch_applications();

ALTER TABLE applications ENABLE ALWAYS TRIGGER applications_revision;
ALTER TABLE application_keys ENABLE ALWAYS TRIGGER application_keys_revision;
ALTER TABLE application_keys ENABLE ALWAYS TRIGGER application_keys_truncate_revision;
