#include "hpd/hpd_mapping.hpp"

#include "hpd/dsml/dn.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::Entry;
using dsml::normalize_value;

// hcProfession values: our own names, the English terms HPD directories use and Japanese.
struct ProfessionName {
  Profession p;
  std::string_view canonical;  // what we write
  std::vector<std::string_view> accepted;
};

const std::vector<ProfessionName>& profession_names() {
  static const std::vector<ProfessionName> names = {
      {Profession::kDoctor, "doctor", {"physician", "medical doctor", "医師"}},
      {Profession::kDentist, "dentist", {"dental practitioner", "歯科医師"}},
      {Profession::kPharmacist, "pharmacist", {"薬剤師"}},
      {Profession::kNurse, "nurse", {"registered nurse", "看護師", "准看護師"}},
      {Profession::kPublicHealthNurse, "public_health_nurse", {"public health nurse", "保健師"}},
      {Profession::kMidwife, "midwife", {"助産師"}},
      {Profession::kTherapist,
       "therapist",
       {"physical therapist", "occupational therapist", "理学療法士", "作業療法士"}},
      {Profession::kCareManager, "care_manager", {"care manager", "介護支援専門員"}},
      {Profession::kClerk, "clerk", {"medical clerk", "医療事務"}},
      {Profession::kSecretariatAdmin, "secretariat_admin", {"secretariat"}},
      {Profession::kPrefectureOfficer, "prefecture_officer", {"prefecture officer"}},
      {Profession::kDataManager, "data_manager", {"facility data manager"}},
  };
  return names;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t'))
    s.remove_suffix(1);
  return std::string(s);
}

std::string status_word(FacilityStatus s) {
  return s == FacilityStatus::kActive      ? "Active"
         : s == FacilityStatus::kSuspended ? "Inactive"
                                           : "Retired";
}

std::string status_word(UserStatus s) {
  return s == UserStatus::kActive ? "Active" : s == UserStatus::kLocked ? "Inactive" : "Retired";
}

}  // namespace

std::string facility_dn(const DitSettings& s, std::string_view facility_oid) {
  return "uid=" + dsml::escape_value(facility_oid) + ",ou=HCRegulatedOrganization," + s.base_dn;
}

std::string user_dn(const DitSettings& s, std::string_view login_id) {
  return "uid=" + dsml::escape_value(login_id) + ",ou=HCProfessional," + s.base_dn;
}

std::string relationship_dn(const DitSettings& s, std::string_view facility_oid) {
  return "cn=" + dsml::escape_value(facility_oid) + ",ou=Relationship," + s.base_dn;
}

Entry facility_to_entry(const DitSettings& s, const Facility& f) {
  Entry e;
  e.dn = facility_dn(s, f.oid);
  e.add("objectClass", {"top", "organization", "HCRegulatedOrganization", "hpdProvider"});
  e.add("uid", {f.oid});
  std::vector<std::string> names;
  for (const auto* n : {&f.name_kanji, &f.name_en, &f.name_kana}) {
    if (!n->empty())
      names.push_back(*n);
  }
  e.add("o", names);
  e.add("hcRegisteredName", {names.front()});
  e.add("hcIdentifier", {s.network_root + ":" + std::string(kFacilityOidType) + ":" + f.oid + ":" +
                         status_word(f.status)});
  e.add("businessCategory", {std::string(to_string(f.kind))});
  e.add("hpdProviderStatus", {status_word(f.status)});
  if (!f.municipality_code.empty())
    e.add("l", {f.municipality_code});
  if (!f.postal_code.empty())
    e.add("postalCode", {f.postal_code});
  if (!f.address.empty())
    e.add("postalAddress", {f.address});
  if (!f.phone.empty())
    e.add("telephoneNumber", {f.phone});
  return e;
}

Entry user_to_entry(const DitSettings& s, const User& u) {
  Entry e;
  e.dn = user_dn(s, u.login_id);
  e.add("objectClass", {"top", "person", "organizationalPerson", "inetOrgPerson", "HCProfessional",
                        "hpdProvider"});
  e.add("uid", {u.login_id});
  const std::string name = u.display_name.empty() ? u.login_id : u.display_name;
  e.add("cn", {name});
  e.add("displayName", {name});
  // Our model keeps one display name; sn is required by person, so it carries the name whole
  // (family name first, as Japanese names are written).
  e.add("sn", {name});
  e.add("hcIdentifier", {u.facility_oid + ":login:" + u.login_id + ":" + status_word(u.status)});
  e.add("hcProfession", {std::string(profession_to_hpd(u.profession))});
  e.add("hpdProviderStatus", {status_word(u.status)});
  e.add("memberOf", {relationship_dn(s, u.facility_oid)});
  if (!u.hpki.serial.empty() || !u.hpki.subject.empty()) {
    e.add("hpdCredential", {"HPKI:issuer=" + u.hpki.issuer + "$serial=" + u.hpki.serial +
                            "$subject=" + u.hpki.subject});
  }
  return e;
}

Entry relationship_to_entry(const DitSettings& s, std::string_view facility_oid,
                            const std::vector<std::string>& member_login_ids) {
  Entry e;
  e.dn = relationship_dn(s, facility_oid);
  e.add("objectClass", {"top", "groupOfNames"});
  e.add("cn", {std::string(facility_oid)});
  e.add("owner", {facility_dn(s, facility_oid)});
  std::vector<std::string> members;
  for (const auto& m : member_login_ids)
    members.push_back(user_dn(s, m));
  if (!members.empty())
    e.add("member", members);
  return e;
}

dsml::ModifyRequest membership_change(const DitSettings& s, const User& u, dsml::ModOp op) {
  dsml::ModifyRequest m;
  m.dn = relationship_dn(s, u.facility_oid);
  m.modifications.push_back({op, "member", {user_dn(s, u.login_id)}});
  return m;
}

std::variant<std::nullopt_t, std::string, MappingError> facility_oid_of(const DitSettings& s,
                                                                        const Entry& org) {
  const auto* ids = org.find("hcIdentifier");
  if (!ids)
    return std::nullopt;
  for (const auto& v : ids->values) {
    const std::string value = trimmed(v);
    const auto parts = split(value, ':');
    if (parts.size() < 3 || trimmed(parts[0]) != s.network_root ||
        normalize_value(parts[1]) != normalize_value(kFacilityOidType)) {
      continue;
    }
    const std::string oid = trimmed(parts[2]);
    std::string why;
    if (!parse_facility_oid(oid, s.network_root, &why)) {
      return MappingError{dsml::ResultCode::kInvalidAttributeSyntax,
                          "hcIdentifier carries an invalid facility OID \"" + oid + "\": " + why};
    }
    return oid;
  }
  return std::nullopt;
}

std::variant<Facility, MappingError> entry_to_facility(const DitSettings& s, const Entry& org,
                                                       const std::optional<Facility>& existing) {
  auto oid = facility_oid_of(s, org);
  if (auto* e = std::get_if<MappingError>(&oid))
    return *e;
  if (!std::holds_alternative<std::string>(oid)) {
    return MappingError{dsml::ResultCode::kObjectClassViolation,
                        "organization carries no " + std::string(kFacilityOidType) +
                            " hcIdentifier under " + s.network_root};
  }
  Facility f;
  if (existing) {
    f = *existing;
  } else {
    f.views = true;
    f.kind = FacilityKind::kClinic;
  }
  f.oid = std::get<std::string>(oid);
  const std::string registered = org.first("hcRegisteredName");
  f.name_kanji = registered.empty() ? org.first("o") : registered;
  if (const auto category = org.first("businessCategory"); !category.empty()) {
    auto kind = kind_from_hpd(category);
    if (!kind) {
      return MappingError{dsml::ResultCode::kInvalidAttributeSyntax,
                          "businessCategory \"" + category +
                              "\" is not a facility kind (hospital, clinic, dental_clinic, "
                              "pharmacy, home_visit_nursing, care_facility)"};
    }
    f.kind = *kind;
  }
  const auto status = normalize_value(org.first("hpdProviderStatus"));
  if (status == "inactive")
    f.status = FacilityStatus::kSuspended;
  else if (status == "retired" || status == "deceased")
    f.status = FacilityStatus::kRetired;
  else if (status == "active")
    f.status = FacilityStatus::kActive;
  // Contact details as the organization carries them (absent: none).
  f.postal_code = org.first("postalCode");
  f.address = org.first("postalAddress");
  f.phone = org.first("telephoneNumber");
  if (auto problem = validate(f, s.network_root))
    return MappingError{dsml::ResultCode::kConstraintViolation, *problem};
  return f;
}

std::variant<std::nullopt_t, UserBinding, MappingError> user_binding_of(const DitSettings& s,
                                                                        const Entry& professional) {
  using dsml::ResultCode;
  const auto* ids = professional.find("hcIdentifier");
  if (!ids)
    return std::nullopt;
  for (const auto& v : ids->values) {
    const std::string value = trimmed(v);
    const auto parts = split(value, ':');
    if (parts.size() < 3 || normalize_value(parts[1]) != "login")
      continue;
    UserBinding b;
    b.facility_oid = trimmed(parts[0]);
    std::string why;
    if (!parse_facility_oid(b.facility_oid, s.network_root, &why)) {
      return MappingError{
          ResultCode::kInvalidAttributeSyntax,
          "hcIdentifier login issuer \"" + b.facility_oid + "\" is not a facility OID: " + why};
    }
    b.login_id = trimmed(parts[2]);
    if (!is_valid_login_id(b.login_id)) {
      return MappingError{ResultCode::kInvalidAttributeSyntax,
                          "hcIdentifier login \"" + b.login_id +
                              "\" is not a login id (3..64 of A-Z a-z 0-9 . _ @ -)"};
    }
    const auto* professions = professional.find("hcProfession");
    std::optional<Profession> profession;
    if (professions) {
      for (const auto& p : professions->values) {
        if (!profession)
          profession = profession_from_hpd(p);
      }
    }
    if (!profession) {
      return MappingError{ResultCode::kInvalidAttributeSyntax,
                          "a user needs an hcProfession this network knows (doctor, dentist, "
                          "pharmacist, nurse, ...)"};
    }
    if (is_console_only(*profession)) {
      return MappingError{ResultCode::kUnwillingToPerform,
                          "secretariat administrators, prefecture officers and facility data "
                          "managers are registered by the secretariat only"};
    }
    b.profession = *profession;
    b.display_name = professional.first("displayName");
    if (b.display_name.empty())
      b.display_name = professional.first("cn");
    const auto status = normalize_value(professional.first("hpdProviderStatus"));
    b.status = status == "inactive"                          ? UserStatus::kLocked
               : status == "retired" || status == "deceased" ? UserStatus::kRetired
                                                             : UserStatus::kActive;
    if (const auto* creds = professional.find("hpdCredential")) {
      for (const auto& c : creds->values) {
        const std::string cred = trimmed(c);
        if (cred.rfind("HPKI:", 0) != 0)
          continue;
        for (auto field : split(std::string_view(cred).substr(5), '$')) {
          const auto eq = field.find('=');
          if (eq == std::string_view::npos)
            continue;
          const auto key = normalize_value(field.substr(0, eq));
          const std::string val = trimmed(field.substr(eq + 1));
          if (key == "issuer")
            b.hpki.issuer = val;
          else if (key == "serial")
            b.hpki.serial = val;
          else if (key == "subject")
            b.hpki.subject = val;
        }
        if ((b.hpki.issuer.empty() || b.hpki.serial.empty()) && b.hpki.subject.empty()) {
          return MappingError{ResultCode::kInvalidAttributeSyntax,
                              "hpdCredential HPKI binding needs issuer and serial, or subject"};
        }
        break;
      }
    }
    return b;
  }
  return std::nullopt;
}

std::optional<Profession> profession_from_hpd(std::string_view value) {
  const auto v = normalize_value(value);
  for (const auto& n : profession_names()) {
    if (v == n.canonical)
      return n.p;
    for (auto a : n.accepted) {
      if (v == a)
        return n.p;
    }
  }
  return std::nullopt;
}

std::string_view profession_to_hpd(Profession p) {
  return to_string(p);
}

std::optional<FacilityKind> kind_from_hpd(std::string_view category) {
  const auto v = normalize_value(category);
  if (auto k = parse_facility_kind(v))
    return k;
  static const std::vector<std::pair<std::string_view, FacilityKind>> kNames = {
      {"general hospital", FacilityKind::kHospital},
      {"病院", FacilityKind::kHospital},
      {"診療所", FacilityKind::kClinic},
      {"dental clinic", FacilityKind::kDentalClinic},
      {"歯科診療所", FacilityKind::kDentalClinic},
      {"薬局", FacilityKind::kPharmacy},
      {"home visit nursing", FacilityKind::kHomeVisitNursing},
      {"訪問看護ステーション", FacilityKind::kHomeVisitNursing},
      {"care facility", FacilityKind::kCareFacility},
      {"介護施設", FacilityKind::kCareFacility},
  };
  for (const auto& [name, kind] : kNames) {
    if (v == name)
      return kind;
  }
  return std::nullopt;
}

}  // namespace hareyaka::hpd
