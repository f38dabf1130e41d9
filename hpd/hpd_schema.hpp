// The IHE HPD directory schema this portal enforces: which object classes and attributes an
// entry may carry, which it must carry, where each kind of entry lives in the DIT, and the
// value syntaxes it checks. check_entry() gives the precise LDAP resultCode and diagnostic
// for an entry that breaks a rule (objectClassViolation, undefinedAttributeType,
// invalidAttributeSyntax, namingViolation, noSuchObject, unwillingToPerform).
//
// Entries live one level below a container: ou=HCProfessional, ou=HCRegulatedOrganization
// or ou=Relationship, each directly under one of the configured suffixes (base DNs). The
// suffixes and the containers exist implicitly: they can be search bases but are never
// returned as entries and cannot be added, modified or deleted.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hpd/dsml/dn.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/hpd_mapping.hpp"

namespace hareyaka::hpd {

enum class EntryKind { kProfessional, kOrganization, kRelationship };
std::string_view to_string(EntryKind k);
std::optional<EntryKind> parse_entry_kind(std::string_view s);
std::string_view container_of(EntryKind k);  // "HCProfessional", ...

// The lower-case canonical name of a known object class (accepting documented aliases);
// std::nullopt when unknown.
std::optional<std::string> canonical_object_class(std::string_view name);
// True for an attribute type (without ;options) this directory knows.
bool is_known_attribute(std::string_view name);
// The attributes whose values are DNs (distinguishedNameMatch; rewritten by a modDN of the
// entry they name), as lower-case types.
inline constexpr std::array<std::string_view, 4> kDnAttributeTypes = {"member", "owner", "memberof",
                                                                      "seealso"};
bool is_dn_attribute(std::string_view type);
// The attribute type without options, lower-cased ("userCertificate;binary" ->
// "usercertificate").
std::string attribute_type(std::string_view description);

// The kind an entry's object classes make it (ignoring unknown classes); std::nullopt when
// none or several structural classes are present.
std::optional<EntryKind> structural_kind(const dsml::Entry& entry);

// Where a DN sits in the DIT.
struct Placement {
  enum class Level { kOutside, kSuffix, kContainer, kEntry, kBelowEntry };
  Level level = Level::kOutside;
  std::optional<EntryKind> container;  // for kContainer and kEntry
  std::string suffix_norm;             // the suffix it is under (normalized)
};
Placement place(const dsml::Dn& dn, const std::vector<dsml::Dn>& suffixes);

// Checks an entry (after the RDN value was added to it when missing) for the DIT position
// `dn`. Returns its kind or the error.
std::variant<EntryKind, MappingError> check_entry(const dsml::Entry& entry, const dsml::Dn& dn,
                                                  const std::vector<dsml::Dn>& suffixes,
                                                  const DitSettings& settings);

// Adds the RDN attribute value to the entry when it does not carry it (LDAP requires the
// naming value to be present).
void ensure_rdn_value(dsml::Entry& entry, const dsml::Dn& dn);

}  // namespace hareyaka::hpd
