#include "portal/schema.hpp"

namespace hareyaka::portal {

std::vector<const pg::MigrationSet*> all_migrations() {
  // Components register here as their stores land (hpd, consent, pix, auth, audit, ...).
  return {};
}

}  // namespace hareyaka::portal
