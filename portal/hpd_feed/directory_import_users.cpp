// The user importer: one row per user, keyed by the login id. A password is optional (a user
// without one logs in with an HPKI card, or gets one from the console's reset); a user that
// is locked or retired by the sheet loses its sessions in the same transaction.
#include <algorithm>
#include <map>

#include "hpd/user.hpp"
#include "portal/auth/password.hpp"
#include "portal/hpd_feed/directory_import.hpp"

namespace hareyaka::hpd_feed {
namespace {

constexpr pg::Statement kFind{
    "import_find_user",
    "SELECT id, facility_oid, profession, display_name, status, hpki_issuer, hpki_serial, "
    "hpki_subject FROM users WHERE login_id = $1"};
constexpr pg::Statement kFacilityExists{"import_facility_exists",
                                        "SELECT 1 FROM facilities WHERE oid = $1"};
constexpr pg::Statement kInsert{
    "import_insert_user",
    "INSERT INTO users (facility_oid, profession, login_id, display_name, password_hash, "
    "hpki_issuer, hpki_serial, hpki_subject, status, password_changed_at) VALUES ($1, $2, $3, $4, "
    "$5, $6, $7, $8, $9, CASE WHEN $5 = '' THEN NULL ELSE now() END)"};
constexpr pg::Statement kUpdate{
    "import_update_user",
    "UPDATE users SET profession = $2, display_name = $3, status = $4, hpki_issuer = $5, "
    "hpki_serial = $6, hpki_subject = $7 WHERE login_id = $1"};
constexpr pg::Statement kEndSessions{
    "import_end_sessions",
    "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login_id = $1)"};

std::optional<hpd::Profession> profession_of(const std::string& s) {
  static const std::map<std::string, hpd::Profession> kJapanese = {
      {"医師", hpd::Profession::kDoctor},
      {"歯科医師", hpd::Profession::kDentist},
      {"薬剤師", hpd::Profession::kPharmacist},
      {"看護師", hpd::Profession::kNurse},
      {"保健師", hpd::Profession::kPublicHealthNurse},
      {"助産師", hpd::Profession::kMidwife},
      {"療法士", hpd::Profession::kTherapist},
      {"介護支援専門員", hpd::Profession::kCareManager},
      {"ケアマネジャー", hpd::Profession::kCareManager},
      {"事務", hpd::Profession::kClerk},
      {"事務員", hpd::Profession::kClerk},
      {"事務局管理者", hpd::Profession::kSecretariatAdmin},
      {"都道府県担当者", hpd::Profession::kPrefectureOfficer},
      {"施設データ管理者", hpd::Profession::kDataManager}};
  if (auto p = hpd::parse_profession(s))
    return p;
  auto it = kJapanese.find(s);
  if (it != kJapanese.end())
    return it->second;
  return std::nullopt;
}

struct Planned {
  hpd::User user;
  std::string password;
  bool fresh = false;
  bool end_sessions = false;
};

}  // namespace

void plan_users(pg::Tx& tx, const std::vector<std::string>& header,
                const std::vector<std::pair<int, std::vector<std::string>>>& rows, bool apply,
                const ImportSettings& settings, ImportReport& report) {
  if (std::find(header.begin(), header.end(), "login_id") == header.end())
    report.errors.push_back({1, "login_id", "missing column: login_id"});
  std::map<std::string, int> seen;
  std::vector<Planned> writes;
  for (const auto& [number, cells] : rows) {
    const std::size_t errors_before = report.errors.size();
    RowReader r{&header, &cells, number, &report.errors};
    ImportRow out{.row = number};
    Planned p;
    hpd::User& u = p.user;
    u.login_id = r.get("login_id");
    if (u.login_id.empty()) {
      r.error("login_id", "required");
    } else if (!hpd::is_valid_login_id(u.login_id)) {
      r.error("login_id",
              "'" + u.login_id + "': 3 to 64 characters of letters, digits and . _ @ -");
    } else {
      out.key = u.login_id;
      auto [it, fresh] = seen.emplace(u.login_id, number);
      if (!fresh)
        r.error("login_id", u.login_id + " already appears in row " + std::to_string(it->second));
    }
    std::optional<hpd::User> existing;
    if (!out.key.empty()) {
      auto res = tx.exec(kFind, u.login_id);
      if (!res.empty()) {
        hpd::User e;
        e.login_id = u.login_id;
        e.facility_oid = res[0][1].as<std::string>();
        e.profession = hpd::parse_profession(res[0][2].as<std::string>()).value_or(e.profession);
        e.display_name = res[0][3].as<std::string>();
        e.status = hpd::parse_user_status(res[0][4].as<std::string>()).value_or(e.status);
        e.hpki = {res[0][5].as<std::string>(), res[0][6].as<std::string>(),
                  res[0][7].as<std::string>()};
        existing = e;
        u = e;
      }
    }
    const std::string facility = r.get("facility_oid");
    if (!existing) {
      for (const char* col : {"display_name", "facility_oid", "profession"}) {
        if (r.get(col).empty())
          r.error(col, "required for a new user");
      }
      u.status = hpd::UserStatus::kActive;
    }
    if (!facility.empty()) {
      if (existing && facility != existing->facility_oid) {
        r.error("facility_oid", "a user's facility cannot change (was " + existing->facility_oid +
                                    "): register a new login id");
      } else if (!existing && tx.exec(kFacilityExists, facility).empty()) {
        r.error("facility_oid", "no facility " + facility + " in the directory");
      }
      u.facility_oid = facility;
    }
    if (auto v = r.get("display_name"); !v.empty())
      u.display_name = v;
    if (auto v = r.get("profession"); !v.empty()) {
      if (auto prof = profession_of(v))
        u.profession = *prof;
      else
        r.error("profession", "unknown profession '" + v +
                                  "' (doctor, dentist, pharmacist, nurse, public_health_nurse, "
                                  "midwife, therapist, care_manager, clerk, secretariat_admin, "
                                  "prefecture_officer, data_manager, or "
                                  "医師, 歯科医師, 薬剤師, 看護師, ...)");
    }
    if (auto v = r.get("status"); !v.empty()) {
      if (auto st = hpd::parse_user_status(v))
        u.status = *st;
      else
        r.error("status", "'" + v + "' is not active, locked or retired");
    }
    if (auto v = r.get("hpki_issuer"); !v.empty())
      u.hpki.issuer = v;
    if (auto v = r.get("hpki_serial"); !v.empty())
      u.hpki.serial = v;
    if (auto v = r.get("hpki_subject"); !v.empty())
      u.hpki.subject = v;
    if (u.hpki.issuer.empty() != u.hpki.serial.empty())
      r.error("hpki_serial", "hpki_issuer and hpki_serial go together");
    p.password = r.get("password");
    if (!p.password.empty()) {
      if (existing) {
        r.error("password", "set only for a new user (use the console's reset for others)");
      } else if (auto problem = auth::check_password_rules(p.password, u.login_id)) {
        r.error("password", problem->message);
      }
    }
    if (report.errors.size() != errors_before) {
      out.action = "error";
    } else if (!existing) {
      out.action = "create";
      ++report.create;
      p.fresh = true;
      writes.push_back(std::move(p));
    } else {
      std::vector<std::string> diff;
      if (u.display_name != existing->display_name)
        diff.emplace_back("display_name");
      if (u.profession != existing->profession)
        diff.emplace_back("profession");
      if (u.status != existing->status)
        diff.emplace_back("status");
      if (u.hpki.issuer != existing->hpki.issuer || u.hpki.serial != existing->hpki.serial ||
          u.hpki.subject != existing->hpki.subject)
        diff.emplace_back("hpki");
      if (diff.empty()) {
        out.action = "unchanged";
        ++report.unchanged;
      } else {
        out.action = "update";
        out.changed = diff;
        ++report.update;
        // Another profession or a lock ends the sessions of the old rights (as the console).
        p.end_sessions = u.profession != existing->profession ||
                         (u.status != hpd::UserStatus::kActive && u.status != existing->status);
        writes.push_back(std::move(p));
      }
    }
    report.rows.push_back(std::move(out));
  }
  if (!apply || !report.errors.empty())
    return;
  for (const auto& p : writes) {
    const auto& u = p.user;
    const std::string profession(hpd::to_string(u.profession));
    const std::string status(hpd::to_string(u.status));
    if (p.fresh) {
      const std::string hash =
          p.password.empty() ? std::string() : auth::hash_password(p.password, settings.hashing);
      tx.exec(kInsert, u.facility_oid, profession, u.login_id, u.display_name, hash, u.hpki.issuer,
              u.hpki.serial, u.hpki.subject, status);
    } else {
      tx.exec(kUpdate, u.login_id, profession, u.display_name, status, u.hpki.issuer, u.hpki.serial,
              u.hpki.subject);
      if (p.end_sessions)
        tx.exec(kEndSessions, u.login_id);
    }
  }
  report.applied = true;
}

}  // namespace hareyaka::hpd_feed
