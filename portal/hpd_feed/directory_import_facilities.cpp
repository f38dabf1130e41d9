// The facility importer: one row per facility, keyed by its OID (given, or made from the
// prefecture and facility code under the network root).
#include <algorithm>
#include <map>

#include "hpd/facility.hpp"
#include "hpd/oid.hpp"
#include "hpd/pg_directory_store.hpp"
#include "portal/hpd_feed/directory_import.hpp"

namespace hareyaka::hpd_feed {
namespace {

// The kinds as the secretariat's sheets write them: the API names and the Japanese ones.
std::optional<hpd::FacilityKind> kind_of(const std::string& s) {
  static const std::map<std::string, hpd::FacilityKind> kJapanese = {
      {"病院", hpd::FacilityKind::kHospital},
      {"診療所", hpd::FacilityKind::kClinic},
      {"医科診療所", hpd::FacilityKind::kClinic},
      {"歯科診療所", hpd::FacilityKind::kDentalClinic},
      {"薬局", hpd::FacilityKind::kPharmacy},
      {"訪問看護ステーション", hpd::FacilityKind::kHomeVisitNursing},
      {"介護施設", hpd::FacilityKind::kCareFacility},
      {"home_nursing", hpd::FacilityKind::kHomeVisitNursing}};
  if (auto k = hpd::parse_facility_kind(s))
    return k;
  auto it = kJapanese.find(s);
  if (it != kJapanese.end())
    return it->second;
  return std::nullopt;
}

std::vector<std::string> differences(const hpd::Facility& a, const hpd::Facility& b) {
  std::vector<std::string> out;
  auto cmp = [&](const char* col, bool same) {
    if (!same)
      out.emplace_back(col);
  };
  cmp("name", a.name_kanji == b.name_kanji);
  cmp("name_kana", a.name_kana == b.name_kana);
  cmp("name_en", a.name_en == b.name_en);
  cmp("kind", a.kind == b.kind);
  cmp("municipality", a.municipality_code == b.municipality_code);
  cmp("postal_code", a.postal_code == b.postal_code);
  cmp("address", a.address == b.address);
  cmp("phone", a.phone == b.phone);
  cmp("discloses", a.discloses == b.discloses);
  cmp("views", a.views == b.views);
  cmp("gateway_url", a.gateway_url == b.gateway_url);
  cmp("gateway_cert_sha256", a.gateway_cert_sha256 == b.gateway_cert_sha256);
  cmp("status", a.status == b.status);
  return out;
}

// The OID of a row: the oid column, or prefecture + code; "" after reporting the error.
std::string oid_of(const RowReader& r, const std::string& root) {
  const std::string oid = r.get("oid");
  const std::string pref = r.get("prefecture");
  const std::string code = r.get("code");
  std::string err;
  if (!oid.empty()) {
    auto parts = hpd::parse_facility_oid(oid, root, &err);
    if (!parts) {
      r.error("oid", "'" + oid + "' is not a facility OID: " + err);
      return {};
    }
    if ((!pref.empty() && pref != parts->prefecture) ||
        (!code.empty() && code != parts->facility_code)) {
      r.error("oid", "does not match the prefecture and code of the same row");
      return {};
    }
    return oid;
  }
  if (pref.empty() || code.empty()) {
    r.error(pref.empty() ? (r.has_column("oid") ? "oid" : "prefecture") : "code",
            "give the OID, or the prefecture and the facility code");
    return {};
  }
  auto made = hpd::make_facility_oid(root, pref, code, &err);
  if (!made) {
    r.error(err.find("prefecture") != std::string::npos ? "prefecture" : "code", err);
    return {};
  }
  return made->to_string();
}

std::string column_of_field(const std::string& field) {
  if (field == "municipality_code")
    return "municipality";
  return field;
}

}  // namespace

void plan_facilities(pg::Tx& tx, const std::vector<std::string>& header,
                     const std::vector<std::pair<int, std::vector<std::string>>>& rows, bool apply,
                     const ImportSettings& settings, ImportReport& report) {
  if (!(std::find(header.begin(), header.end(), "oid") != header.end() ||
        (std::find(header.begin(), header.end(), "prefecture") != header.end() &&
         std::find(header.begin(), header.end(), "code") != header.end()))) {
    report.errors.push_back({1, "oid", "missing column: oid (or prefecture and code)"});
  }
  std::map<std::string, int> seen;
  std::vector<std::pair<hpd::Facility, bool>> writes;  // facility, is new
  for (const auto& [number, cells] : rows) {
    const std::size_t errors_before = report.errors.size();
    RowReader r{&header, &cells, number, &report.errors};
    ImportRow out{.row = number};
    out.key = oid_of(r, settings.network_root);
    if (!out.key.empty()) {
      auto [it, fresh] = seen.emplace(out.key, number);
      if (!fresh)
        r.error("oid", out.key + " already appears in row " + std::to_string(it->second));
    }
    const auto existing = out.key.empty() ? std::nullopt : hpd::find_facility(tx, out.key);
    hpd::Facility f = existing.value_or(hpd::Facility{});
    f.oid = out.key;
    if (!existing) {
      f.views = true;  // a new facility views unless the sheet says otherwise
      if (r.get("kind").empty())
        r.error("kind", "required for a new facility");
      if (r.get("name").empty() && r.get("name_en").empty())
        r.error("name", "required for a new facility");
    }
    auto set_text = [&](const char* col, std::string& field) {
      if (auto v = r.get(col); !v.empty())
        field = v;
    };
    set_text("name", f.name_kanji);
    set_text("name_kana", f.name_kana);
    set_text("name_en", f.name_en);
    set_text("municipality", f.municipality_code);
    set_text("postal_code", f.postal_code);
    set_text("address", f.address);
    set_text("phone", f.phone);
    set_text("gateway_url", f.gateway_url);
    if (auto v = r.get("gateway_cert_sha256"); !v.empty()) {
      std::string hex;
      for (char c : v) {
        if (c != ':' && c != ' ')
          hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      f.gateway_cert_sha256 = hex;
    }
    if (auto v = r.get("kind"); !v.empty()) {
      if (auto k = kind_of(v)) {
        f.kind = *k;
      } else {
        r.error("kind", "unknown facility kind '" + v +
                            "' (hospital, clinic, dental_clinic, pharmacy, home_visit_nursing, "
                            "care_facility, or 病院, 診療所, 歯科診療所, 薬局, "
                            "訪問看護ステーション, 介護施設)");
      }
    }
    if (auto v = read_bool(r, "discloses"))
      f.discloses = *v;
    if (auto v = read_bool(r, "views"))
      f.views = *v;
    if (auto v = r.get("status"); !v.empty()) {
      if (auto st = hpd::parse_facility_status(v))
        f.status = *st;
      else
        r.error("status", "'" + v + "' is not active, suspended or retired");
    }
    if (report.errors.size() == errors_before && !out.key.empty()) {
      if (auto problem = hpd::validate(f, settings.network_root)) {
        const auto colon = problem->find(": ");
        if (colon == std::string::npos)
          r.error("", *problem);
        else
          r.error(column_of_field(problem->substr(0, colon)), problem->substr(colon + 2));
      }
    }
    if (report.errors.size() != errors_before) {
      out.action = "error";
    } else if (!existing) {
      out.action = "create";
      ++report.create;
      writes.emplace_back(f, true);
    } else if (auto diff = differences(*existing, f); diff.empty()) {
      out.action = "unchanged";
      ++report.unchanged;
    } else {
      out.action = "update";
      out.changed = std::move(diff);
      ++report.update;
      writes.emplace_back(f, false);
    }
    report.rows.push_back(std::move(out));
  }
  if (!apply || !report.errors.empty())
    return;
  for (const auto& [f, fresh] : writes) {
    if (fresh)
      hpd::insert_facility(tx, f);
    else
      hpd::update_facility(tx, f);
  }
  report.applied = true;
}

}  // namespace hareyaka::hpd_feed
