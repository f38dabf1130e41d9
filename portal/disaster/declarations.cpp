#include "portal/disaster/declarations.hpp"

#include "portal/admin/admin_common.hpp"

namespace hareyaka::disaster {

namespace {

constexpr pg::Statement kInForce{
    "disaster_in_force",
    "SELECT facility_oid, id, standby_url, standby_cert_sha256, hy_us(preserved_as_of), "
    "hy_us(until) FROM disaster_declarations "
    "WHERE ended_at IS NULL AND starts_at <= hy_ts($1) AND until > hy_ts($1)"};

}  // namespace

StandbyMap in_force(pg::Pool& pool, hpd::TimePoint now) {
  StandbyMap out;
  pg::transact(pool, [&](pg::Tx& tx) {
    for (const auto& r : tx.exec(kInForce, hpd::to_us(now))) {
      out[r[0].as<std::string>()] = {.declaration = r[1].as<std::int64_t>(),
                                     .url = r[2].as<std::string>(),
                                     .cert_sha256 = r[3].as<std::string>(),
                                     .preserved_as_of = hpd::from_us(r[4].as<std::int64_t>()),
                                     .until = hpd::from_us(r[5].as<std::int64_t>())};
    }
  });
  return out;
}

Endpoint endpoint_of(const hpd::Facility& facility, const StandbyMap& in_force) {
  auto it = in_force.find(facility.oid);
  if (it == in_force.end())
    return {facility.gateway_url, "", std::nullopt};
  return {it->second.url, it->second.cert_sha256, it->second};
}

nlohmann::json preserved_json(const Standby& s) {
  return {{"as_of", admin::iso_time(s.preserved_as_of)}, {"declaration", s.declaration}};
}

std::string preserved_detail(const Standby& s) {
  return "preserved_copy declaration=" + std::to_string(s.declaration) +
         " as_of=" + admin::iso_time(s.preserved_as_of);
}

}  // namespace hareyaka::disaster
