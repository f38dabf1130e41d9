// The generated access matrix the trust tests share (built once per test binary on the
// TrustNetwork): the disclosing hospital and its patients in PIX, one viewing facility per
// (facility kind, consent state) with one user per profession, and the consents.
#pragma once

#include <array>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "consent/category.hpp"
#include "hpd/facility.hpp"
#include "hpd/user.hpp"
#include "portal/auth/totp.hpp"

namespace hareyaka::testing {

enum class State { kNone, kGiven, kScoped, kExpired, kWithdrawn };
inline constexpr std::array kStates = {State::kNone, State::kGiven, State::kScoped, State::kExpired,
                                       State::kWithdrawn};
inline const char* name(State s) {
  switch (s) {
    case State::kNone:
      return "none";
    case State::kGiven:
      return "given";
    case State::kScoped:
      return "scoped";
    case State::kExpired:
      return "expired";
    case State::kWithdrawn:
      return "withdrawn";
  }
  return "?";
}
// The viewer's category endpoints and the gateway categories each is made of.
inline const std::vector<std::tuple<std::string, consent::Category, std::vector<std::string>>>
    kViewerCategories = {
        {"encounters", consent::Category::kEncounters, {"encounters"}},
        {"diagnoses", consent::Category::kDiagnoses, {"diagnoses"}},
        {"prescriptions", consent::Category::kPrescriptions, {"prescriptions"}},
        {"injections", consent::Category::kInjections, {"injections"}},
        {"allergies", consent::Category::kAllergies, {"allergies"}},
        {"lab_results", consent::Category::kLabResults, {"lab_results"}},
        {"imaging", consent::Category::kImaging, {"radiology"}},
        {"reports", consent::Category::kReports, {"radiology", "endoscopy", "physiology"}},
        {"documents", consent::Category::kDocuments, {"documents"}},
};

// What the test registered: the patient (a person in PIX), the viewing facilities and users.
struct Matrix {
  std::string local_id, other_local_id;
  std::string person_id, other_person_id;
  std::string family_kanji;
  std::map<std::string, bool> has_data;  // viewer category -> the gateway holds some
  struct User {
    std::string login;
    hpd::Profession profession;
    hpd::FacilityKind kind;
    State state;
  };
  std::vector<User> users;
  std::map<std::pair<hpd::FacilityKind, State>, std::string> facility;
  std::string secret = auth::generate_totp_secret();
};

// Built on first use; every user has the password kPassword and the one-time code secret
// `secret`.
Matrix& matrix();

}  // namespace hareyaka::testing
