// Reading the HPKI role (ISO 17090 hcRole) from a certificate, and mapping it to a
// profession. The role sits in the subjectDirectoryAttributes extension (2.5.29.9):
//
//   SubjectDirectoryAttributes ::= SEQUENCE OF Attribute
//   Attribute  ::= SEQUENCE { type OID (hcRole 1.0.17090.0.1), values SET OF HCActor }
//   HCActor    ::= SEQUENCE { codedData [0] EXPLICIT CodedData OPTIONAL,
//                             regionalHCActorData [1] EXPLICIT SEQUENCE OF ... OPTIONAL }
//   CodedData  ::= SET { codingSchemeReference [0] EXPLICIT OID,
//                        codeDataValue [1] EXPLICIT ... OPTIONAL,
//                        codeDataFreeText [2] EXPLICIT DirectoryString OPTIONAL }
//
// The Japanese HPKI coding scheme is 1.2.392.100495.1.6.1.1 and the role is the free text
// ("Medical Doctor", "Pharmacist", ...). Optional numeric and regional fields are skipped;
// other attributes in the extension are ignored. The DER is walked with OpenSSL's
// ASN1_get_object, bounds-checked at every step: malformed input is an error value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hpd/user.hpp"

struct x509_st;

namespace hareyaka::auth {

constexpr std::string_view kHcRoleOid = "1.0.17090.0.1";
constexpr std::string_view kHpkiRoleScheme = "1.2.392.100495.1.6.1.1";

struct HcRoleResult {
  std::vector<std::string> roles;  // free-text roles under the HPKI coding scheme
  std::string error;               // set when the extension is absent or malformed
};

// From the DER value (the OCTET STRING contents) of the extension.
HcRoleResult parse_subject_directory_attributes(std::string_view der);
// From a certificate; error "no subjectDirectoryAttributes extension" when absent.
HcRoleResult read_hc_roles(x509_st* cert);

// "Medical Doctor" -> doctor, "Dentist", "Pharmacist", "Nurse", "Public Health Nurse",
// "Midwife", "Physical Therapist"/"Occupational Therapist"/"Speech-Language-Hearing
// Therapist"/"Orthoptist" -> therapist, "Care Manager" -> care manager (case-insensitive,
// trimmed). Other HPKI roles (e.g. "Radiological Technologist") have no profession here.
std::optional<hpd::Profession> profession_for_role(std::string_view role);

}  // namespace hareyaka::auth
