-- A revision number per application, bumped by every change to the application or to its keys. Instances
-- cache applications and keys in memory; the replay record is written only when the revision the request was
-- checked against is still the current one (see PostgresClientJwtReplayStore), so a cached copy can never
-- let a request through that the current state would refuse, and no instance needs to be told of a change.

ALTER TABLE applications ADD COLUMN revision bigint NOT NULL DEFAULT 1;

-- Any update of the row is a new revision, whoever runs it: the CLI, another instance, or SQL by hand.
CREATE FUNCTION applications_next_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    RETURN NEW;
END;
$$;

CREATE TRIGGER applications_revision
    BEFORE UPDATE ON applications
    FOR EACH ROW EXECUTE FUNCTION applications_next_revision();

-- A key added, retired, restored or removed is a change to its application.
CREATE FUNCTION application_keys_touch_application() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE applications SET revision = revision + 1
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.application_id ELSE NEW.application_id END;
    RETURN NULL;
END;
$$;

CREATE TRIGGER application_keys_revision
    AFTER INSERT OR UPDATE OR DELETE ON application_keys
    FOR EACH ROW EXECUTE FUNCTION application_keys_touch_application();
