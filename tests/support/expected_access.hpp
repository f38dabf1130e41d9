// The expected role policy, written out independently of consent/default_policy.cpp and of
// the SQL seed, so that a drift in either fails the tests that use it (the decision matrix
// of tests/consent and the HTTP matrix of tests/integration).
#pragma once

#include <map>
#include <string>

#include "consent/category.hpp"
#include "hpd/facility.hpp"
#include "hpd/user.hpp"

namespace hareyaka::testing {

// Columns: encounters diagnoses prescriptions injections allergies lab_results imaging reports
// documents demographics. 'x' = the role may see it (before consent).
inline const std::map<hpd::Profession, std::string> kProfessionRow = {
    {hpd::Profession::kDoctor, "xxxxxxxxxx"},
    {hpd::Profession::kDentist, "xxxxxxxxxx"},
    {hpd::Profession::kPharmacist, ".xxxxx...x"},
    {hpd::Profession::kNurse, "xxxxxx.xxx"},
    {hpd::Profession::kMidwife, "xxxxxx.xxx"},
    {hpd::Profession::kPublicHealthNurse, "xxx.xx...x"},
    {hpd::Profession::kTherapist, "xx..x..xxx"},
    {hpd::Profession::kCareManager, "xxx.x....x"},
    {hpd::Profession::kClerk, ".........x"},
    {hpd::Profession::kSecretariatAdmin, ".........."},
    {hpd::Profession::kPrefectureOfficer, ".........."},
    {hpd::Profession::kDataManager, ".........."},
};
// What a pharmacy may see at most, whoever works there.
inline const std::string kPharmacyRow = ".xx.x....x";

inline bool expected_role(hpd::Profession p, hpd::FacilityKind k, consent::Category c) {
  const auto i = static_cast<std::size_t>(c);
  return kProfessionRow.at(p)[i] == 'x' &&
         (k != hpd::FacilityKind::kPharmacy || kPharmacyRow[i] == 'x');
}

}  // namespace hareyaka::testing
