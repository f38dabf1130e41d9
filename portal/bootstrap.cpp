#include "portal/bootstrap.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.hpp"
#include "common/migrations.hpp"
#include "common/pg.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/pg_directory_store.hpp"
#include "portal/auth/password.hpp"
#include "portal/auth/totp_at_rest.hpp"
#include "portal/config.hpp"
#include "portal/schema.hpp"

namespace hareyaka::portal {
namespace {

using nlohmann::json;

std::string str(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::kBadRequest, where + ": " + what);
}

int bootstrap(const PortalConfig& cfg, const json& seed) {
  pg::Pool pool({.conninfo = cfg.database.conninfo, .size = 2});
  pg::apply_migrations(pool, all_migrations());
  hpd::PgDirectoryStore directory(pool, cfg.network_root_oid);
  consent::PgConsentStore consents(pool);
  const auto hashing = cfg.auth.fast_password_hashing ? auth::PasswordHashing::fastest_for_tests()
                                                      : auth::PasswordHashing::interactive();
  int created = 0;
  std::size_t i = 0;
  for (const auto& f : seed.value("facilities", json::array())) {
    const std::string where = "facilities[" + std::to_string(i++) + "]";
    hpd::Facility fac;
    fac.oid = str(f, "oid");
    const bool exists = directory.find_facility(fac.oid).has_value();
    fac.name_kanji = str(f, "name_kanji");
    fac.name_kana = str(f, "name_kana");
    fac.name_en = str(f, "name_en");
    auto kind = hpd::parse_facility_kind(str(f, "kind"));
    if (!kind)
      bad(where, "unknown kind '" + str(f, "kind") + "'");
    fac.kind = *kind;
    fac.municipality_code = str(f, "municipality_code");
    fac.discloses = f.value("discloses", false);
    fac.views = f.value("views", false);
    fac.gateway_url = str(f, "gateway_url");
    fac.gateway_cert_sha256 = str(f, "gateway_cert_sha256");
    if (auto problem = hpd::validate(fac, cfg.network_root_oid))
      bad(where, *problem);
    // A facility that exists is brought up to date (its gateway may have moved).
    if (exists) {
      directory.update_facility(fac);
    } else {
      directory.create_facility(fac);
      ++created;
    }
  }
  i = 0;
  for (const auto& u : seed.value("users", json::array())) {
    const std::string where = "users[" + std::to_string(i++) + "]";
    hpd::User user;
    user.login_id = str(u, "login_id");
    if (directory.find_user_by_login(user.login_id))
      continue;
    user.display_name = str(u, "display_name");
    user.facility_oid = str(u, "facility_oid");
    auto prof = hpd::parse_profession(str(u, "profession"));
    if (!prof)
      bad(where, "unknown profession '" + str(u, "profession") + "'");
    user.profession = *prof;
    const std::string password = str(u, "password");
    if (auto problem = auth::check_password_rules(password, user.login_id)) {
      bad(where, problem->message);
    }
    user.password_hash = auth::hash_password(password, hashing);
    user.totp_secret = str(u, "totp_secret");
    directory.create_user(user);
    ++created;
  }
  i = 0;
  const auto now = hpd::Clock::now();
  for (const auto& c : seed.value("consents", json::array())) {
    const std::string where = "consents[" + std::to_string(i++) + "]";
    consent::NewConsent nc;
    nc.patient = {str(c, "authority"), str(c, "local_id")};
    nc.source_facility = str(c, "source_facility");
    if (nc.patient.authority.empty() || nc.patient.local_id.empty() || nc.source_facility.empty()) {
      bad(where, "authority, local_id and source_facility are required");
    }
    if (c.contains("viewer_facility") && c["viewer_facility"].is_string()) {
      nc.viewer_facility = c["viewer_facility"].get<std::string>();
    }
    if (c.contains("viewer_community") && c["viewer_community"].is_string()) {
      nc.viewer_community = c["viewer_community"].get<std::string>();
    }
    if (c.contains("categories") && c["categories"].is_array()) {
      std::set<consent::Category> scope;
      for (const auto& name : c["categories"]) {
        auto cat = consent::parse_category(name.get<std::string>());
        if (!cat)
          bad(where, "unknown category '" + name.get<std::string>() + "'");
        scope.insert(*cat);
      }
      nc.scope = scope;
    }
    // Idempotent: an identical live consent is not registered twice.
    bool exists = false;
    for (const auto& existing : consents.list_for_patient(nc.patient, {.limit = 200}).items) {
      if (existing.viewer_facility == nc.viewer_facility &&
          existing.viewer_community == nc.viewer_community && existing.scope == nc.scope &&
          existing.source_facility == nc.source_facility &&
          existing.state_at(now) == consent::ConsentState::kActive) {
        exists = true;
      }
    }
    if (exists)
      continue;
    nc.starts_at = now - std::chrono::hours(24);
    nc.registered_by = "bootstrap";
    nc.document_ref = str(c, "document_ref", "bootstrap");
    consents.give(nc, now);
    ++created;
  }
  // Seed users' secrets are plain base32: sealed now when keys are configured.
  auth::reseal_totp_secrets(pool, cfg.auth.totp_box, auth::ResealScope::kPlaintextOnly);
  std::printf("bootstrap: %d entries created\n", created);
  return 0;
}

}  // namespace

int run_bootstrap(int argc, char** argv) {
  std::string config_file, seed_file;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--config") && i + 1 < argc) {
      config_file = argv[++i];
    } else if (!std::strcmp(argv[i], "--file") && i + 1 < argc) {
      seed_file = argv[++i];
    } else {
      std::fprintf(stderr, "usage: hareyaka-portal bootstrap --config FILE --file SEED.json\n");
      return 2;
    }
  }
  if (config_file.empty() || seed_file.empty()) {
    std::fprintf(stderr, "usage: hareyaka-portal bootstrap --config FILE --file SEED.json\n");
    return 2;
  }
  try {
    const PortalConfig cfg = load_portal_config(config_file);
    std::ifstream in(seed_file);
    if (!in) {
      std::fprintf(stderr, "hareyaka-portal bootstrap: cannot read %s\n", seed_file.c_str());
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return bootstrap(cfg, json::parse(ss.str(), nullptr, true, true));
  } catch (const json::exception& e) {
    std::fprintf(stderr, "hareyaka-portal bootstrap: %s is not valid JSON: %s\n", seed_file.c_str(),
                 e.what());
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hareyaka-portal bootstrap: %s\n", e.what());
  } catch (const Error& e) {
    std::fprintf(stderr, "hareyaka-portal bootstrap: %s\n", e.internal().c_str());
  }
  return 1;
}

}  // namespace hareyaka::portal
