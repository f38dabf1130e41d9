#include "portal/schema.hpp"

#include "consent/migrations.hpp"
#include "hpd/migrations.hpp"
#include "pix/pg_identity_store.hpp"
#include "portal/admin/migrations.hpp"
#include "portal/audit/migrations.hpp"
#include "portal/auth/migrations.hpp"
#include "portal/care/migrations.hpp"
#include "portal/disaster/migrations.hpp"
#include "portal/fhir/migrations.hpp"
#include "portal/hpd_feed/migrations.hpp"
#include "portal/locators/migrations.hpp"
#include "portal/stats/migrations.hpp"

namespace hareyaka::portal {

std::vector<const pg::MigrationSet*> all_migrations() {
  // Dependency order: the directory first (consents and users refer to facilities).
  return {&hpd::migrations(),      &consent::migrations(),  &pix::migrations(),
          &auth::migrations(),     &audit::migrations(),    &admin::migrations(),
          &locators::migrations(), &hpd_feed::migrations(), &stats::migrations(),
          &fhir::migrations(),     &care::migrations(),     &disaster::migrations()};
}

}  // namespace hareyaka::portal
