-- The feed sender's side of issue #24: pending changes of one entity settled together, and
-- the changes a connected system refuses set aside.
--
-- The sender sends the pending rows of one entity as one operation (the current state) and
-- settles them all with its result: it finds an entity's rows by this index.
CREATE INDEX hpd_feed_outbox_entity ON hpd_feed_outbox (system_id, entity, entity_key);

-- Changes a connected system answered with a permanent refusal (a DSML resultCode that is
-- neither success, nor the convergent answers, nor a transient one): moved out of the outbox
-- so the rest of the system's queue goes on. The console lists them; the secretariat puts
-- one back into the outbox (as a fresh change of the entity) or dismisses it. `op` is the
-- operation that was sent, `version` the newest directory version of the rows it settled.
CREATE TABLE hpd_feed_rejected (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_id   bigint NOT NULL REFERENCES hpd_connected_systems (id) ON DELETE CASCADE,
  version     bigint NOT NULL,
  entity      text NOT NULL CHECK (entity IN ('facility', 'user')),
  entity_key  text NOT NULL,
  op          text NOT NULL CHECK (op IN ('add', 'modify', 'delete')),
  result_code integer NOT NULL,
  message     text NOT NULL DEFAULT '',
  rejected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hpd_feed_rejected_system ON hpd_feed_rejected (system_id, id);
CREATE INDEX hpd_feed_rejected_entity ON hpd_feed_rejected (system_id, entity, entity_key);
