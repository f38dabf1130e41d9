// A facility of the network (病院, 診療所, 薬局, ...): identified by its OID, disclosing
// (開示施設, runs a gateway) and/or viewing (閲覧施設, its staff log in to the portal).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hareyaka::hpd {

enum class FacilityKind {
  kHospital,
  kClinic,
  kDentalClinic,
  kPharmacy,
  kHomeVisitNursing,
  kCareFacility,
};

inline constexpr std::array kAllFacilityKinds = {
    FacilityKind::kHospital, FacilityKind::kClinic,           FacilityKind::kDentalClinic,
    FacilityKind::kPharmacy, FacilityKind::kHomeVisitNursing, FacilityKind::kCareFacility,
};

// "hospital", "clinic", "dental_clinic", "pharmacy", "home_visit_nursing", "care_facility"
std::string_view to_string(FacilityKind k);
std::optional<FacilityKind> parse_facility_kind(std::string_view s);

enum class FacilityStatus { kActive, kSuspended, kRetired };
std::string_view to_string(FacilityStatus s);
std::optional<FacilityStatus> parse_facility_status(std::string_view s);

struct Facility {
  std::string oid;
  std::string name_kanji;
  std::string name_kana;
  std::string name_en;
  FacilityKind kind = FacilityKind::kClinic;
  std::string municipality_code;    // JIS X 0402 code, 6 digits with check digit (or 5)
  bool discloses = false;           // runs a gateway that publishes its records
  bool views = false;               // its staff view other facilities' records
  std::string gateway_url;          // https://... of its gateway; required when disclosing
  std::string gateway_cert_sha256;  // lower-case hex SHA-256 of the gateway's certificate DER
  FacilityStatus status = FacilityStatus::kActive;
  std::string postal_code;  // 〒 "NNN-NNNN" (or 7 digits)
  std::string address;      // as written on mail, up to 200 bytes
  std::string phone;        // digits with "-", "(", ")", " " or a leading "+", up to 20
};

// What is wrong with a facility record, naming the field; std::nullopt when it is valid.
// The OID is checked against the network root.
std::optional<std::string> validate(const Facility& f, std::string_view network_root);

}  // namespace hareyaka::hpd
