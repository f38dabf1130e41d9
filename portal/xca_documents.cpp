#include "portal/xca_documents.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "common/digest.hpp"
#include "hpd/oid.hpp"
#include "portal/viewer/categories.hpp"
#include "portal/viewer/locator_view.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::portal::xca {
namespace {

using nlohmann::json;

// Each live consent of the person's active identities whose viewer is the peer community ($2),
// at an active, disclosing source facility: its identity, source and scope (NULL: every
// category).
constexpr pg::Statement kCommunityConsents{"xca_community_consents", R"sql(
SELECT i.authority, i.local_id, c.source_facility, c.scope IS NULL,
       coalesce(array_to_string(c.scope, ','), '')
FROM pix_identities i
JOIN consents c ON c.patient_authority = i.authority AND c.patient_local_id = i.local_id
JOIN facilities s ON s.oid = c.source_facility
WHERE i.person_id = $1 AND i.status = 'active'
  AND c.viewer_key = 'community:' || $2 AND c.withdrawn_at IS NULL
  AND c.starts_at <= now() AND (c.expires_at IS NULL OR c.expires_at > now())
  AND s.status = 'active' AND s.discloses
ORDER BY i.authority, i.local_id)sql"};

const std::map<std::string, std::string>& category_titles() {
  static const std::map<std::string, std::string> k = {
      {"encounters", "受診歴"}, {"diagnoses", "病名"},       {"prescriptions", "処方"},
      {"injections", "注射"},   {"allergies", "アレルギー"}, {"lab_results", "検体検査結果"},
      {"imaging", "画像"},      {"reports", "検査レポート"}, {"documents", "文書"}};
  return k;
}

// The LOINC document type of each category (typeCode), for peers that are not Hareyaka.
const std::map<std::string, std::pair<std::string, std::string>>& loinc_types() {
  static const std::map<std::string, std::pair<std::string, std::string>> k = {
      {"encounters", {"46240-8", "History of Hospitalizations+Outpatient visits Narrative"}},
      {"diagnoses", {"11450-4", "Problem list - Reported"}},
      {"prescriptions", {"57833-6", "Prescription for medication"}},
      {"injections", {"29549-3", "Medication administered Narrative"}},
      {"allergies", {"48765-2", "Allergies and adverse reactions Document"}},
      {"lab_results", {"11502-2", "Laboratory report"}},
      {"imaging", {"18748-4", "Diagnostic imaging study"}},
      {"reports", {"47045-0", "Study report Document"}},
      {"documents", {"34133-9", "Summarization of episode note"}}};
  return k;
}

int category_number(const std::string& category) {
  int n = 1;
  for (const auto& [name, parts] : portal_categories()) {
    if (name == category)
      return n;
    ++n;
  }
  return 0;
}

std::string category_of_number(int n) {
  for (const auto& [name, parts] : portal_categories()) {
    if (--n == 0)
      return name;
  }
  return "";
}

}  // namespace

std::string strip_oid_urn(std::string_view v) {
  return std::string(v.starts_with("urn:oid:") ? v.substr(8) : v);
}

std::string unique_id(const std::string& home, const std::string& root, const DocumentKey& k) {
  return home + ".3." + std::to_string(k.person) + "." +
         std::to_string(category_number(k.category)) + "." + k.facility_oid.substr(root.size() + 1);
}

std::optional<DocumentKey> parse_unique_id(const std::string& home, const std::string& root,
                                           std::string_view uid) {
  const std::string prefix = home + ".3.";
  if (!uid.starts_with(prefix))
    return std::nullopt;
  uid.remove_prefix(prefix.size());
  auto number = [&](std::int64_t& out) {
    auto [p, ec] = std::from_chars(uid.data(), uid.data() + uid.size(), out);
    if (ec != std::errc() || p == uid.data() + uid.size() || *p != '.' || out <= 0)
      return false;
    uid.remove_prefix(static_cast<std::size_t>(p - uid.data()) + 1);
    return true;
  };
  DocumentKey k;
  std::int64_t cat = 0;
  if (!number(k.person) || !number(cat) || cat > 100)
    return std::nullopt;
  k.category = category_of_number(static_cast<int>(cat));
  k.facility_oid = root + "." + std::string(uid);
  if (k.category.empty() || !hpd::is_valid_oid(k.facility_oid))
    return std::nullopt;
  return k;
}

std::string entry_uuid(const std::string& uid) {
  std::string h = sha256_hex("hareyaka-xca-entry:" + uid).substr(0, 32);
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
         h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::vector<Disclosable> decide(XcaServices& sv, const PeerCommunity& peer, std::int64_t person) {
  std::vector<Disclosable> out;
  pg::read(sv.pool, [&](pg::Tx& tx) {
    for (const auto& row : tx.exec(kCommunityConsents, person, peer.home_community_id)) {
      Disclosable d{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    ""};
      // Only the facility owning the identity's domain discloses it.
      if (hpd::facility_of_patient_domain(d.authority, sv.network_root) != d.facility_oid)
        continue;
      const bool all = row[3].as<bool>();
      std::vector<std::string> scope;
      const std::string listed = row[4].as<std::string>();
      for (std::size_t at = 0; at < listed.size();) {
        const std::size_t comma = std::min(listed.find(',', at), listed.size());
        scope.push_back(listed.substr(at, comma - at));
        at = comma + 1;
      }
      for (const auto& category : peer.categories) {
        if (all || std::find(scope.begin(), scope.end(), category) != scope.end()) {
          d.category = category;
          out.push_back(d);
        }
      }
    }
  });
  // One consent per (identity, category) is enough; several overlapping ones say the same.
  std::sort(out.begin(), out.end(), [](const Disclosable& a, const Disclosable& b) {
    return std::tie(a.facility_oid, a.category) < std::tie(b.facility_oid, b.category);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Disclosable& a, const Disclosable& b) {
                          return a.facility_oid == b.facility_oid && a.category == b.category;
                        }),
            out.end());
  return out;
}

xds::DocumentEntry make_entry(XcaServices& sv, std::int64_t person, const Disclosable& d,
                              const hpd::Facility& facility, const Locator* locator) {
  const std::string home = sv.xcpd.home_community_id;
  xds::DocumentEntry e;
  e.unique_id = unique_id(home, sv.network_root, {person, d.category, d.facility_oid});
  e.entry_uuid = entry_uuid(e.unique_id);
  e.home_community_id = "urn:oid:" + home;
  e.repository_unique_id = d.facility_oid;
  e.title = category_titles().at(d.category) + "（" + facility.name_kanji + "）";
  e.patient_id = {std::to_string(person), sv.xcpd.patient_id_authority};
  e.source_patient_id = {d.local_id, d.authority};
  e.author_institution = facility.name_kanji + "^^^^^^^^^" + d.facility_oid;
  if (locator) {
    const json summary =
        locator_summary(*locator, {{d.category, portal_categories().at(d.category).second}});
    if (summary["categories"].contains(d.category)) {
      const json& c = summary["categories"][d.category];
      if (auto first = encoding::compact_date(c.value("first", "").substr(0, 10)))
        e.service_start = std::to_string(first);
      if (auto last = encoding::compact_date(c.value("last", "").substr(0, 10)))
        e.service_stop = std::to_string(last);
    }
  }
  e.class_code = {d.category, "Hareyaka data category", category_titles().at(d.category)};
  e.type_code = {loinc_types().at(d.category).first, "2.16.840.1.113883.6.1",
                 loinc_types().at(d.category).second};
  e.format_code = {"urn:hareyaka:category-json:1", "Hareyaka format",
                   "Hareyaka category items (JSON)"};
  e.confidentiality_code = {"N", "2.16.840.1.113883.5.25", "normal"};
  e.facility_type_code = {std::string(hpd::to_string(facility.kind)), "Hareyaka facility kind",
                          std::string(hpd::to_string(facility.kind))};
  e.practice_setting_code = {"394802001", "2.16.840.1.113883.6.96", "General medicine"};
  return e;
}

bool holds_something(const Locator* locator, const std::string& category) {
  for (const auto& part : portal_categories().at(category).second) {
    if (!holds_nothing(locator, part))
      return true;
  }
  return false;
}

}  // namespace hareyaka::portal::xca
