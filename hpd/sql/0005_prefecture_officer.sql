-- The prefecture officer (#21): reads the usage statistics with small cells suppressed and
-- nothing else. Like the secretariat administrator, granted in the admin console only and
-- not listed in the provider directory (HPD).
ALTER TABLE users DROP CONSTRAINT users_profession_check;
ALTER TABLE users ADD CONSTRAINT users_profession_check CHECK (profession IN ('doctor',
  'dentist', 'pharmacist', 'nurse', 'public_health_nurse', 'midwife', 'therapist',
  'care_manager', 'clerk', 'secretariat_admin', 'prefecture_officer'));
