-- directory_changes keeps only the newest row of each entity (entity, entity_key): a
-- reader that pulls since=N still sees every entity changed after N (its newest row is above
-- N) and reads the entity's current state anyway; an older row of it would only repeat the
-- same entity. The change function drops the entity's older rows in the transaction of the
-- change, under the same advisory lock, so the newest row is never dropped: max(version)
-- stays the directory's version, and "a reader that sees version N has seen every version
-- below N" still holds (versions are still handed out in commit order). A deleted entity
-- keeps its delete row (a reader that had it learns it is gone).
CREATE INDEX directory_changes_entity ON directory_changes (entity, entity_key);

DELETE FROM directory_changes d USING directory_changes newer
  WHERE newer.entity = d.entity AND newer.entity_key = d.entity_key
    AND newer.version > d.version;

CREATE OR REPLACE FUNCTION hy_directory_change(p_entity text, p_key text, p_op text) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  v bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7242019001);
  v := nextval('directory_version_seq');
  DELETE FROM directory_changes WHERE entity = p_entity AND entity_key = p_key;
  INSERT INTO directory_changes (version, entity, entity_key, op) VALUES (v, p_entity, p_key, p_op);
  INSERT INTO hpd_feed_outbox (system_id, version, entity, entity_key, op)
    SELECT id, v, p_entity, p_key, p_op FROM hpd_connected_systems;
END $$;
