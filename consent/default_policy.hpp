// The default role policy: which data categories a profession at a kind of facility may
// see. It is the seed of the editable access_policy table (consent/sql/0001_consent.sql);
// the secretariat widens or narrows cells from there.
//
// A cell is allowed when the category is in BOTH the profession's set and the facility
// kind's set:
//
//   profession           categories
//   doctor, dentist      all
//   pharmacist           diagnoses prescriptions injections allergies lab_results demographics
//   nurse, midwife       all but imaging (the radiology report is in `reports`)
//   public_health_nurse  encounters diagnoses prescriptions allergies lab_results demographics
//   therapist            encounters diagnoses allergies reports documents demographics
//   care_manager         encounters diagnoses prescriptions allergies demographics
//   clerk                demographics only: no clinical data (finds and registers patients)
//   secretariat_admin    none (administers consents, users and audit, not records)
//   prefecture_officer   none (reads the suppressed usage statistics)
//   data_manager         none (uploads its facility's SS-MIX2 exports to its gateway, #17)
//
//   facility kind                                   categories
//   hospital clinic dental_clinic home_visit_nursing care_facility   all
//   pharmacy                                        diagnoses prescriptions allergies demographics
//
// Pharmacies: the seed network showed pharmacies diagnoses and prescriptions. We add
// allergies (dispensing safety: checking a prescription against known allergies is the
// pharmacist's duty) and demographics (the header - name, sex, birth date - without which
// the pharmacist cannot confirm the patient at the counter). Lab results (e.g. eGFR for
// renal dosing) are a common local widening, left to policy.
#pragma once

#include "consent/category.hpp"
#include "hpd/facility.hpp"
#include "hpd/user.hpp"

namespace hareyaka::consent {

bool default_policy_allows(hpd::Profession p, hpd::FacilityKind k, Category c);

}  // namespace hareyaka::consent
