#include "consent/default_policy.hpp"

#include <algorithm>
#include <initializer_list>

namespace hareyaka::consent {
namespace {

using C = Category;
using P = hpd::Profession;
using K = hpd::FacilityKind;

bool in(std::initializer_list<C> set, C c) {
  return std::find(set.begin(), set.end(), c) != set.end();
}

bool profession_allows(P p, C c) {
  switch (p) {
    case P::kDoctor:
    case P::kDentist:
      return true;
    case P::kPharmacist:
      return in({C::kDiagnoses, C::kPrescriptions, C::kInjections, C::kAllergies, C::kLabResults,
                 C::kDemographics},
                c);
    case P::kNurse:
    case P::kMidwife:
      return c != C::kImaging;
    case P::kPublicHealthNurse:
      return in({C::kEncounters, C::kDiagnoses, C::kPrescriptions, C::kAllergies, C::kLabResults,
                 C::kDemographics},
                c);
    case P::kTherapist:
      return in({C::kEncounters, C::kDiagnoses, C::kAllergies, C::kReports, C::kDocuments,
                 C::kDemographics},
                c);
    case P::kCareManager:
      return in({C::kEncounters, C::kDiagnoses, C::kPrescriptions, C::kAllergies, C::kDemographics},
                c);
    case P::kClerk:
      return c == C::kDemographics;
    case P::kSecretariatAdmin:
    case P::kPrefectureOfficer:
    case P::kDataManager:
      return false;
  }
  return false;
}

bool kind_allows(K k, C c) {
  if (k == K::kPharmacy) {
    return in({C::kDiagnoses, C::kPrescriptions, C::kAllergies, C::kDemographics}, c);
  }
  return true;
}

}  // namespace

bool default_policy_allows(hpd::Profession p, hpd::FacilityKind k, Category c) {
  return profession_allows(p, c) && kind_allows(k, c);
}

}  // namespace hareyaka::consent
