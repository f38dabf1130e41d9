-- Views across networks (IHE XCA, #16) in the statistics: the peer community's
-- homeCommunityId on each daily row that crossed networks, in either direction. A peer
-- reading this network's records ("in") is the viewer (actor_profession 'community', its
-- homeCommunityId as actor_facility); this network's user reading a peer's records ("out")
-- has the peer as source_facility (reason 'cross_community_view'). The month cells gain the
-- section 'community' (k1 'in' or 'out', k2 the homeCommunityId); the 'viewer' section
-- counts only this network's viewers and 'source' only its disclosing facilities, and an
-- XCPD discovery is no longer counted as a view.
--
-- Rows rolled up before this migration do not tell the directions apart, so the rollup
-- starts again from the first audit record: the portal's background loop recounts the chain
-- (figures are partial until it has caught up; hareyaka_stats_rollup_lag_records shows how far).
ALTER TABLE stats_view_day ADD COLUMN community text NOT NULL DEFAULT '';
CREATE INDEX stats_view_day_community ON stats_view_day (day) WHERE community <> '';
DELETE FROM stats_view_day;
DELETE FROM stats_view_totals;
DELETE FROM stats_month_cell;
DELETE FROM stats_month_patient;
DELETE FROM stats_patient_last;
UPDATE stats_rollup_cursor SET last_seq = 0, updated_at = now();
