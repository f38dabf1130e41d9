// Disaster declarations (issue #20, emergency mode): the one place the portal resolves where
// a facility's records are fetched from. While a declaration is in force (not ended,
// starts_at <= now < until) the facility's calls go to the standby gateway the secretariat
// runs at the preservation site (its URL and certificate pin), and every answer from it is
// labelled as a preserved copy as of preserved_as_of; otherwise to the facility's own
// gateway. Who may see what is decided exactly as before: the source facility is the same.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/pg.hpp"
#include "hpd/facility.hpp"
#include "hpd/time.hpp"

namespace hareyaka::disaster {

struct Standby {
  std::int64_t declaration = 0;
  std::string url;          // https://host:port of the standby gateway
  std::string cert_sha256;  // its certificate's pin
  hpd::TimePoint preserved_as_of;
  hpd::TimePoint until;
};

// The declarations in force at `now`, by facility OID.
using StandbyMap = std::map<std::string, Standby>;
StandbyMap in_force(pg::Pool& pool, hpd::TimePoint now);

// Where one facility's records are fetched from: its standby while a declaration is in
// force, else its own gateway (url "" when it has none).
struct Endpoint {
  std::string url;
  std::string cert_sha256;  // the pin the connection must present; "" for a facility's own
  std::optional<Standby> standby;
};
Endpoint endpoint_of(const hpd::Facility& facility, const StandbyMap& in_force);

// The label of an answer from a standby: {"as_of": ISO 8601, "declaration": id}.
nlohmann::json preserved_json(const Standby& s);
// The audit record's detail for a disclosure from a standby.
std::string preserved_detail(const Standby& s);

}  // namespace hareyaka::disaster
