-- The facility data manager (hpd/sql/0009_data_manager.sql) sees no patient data at any
-- kind of facility: every cell of its row denies (consent/default_policy.cpp).
INSERT INTO access_policy (profession, facility_kind, category, allowed)
SELECT 'data_manager', kind.k, cat.c, false
FROM (VALUES ('hospital'), ('clinic'), ('dental_clinic'), ('pharmacy'), ('home_visit_nursing'),
             ('care_facility')) AS kind(k)
CROSS JOIN (VALUES ('encounters'), ('diagnoses'), ('prescriptions'), ('injections'),
             ('allergies'), ('lab_results'), ('imaging'), ('reports'), ('documents'),
             ('demographics')) AS cat(c)
ON CONFLICT DO NOTHING;
