-- Consent across network borders (IHE XCPD/XCA): a patient may allow a peer community (a
-- neighbouring regional network, by its homeCommunityId) to discover them and see the
-- source facility's records. Such a consent names the community instead of a facility;
-- viewer_key is then 'community:<homeCommunityId>'. A consent for every participating
-- facility ('*') never covers a peer community (default deny across the border), and no
-- local reading (viewer_key IN (<facility oid>, '*')) ever matches a community key.
ALTER TABLE consents ADD COLUMN viewer_community text;
ALTER TABLE consents ADD CONSTRAINT consents_one_viewer
  CHECK (viewer_facility IS NULL OR viewer_community IS NULL);
DROP INDEX consents_viewer;
ALTER TABLE consents DROP COLUMN viewer_key;
ALTER TABLE consents ADD COLUMN viewer_key text GENERATED ALWAYS AS (
  coalesce(viewer_facility, 'community:' || viewer_community, '*')) STORED;
CREATE INDEX consents_viewer ON consents (viewer_key, patient_authority, patient_local_id)
  WHERE withdrawn_at IS NULL;
