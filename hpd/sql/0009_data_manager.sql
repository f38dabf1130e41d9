-- The facility data manager (施設データ管理者, #17): uploads its own facility's SS-MIX2 exports
-- to the hosted gateway through the portal and sees no patient data. Like the secretariat
-- administrator, granted by the secretariat only and not listed in the provider directory.
ALTER TABLE users DROP CONSTRAINT users_profession_check;
ALTER TABLE users ADD CONSTRAINT users_profession_check CHECK (profession IN ('doctor',
  'dentist', 'pharmacist', 'nurse', 'public_health_nurse', 'midwife', 'therapist',
  'care_manager', 'clerk', 'secretariat_admin', 'prefecture_officer', 'data_manager'));
