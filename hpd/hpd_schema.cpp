#include "hpd/hpd_schema.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace hareyaka::hpd {
namespace {

using dsml::lower_ascii;
using dsml::ResultCode;

// Object classes of the HPD profile (ITI TF-2a 3.58.4.1.2) and the LDAP classes they build on.
constexpr std::string_view kObjectClasses[] = {
    "top",
    "person",
    "organizationalperson",
    "inetorgperson",
    "naturalperson",
    "uidobject",
    "hpdprovider",
    "hcprofessional",
    "organization",
    "hcregulatedorganization",
    "groupofnames",
    "groupofuniquenames",
    "hpdprovidermembership",
    "hpdprovidercredential",
    "hpdelectronicservice",
    "pkiuser",
    "hcorganization",
    "hcregulatedprofessional",
    "extensibleobject",
    "labeleduriobject",
    "hcpayor",
    "organizationalunit",
};

// Misspellings found in published IHE HPD sample messages, accepted so that those messages
// load; documented in docs/conformance.md.
constexpr std::array<std::pair<std::string_view, std::string_view>, 1> kClassAliases = {{
    {"hcregulatedorganizationl", "hcregulatedorganization"},
}};

// Attribute types (lower case) an HPD entry may carry.
constexpr std::string_view kAttributes[] = {"objectclass",
                                            "uid",
                                            "cn",
                                            "sn",
                                            "givenname",
                                            "displayname",
                                            "initials",
                                            "title",
                                            "description",
                                            "o",
                                            "ou",
                                            "dc",
                                            "c",
                                            "l",
                                            "st",
                                            "street",
                                            "postalcode",
                                            "postaladdress",
                                            "postofficebox",
                                            "physicaldeliveryofficename",
                                            "telephonenumber",
                                            "facsimiletelephonenumber",
                                            "mobile",
                                            "pager",
                                            "homephone",
                                            "mail",
                                            "labeleduri",
                                            "businesscategory",
                                            "employeenumber",
                                            "employeetype",
                                            "preferredlanguage",
                                            "seealso",
                                            "member",
                                            "owner",
                                            "memberof",
                                            "uniquemember",
                                            "gender",
                                            "personaltitle",
                                            "usercertificate",
                                            "usersmimecertificate",
                                            "carlicense",
                                            "hcidentifier",
                                            "hcprofession",
                                            "hcspecialization",
                                            "hcregisteredname",
                                            "hcpracticelocation",
                                            "hcorganizationcertificates",
                                            "hcsigningcertificate",
                                            "hcregistrationstatus",
                                            "hcprincipalpracticelocation",
                                            "hcoperatingaddress",
                                            "hcpractitionertype",
                                            "hpdproviderstatus",
                                            "hpdproviderlanguagesupported",
                                            "hpdprovidermailingaddress",
                                            "hpdproviderbillingaddress",
                                            "hpdproviderpracticeaddress",
                                            "hpdproviderlegaladdress",
                                            "hpdmedicalrecordsdeliveryemailaddress",
                                            "hpdcredential",
                                            "credential",
                                            "hpdhasaservice",
                                            "hpdhasaprovider",
                                            "hpdmemberid",
                                            "hpdmembertype",
                                            "hpdorgid",
                                            "hpdcredentialtype",
                                            "hpdcredentialname",
                                            "hpdcredentialnumber",
                                            "hpdcredentialissuingauthority",
                                            "hpdcredentialdescription",
                                            "hpdcredentialstatus",
                                            "hpdcredentialrenewaldate",
                                            "hpdserviceaddress",
                                            "hpdserviceid",
                                            "hpdcontentprofile"};

// Attributes that must never arrive through HPD: credentials that let someone log in.
constexpr std::string_view kRefused[] = {"userpassword", "authpassword"};

struct KindRule {
  EntryKind kind;
  std::string_view container;   // ou value, as written in our DNs
  std::string_view class_name;  // canonical structural class
  std::vector<std::string_view> required;
};

const std::vector<KindRule>& rules() {
  static const std::vector<KindRule> r = {
      {EntryKind::kProfessional,
       "HCProfessional",
       "hcprofessional",
       {"uid", "cn", "sn", "hcIdentifier"}},
      {EntryKind::kOrganization,
       "HCRegulatedOrganization",
       "hcregulatedorganization",
       {"o", "hcIdentifier"}},
      // groupOfNames lists member as required; HPD relationship groups are created empty and
      // filled by modifyRequests (as the IHE sample does), so only cn is.
      {EntryKind::kRelationship, "Relationship", "groupofnames", {"cn"}},
  };
  return r;
}

const KindRule& rule_of(EntryKind k) {
  for (const auto& r : rules()) {
    if (r.kind == k)
      return r;
  }
  return rules().front();
}

MappingError err(ResultCode c, std::string m) {
  return {c, std::move(m)};
}

bool valid_status(std::string_view v) {
  const auto n = dsml::normalize_value(v);
  return n == "active" || n == "inactive" || n == "retired" || n == "deceased";
}

// "issuer:type:id:status" with a non-empty issuer, type and id (IHE HPD hcIdentifier).
bool valid_identifier(std::string_view v) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= v.size(); ++i) {
    if (i == v.size() || v[i] == ':') {
      parts.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 3)
    return false;
  return !parts[0].empty() && !parts[1].empty() && !parts[2].empty();
}

}  // namespace

std::string_view to_string(EntryKind k) {
  switch (k) {
    case EntryKind::kProfessional:
      return "professional";
    case EntryKind::kOrganization:
      return "organization";
    case EntryKind::kRelationship:
      return "relationship";
  }
  return "professional";
}

std::optional<EntryKind> parse_entry_kind(std::string_view s) {
  for (auto k : {EntryKind::kProfessional, EntryKind::kOrganization, EntryKind::kRelationship}) {
    if (to_string(k) == s)
      return k;
  }
  return std::nullopt;
}

std::string_view container_of(EntryKind k) {
  return rule_of(k).container;
}

std::optional<std::string> canonical_object_class(std::string_view name) {
  const std::string lower = lower_ascii(dsml::normalize_value(name));
  for (const auto& [alias, canonical] : kClassAliases) {
    if (lower == alias)
      return std::string(canonical);
  }
  if (std::find(std::begin(kObjectClasses), std::end(kObjectClasses), lower) !=
      std::end(kObjectClasses))
    return lower;
  return std::nullopt;
}

std::string attribute_type(std::string_view description) {
  return lower_ascii(description.substr(0, description.find(';')));
}

bool is_known_attribute(std::string_view name) {
  const auto t = attribute_type(name);
  return std::find(std::begin(kAttributes), std::end(kAttributes), t) != std::end(kAttributes);
}

std::optional<EntryKind> structural_kind(const dsml::Entry& entry) {
  const auto* classes = entry.find("objectClass");
  if (!classes)
    return std::nullopt;
  std::optional<EntryKind> kind;
  for (const auto& v : classes->values) {
    const auto c = canonical_object_class(v);
    for (const auto& r : rules()) {
      if (c && *c == r.class_name) {
        if (kind && *kind != r.kind)
          return std::nullopt;
        kind = r.kind;
      }
    }
  }
  return kind;
}

Placement place(const dsml::Dn& dn, const std::vector<dsml::Dn>& suffixes) {
  Placement p;
  for (const auto& suffix : suffixes) {
    if (!dn.is_under(suffix))
      continue;
    p.suffix_norm = suffix.normalized();
    const std::size_t depth = dn.rdns.size() - suffix.rdns.size();
    if (depth == 0) {
      p.level = Placement::Level::kSuffix;
      return p;
    }
    // The container RDN is the one just below the suffix.
    const auto& c = dn.rdns[dn.rdns.size() - suffix.rdns.size() - 1];
    if (lower_ascii(c.type) == "ou") {
      for (const auto& r : rules()) {
        if (dsml::normalize_value(c.value) == lower_ascii(r.container))
          p.container = r.kind;
      }
    }
    if (!p.container)
      return p;  // kOutside: not one of our containers
    p.level = depth == 1   ? Placement::Level::kContainer
              : depth == 2 ? Placement::Level::kEntry
                           : Placement::Level::kBelowEntry;
    return p;
  }
  return p;
}

void ensure_rdn_value(dsml::Entry& entry, const dsml::Dn& dn) {
  if (dn.rdns.empty())
    return;
  const auto& rdn = dn.rdns.front();
  const auto want = dsml::normalize_value(rdn.value);
  if (auto* a = entry.find(rdn.type)) {
    for (const auto& v : a->values) {
      if (dsml::normalize_value(v) == want)
        return;
    }
    a->values.push_back(rdn.value);
    return;
  }
  entry.add(rdn.type, {rdn.value});
}

std::variant<EntryKind, MappingError> check_entry(const dsml::Entry& entry, const dsml::Dn& dn,
                                                  const std::vector<dsml::Dn>& suffixes,
                                                  const DitSettings& settings) {
  // Attribute types first: an unknown or refused type is the most specific error.
  for (const auto& a : entry.attrs) {
    const auto t = attribute_type(a.name);
    if (std::find(std::begin(kRefused), std::end(kRefused), t) != std::end(kRefused)) {
      return err(ResultCode::kUnwillingToPerform,
                 a.name +
                     ": passwords are not accepted through HPD; users enrol their "
                     "credentials in the portal");
    }
    if (!is_known_attribute(a.name))
      return err(ResultCode::kUndefinedAttributeType, "undefined attribute type " + a.name);
    if (a.values.empty())
      return err(ResultCode::kProtocolError, "attribute " + a.name + " has no value");
  }
  const auto* classes = entry.find("objectClass");
  if (!classes || classes->values.empty())
    return err(ResultCode::kObjectClassViolation, "entry has no objectClass");
  std::optional<EntryKind> kind;
  for (const auto& v : classes->values) {
    auto c = canonical_object_class(v);
    if (!c)
      return err(ResultCode::kObjectClassViolation, "unknown object class " + v);
    for (const auto& r : rules()) {
      if (*c == r.class_name) {
        if (kind && *kind != r.kind) {
          return err(ResultCode::kObjectClassViolation,
                     "object classes " + std::string(rule_of(*kind).container) + " and " +
                         std::string(r.container) + " cannot be combined");
        }
        kind = r.kind;
      }
    }
  }
  if (!kind) {
    return err(ResultCode::kObjectClassViolation,
               "entry needs one of the structural classes HCProfessional, "
               "HCRegulatedOrganization or groupOfNames");
  }
  const auto p = place(dn, suffixes);
  if (p.level == Placement::Level::kOutside || p.level == Placement::Level::kSuffix ||
      p.level == Placement::Level::kContainer) {
    return err(ResultCode::kNoSuchObject,
               "no parent entry for " + dn.to_string() + ": entries live under ou=" +
                   std::string(rule_of(*kind).container) + " of a configured base DN");
  }
  if (p.level == Placement::Level::kBelowEntry)
    return err(ResultCode::kNoSuchObject, "the parent of " + dn.to_string() + " does not exist");
  if (*p.container != *kind) {
    return err(ResultCode::kNamingViolation,
               "a " + std::string(rule_of(*kind).container) +
                   " entry must be placed under ou=" + std::string(rule_of(*kind).container));
  }
  for (auto required : rule_of(*kind).required) {
    if (!entry.find(required)) {
      return err(ResultCode::kObjectClassViolation,
                 "object class " + std::string(rule_of(*kind).container) + " requires attribute " +
                     std::string(required));
    }
  }
  // Value syntaxes.
  if (const auto* ids = entry.find("hcIdentifier")) {
    for (const auto& v : ids->values) {
      if (!valid_identifier(v)) {
        return err(ResultCode::kInvalidAttributeSyntax,
                   "hcIdentifier \"" + v + "\" is not IssuingAuthority:Type:ID[:Status]");
      }
    }
  }
  if (const auto* st = entry.find("hpdProviderStatus")) {
    for (const auto& v : st->values) {
      if (!valid_status(v)) {
        return err(ResultCode::kInvalidAttributeSyntax,
                   "hpdProviderStatus \"" + v + "\" is not Active, Inactive, Retired or Deceased");
      }
    }
  }
  // hpdCredential is free text in practice (see hpd_mapping.hpp): not checked.
  for (auto dn_attr : kDnAttributeTypes) {
    if (const auto* a = entry.find(dn_attr)) {
      for (const auto& v : a->values) {
        std::string why;
        if (!dsml::parse_dn(v, &why) || dsml::normalize_value(v).empty()) {
          return err(ResultCode::kInvalidAttributeSyntax,
                     std::string(a->name) + " value is not a DN: " + why);
        }
      }
    }
  }
  if (*kind == EntryKind::kOrganization) {
    auto oid = facility_oid_of(settings, entry);
    if (auto* e = std::get_if<MappingError>(&oid))
      return *e;
  }
  return *kind;
}

bool is_dn_attribute(std::string_view type) {
  return std::find(kDnAttributeTypes.begin(), kDnAttributeTypes.end(), type) !=
         kDnAttributeTypes.end();
}

}  // namespace hareyaka::hpd
