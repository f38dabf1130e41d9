// A small network for consent tests: one disclosing hospital (the source), one viewing
// facility of every kind, one user of every profession at each.
#pragma once

#include <map>
#include <memory>

#include "consent/decision.hpp"
#include "consent/migrations.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/migrations.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::testing {

struct ConsentNetwork {
  std::unique_ptr<pg::Pool> pool = fresh_pool({&hpd::migrations(), &consent::migrations()}, 4);
  hpd::PgDirectoryStore directory{*pool};
  consent::PgConsentStore consents{*pool};
  consent::Decider decider{*pool};
  std::string source = facility_oid(100);
  std::string source_domain = hpd::patient_id_domain(source);
  std::map<hpd::FacilityKind, std::string> viewer;  // kind -> viewing facility OID
  std::map<std::pair<hpd::FacilityKind, hpd::Profession>, consent::UserContext> users;

  ConsentNetwork() {
    directory.create_facility(make_facility(100, hpd::FacilityKind::kHospital, true, false));
    int code = 200;
    for (auto kind : hpd::kAllFacilityKinds) {
      auto f = make_facility(++code, kind, false, true);
      directory.create_facility(f);
      viewer[kind] = f.oid;
      for (auto p : hpd::kAllProfessions) {
        std::string login =
            std::string(hpd::to_string(kind)) + "." + std::string(hpd::to_string(p));
        auto id = directory.create_user(make_user(login, f.oid, p));
        users[{kind, p}] = {id, login, p, f.oid};
      }
    }
  }

  consent::NewConsent consent_for(const std::string& local_id,
                                  std::optional<std::string> viewer_oid, hpd::TimePoint start) {
    consent::NewConsent c;
    c.patient = {source_domain, local_id};
    c.source_facility = source;
    c.viewer_facility = std::move(viewer_oid);
    c.starts_at = start;
    c.registered_by = "secretariat1";
    c.document_ref = "FORM-" + local_id;
    return c;
  }
};

}  // namespace hareyaka::testing
