// Test helpers: facilities and users with plausible defaults, shared by the hpd, consent,
// audit and bench tests.
#pragma once

#include <string>

#include "hpd/oid.hpp"
#include "hpd/pg_directory_store.hpp"

namespace hareyaka::testing {

inline std::string facility_oid(int code, const char* prefecture = "33") {
  return hpd::make_facility_oid(hpd::kDefaultNetworkRoot, prefecture, std::to_string(code))
      ->to_string();
}

inline hpd::Facility make_facility(int code, hpd::FacilityKind kind, bool discloses, bool views) {
  hpd::Facility f;
  f.oid = facility_oid(code);
  f.name_kanji = "施設" + std::to_string(code);
  f.name_kana = "シセツ";
  f.name_en = "Facility " + std::to_string(code);
  f.kind = kind;
  f.municipality_code = "331007";
  f.discloses = discloses;
  f.views = views;
  if (discloses) {
    f.gateway_url = "https://gw" + std::to_string(code) + ".example.jp:8443";
    f.gateway_cert_sha256 = std::string(64, 'a');
  }
  return f;
}

inline hpd::User make_user(const std::string& login, const std::string& facility,
                           hpd::Profession p) {
  hpd::User u;
  u.login_id = login;
  u.facility_oid = facility;
  u.profession = p;
  u.display_name = login;
  return u;
}

}  // namespace hareyaka::testing
