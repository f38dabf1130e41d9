// The directory model (facilities, users) as IHE HPD entries, and back.
//
// DIT under a configurable base DN (default dc=HPD,o=Hareyaka,c=JP):
//   uid=<facility OID>,ou=HCRegulatedOrganization,<base>   a facility
//   uid=<login id>,ou=HCProfessional,<base>                a user
//   cn=<facility OID>,ou=Relationship,<base>               groupOfNames: owner = the facility,
//                                                          member = its users
// A facility's OID travels as hcIdentifier "<network root>:FacilityOID:<facility OID>:<status>"
// (IHE HPD's "IssuingAuthority:Type:ID:Status" form); businessCategory carries the kind
// ("hospital", ...). A user's HPKI binding travels as hpdCredential
// "HPKI:issuer=<issuer DN>$serial=<hex>$subject=<subject DN>". Secrets (password hash, TOTP)
// never appear in an entry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hpd/dsml/dsml.hpp"
#include "hpd/facility.hpp"
#include "hpd/oid.hpp"
#include "hpd/user.hpp"

namespace hareyaka::hpd {

inline constexpr std::string_view kDefaultBaseDn = "dc=HPD,o=Hareyaka,c=JP";
inline constexpr std::string_view kFacilityOidType = "FacilityOID";

struct DitSettings {
  std::string base_dn = std::string(kDefaultBaseDn);
  std::string network_root = std::string(kDefaultNetworkRoot);
};

std::string facility_dn(const DitSettings& s, std::string_view facility_oid);
std::string user_dn(const DitSettings& s, std::string_view login_id);
std::string relationship_dn(const DitSettings& s, std::string_view facility_oid);

// Entries for search results and for feeds.
dsml::Entry facility_to_entry(const DitSettings& s, const Facility& f);
dsml::Entry user_to_entry(const DitSettings& s, const User& u);
dsml::Entry relationship_to_entry(const DitSettings& s, std::string_view facility_oid,
                                  const std::vector<std::string>& member_login_ids);
// The modifyRequest that adds (ModOp::kAdd) or removes (kDelete) a user from its facility's
// relationship group.
dsml::ModifyRequest membership_change(const DitSettings& s, const User& u, dsml::ModOp op);

// Why an entry cannot become (or stay) a directory record: the resultCode and the diagnostic.
struct MappingError {
  dsml::ResultCode code = dsml::ResultCode::kOther;
  std::string message;
};

// The facility OID an organization entry carries in hcIdentifier (issuer = network root,
// type FacilityOID); std::nullopt when it carries none (a foreign organization, kept in the
// directory but not a facility of this network); MappingError kInvalidAttributeSyntax when the
// OID is not a valid facility OID under the root.
std::variant<std::nullopt_t, std::string, MappingError> facility_oid_of(const DitSettings& s,
                                                                        const dsml::Entry& org);

// A facility from an organization entry that carries a facility OID. A new facility is a
// viewing facility (a disclosing one needs a gateway, set in the admin console); `existing`
// keeps what HPD does not carry (gateway, flags, kana name).
std::variant<Facility, MappingError> entry_to_facility(const DitSettings& s, const dsml::Entry& org,
                                                       const std::optional<Facility>& existing);

// A professional entry that carries hcIdentifier "<facility OID>:login:<login id>:<status>"
// (the form user_to_entry writes) is a user of that facility: this is what HPD carries of
// it. HPD never carries secrets: such a user logs in by HPKI (the hpdCredential binding) or
// with a password the secretariat sets in the admin console.
struct UserBinding {
  std::string login_id;
  std::string facility_oid;
  Profession profession = Profession::kClerk;
  std::string display_name;
  UserStatus status = UserStatus::kActive;
  HpkiBinding hpki;
};

// std::nullopt when the entry carries no login identifier; MappingError
// kInvalidAttributeSyntax for a bad facility OID, login id, profession or credential, and
// kUnwillingToPerform for the console-only professions (is_console_only()).
std::variant<std::nullopt_t, UserBinding, MappingError> user_binding_of(
    const DitSettings& s, const dsml::Entry& professional);

// The profession an hcProfession value names ("doctor", "Physician", "医師", ISO 17090 hcRole
// codes ...); std::nullopt when unknown.
std::optional<Profession> profession_from_hpd(std::string_view value);
std::string_view profession_to_hpd(Profession p);
std::optional<FacilityKind> kind_from_hpd(std::string_view business_category);

}  // namespace hareyaka::hpd
