// Facility OIDs: <network root>.<prefecture>.<facility code>, e.g. 1.2.392.200284.33.1001
// for facility 1001 in Okayama (prefecture code "33"). The prefecture is the JIS X 0401
// two-digit code "01".."47"; inside the OID it is written as a decimal arc without the
// leading zero ("01" -> arc 1), because ITU-T X.660 forbids leading zeros in arcs and HL7
// validators reject them. The facility code is a decimal arc too (1..18 digits, no leading
// zero). The root is configurable (a network other than the seed uses its own root).
//
// The patient-id domain of a facility (the assigning authority of the ids its EMR issues) is
// the facility OID plus arc ".1"; other arcs under a facility are reserved for later use
// (".2" document ids, ...).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hareyaka::hpd {

constexpr std::string_view kDefaultNetworkRoot = "1.2.392.200284";
constexpr std::string_view kPatientDomainArc = "1";

// A syntactically valid dotted OID: at least two arcs, each a decimal number without
// leading zeros, first arc 0..2, at most 64 arcs, at most 256 characters.
bool is_valid_oid(std::string_view oid);

struct FacilityOid {
  std::string root;           // network root, e.g. "1.2.392.200284"
  std::string prefecture;     // two digits, "01".."47"
  std::string facility_code;  // decimal, no leading zero

  std::string to_string() const;
};

// Builds a facility OID; std::nullopt with *error set when a part is invalid.
std::optional<FacilityOid> make_facility_oid(std::string_view root, std::string_view prefecture,
                                             std::string_view facility_code,
                                             std::string* error = nullptr);

// Splits a facility OID under the given root; std::nullopt with *error set (saying which part
// is wrong) when the OID is not exactly root + prefecture arc + facility code arc.
std::optional<FacilityOid> parse_facility_oid(std::string_view oid,
                                              std::string_view root = kDefaultNetworkRoot,
                                              std::string* error = nullptr);

// The assigning authority of the facility's patient ids: facility OID + ".1".
std::string patient_id_domain(std::string_view facility_oid);

// The facility OID a patient-id domain belongs to; std::nullopt if it is not one.
std::optional<std::string> facility_of_patient_domain(std::string_view authority,
                                                      std::string_view root = kDefaultNetworkRoot);

}  // namespace hareyaka::hpd
