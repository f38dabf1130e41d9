#include "portal/node_scope.hpp"

#include <algorithm>

#include "hpd/oid.hpp"
#include "pix/pg_identity_sql.hpp"

namespace hareyaka::portal {
namespace {

constexpr pg::Statement kGatewayFacility{
    "node_scope_gateway_facility",
    "SELECT oid FROM facilities WHERE gateway_cert_sha256 = $1 AND status = 'active'"};

// For each identity (in the order given): whether a live consent at its source facility
// (active, disclosing) lets the calling facility ($1) see it; the predicate of the viewer's
// patient list (consent_visible), so a gateway learns no more of another facility's patient
// than its own users could.
constexpr pg::Statement kConsentVisible{"node_scope_consent_visible", R"sql(
SELECT EXISTS (
         SELECT 1 FROM consents c JOIN facilities s ON s.oid = c.source_facility
         WHERE c.viewer_key IN ($1, '*') AND c.withdrawn_at IS NULL
           AND c.patient_authority = k.authority AND c.patient_local_id = k.local_id
           AND c.starts_at <= now() AND (c.expires_at IS NULL OR c.expires_at > now())
           AND s.status = 'active' AND s.discloses)
FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(authority, local_id, n)
ORDER BY k.n)sql"};

// For each identity: whether a live consent at its (active, disclosing) source facility names
// the peer community ($1, its homeCommunityId) and covers demographics. A consent for every
// participating facility ('*') does not reach across the border.
constexpr pg::Statement kCommunityConsent{"node_scope_community_consent", R"sql(
SELECT EXISTS (
         SELECT 1 FROM consents c JOIN facilities s ON s.oid = c.source_facility
         WHERE c.viewer_key = 'community:' || $1 AND c.withdrawn_at IS NULL
           AND c.patient_authority = k.authority AND c.patient_local_id = k.local_id
           AND c.starts_at <= now() AND (c.expires_at IS NULL OR c.expires_at > now())
           AND (c.scope IS NULL OR 'demographics' = ANY (c.scope))
           AND s.status = 'active' AND s.discloses)
FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(authority, local_id, n)
ORDER BY k.n)sql"};

}  // namespace

pix::IdentityFilter NodeScope::community_filter(std::string home_community_id) const {
  return [this, community = std::move(home_community_id)](
             const std::vector<pix::PersonIdentities>& persons) {
    std::vector<std::vector<bool>> out(persons.size());
    std::vector<std::string> authorities, local_ids;
    for (std::size_t i = 0; i < persons.size(); ++i) {
      out[i].assign(persons[i].size(), false);
      for (const auto& k : persons[i]) {
        authorities.push_back(k.authority);
        local_ids.push_back(k.local_id);
      }
    }
    if (authorities.empty())
      return out;
    std::vector<bool> consented;
    pg::read(pool_, [&](pg::Tx& tx) {
      for (const auto& row :
           tx.exec(kCommunityConsent, community, pix::sql::text_array(authorities),
                   pix::sql::text_array(local_ids))) {
        consented.push_back(row[0].as<bool>());
      }
    });
    std::size_t at = 0;
    for (std::size_t i = 0; i < persons.size(); ++i) {
      for (std::size_t j = 0; j < persons[i].size(); ++j, ++at)
        out[i][j] = at < consented.size() && consented[at];
    }
    return out;
  };
}

std::optional<std::string> NodeScope::facility_of(const std::string& sha256) const {
  return pg::read(pool_, [&](pg::Tx& tx) -> std::optional<std::string> {
    auto r = tx.exec(kGatewayFacility, sha256);
    if (r.empty())
      return std::nullopt;
    return r[0][0].as<std::string>();
  });
}

NodeCaller NodeScope::caller(const http::Request& req) const {
  NodeCaller c{.name = "unregistered"};
  const std::string fingerprint = req.peer ? req.peer->sha256_fingerprint : "";
  if (fingerprint.empty())
    return c;
  if (auto facility = facility_of(fingerprint)) {
    c.facility_oid = *facility;
    c.name = "gateway:" + c.facility_oid;
  }
  for (const RegistryWideNode& e : exceptions_) {
    if (e.sha256 == fingerprint) {
      c.name = "node:" + e.name;
      c.exception = e;
    }
  }
  return c;
}

pix::IdentityFilter NodeScope::filter(const NodeCaller& caller) const {
  using Shown = std::vector<std::vector<bool>>;
  if (caller.exception) {
    return [](const std::vector<pix::PersonIdentities>& persons) {
      Shown out;
      for (const auto& p : persons)
        out.emplace_back(p.size(), true);
      return out;
    };
  }
  if (caller.facility_oid.empty())
    return {};
  const std::string facility = caller.facility_oid;
  const std::string own = hpd::patient_id_domain(facility);
  return [this, facility, own](const std::vector<pix::PersonIdentities>& persons) {
    Shown out(persons.size());
    // Only the patients the facility holds itself; of those, every own identity and the
    // cross-references the consent covers (asked for all persons in one statement).
    std::vector<std::string> authorities, local_ids;
    std::vector<bool> held(persons.size());
    for (std::size_t i = 0; i < persons.size(); ++i) {
      const auto& p = persons[i];
      out[i].assign(p.size(), false);
      held[i] = std::any_of(p.begin(), p.end(), [&](const auto& k) { return k.authority == own; });
      if (!held[i])
        continue;
      for (std::size_t j = 0; j < p.size(); ++j) {
        if (p[j].authority == own) {
          out[i][j] = true;
        } else {
          authorities.push_back(p[j].authority);
          local_ids.push_back(p[j].local_id);
        }
      }
    }
    if (authorities.empty())
      return out;
    std::vector<bool> consented;
    pg::read(pool_, [&](pg::Tx& tx) {
      for (const auto& row : tx.exec(kConsentVisible, facility, pix::sql::text_array(authorities),
                                     pix::sql::text_array(local_ids))) {
        consented.push_back(row[0].as<bool>());
      }
    });
    std::size_t at = 0;
    for (std::size_t i = 0; i < persons.size(); ++i) {
      const auto& p = persons[i];
      if (!held[i])
        continue;
      for (std::size_t j = 0; j < p.size(); ++j) {
        if (p[j].authority != own) {
          out[i][j] = at < consented.size() && consented[at];
          ++at;
        }
      }
    }
    return out;
  };
}

}  // namespace hareyaka::portal
