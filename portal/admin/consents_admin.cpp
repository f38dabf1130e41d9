// /api/v1/admin/consents: list a patient's (or a person's) consents, register one, withdraw
// one with a reason, read its history. A consent change and its audit record commit in one
// transaction: there is no consent without its record.
#include <charconv>

#include "common/error.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/oid.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

constexpr int kMaxIdentitiesPerPerson = 64;

json consent_json(const consent::Consent& c, hpd::TimePoint now) {
  json cats = nullptr;
  if (c.scope) {
    cats = json::array();
    for (auto cat : *c.scope)
      cats.push_back(consent::to_string(cat));
  }
  json j{{"id", std::to_string(c.id)},
         {"authority", c.patient.authority},
         {"local_id", c.patient.local_id},
         {"person_id", c.person_id ? json(*c.person_id) : json(nullptr)},
         {"source_facility_oid", c.source_facility},
         {"viewer_facility_oid", c.viewer_facility ? json(*c.viewer_facility) : json(nullptr)},
         {"viewer_community_id", c.viewer_community ? json(*c.viewer_community) : json(nullptr)},
         {"categories", cats},
         {"start", iso_time(c.starts_at)},
         {"expiry", c.expires_at ? json(iso_time(*c.expires_at)) : json(nullptr)},
         {"status", consent::to_string(c.state_at(now))},
         {"document_ref", c.document_ref},
         {"registered_by", c.registered_by},
         {"created_at", iso_time(c.created_at)}};
  if (c.withdrawn_at) {
    j["withdrawn_at"] = iso_time(*c.withdrawn_at);
    j["withdrawn_by"] = c.withdrawn_by;
    j["withdrawal_reason"] = c.withdrawal_reason;
  }
  return j;
}

std::int64_t consent_id(const Request& req) {
  const std::string& s = req.param("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id <= 0)
    throw Error(ErrorCode::kNotFound, "no such consent");
  return id;
}

std::int64_t person_id_of(const std::string& s) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id <= 0)
    throw Error(ErrorCode::kNotFound, "no such person");
  return id;
}

audit::AuditEvent consent_event(const Caller& c, const Request& req, const consent::Consent& k,
                                std::string reason) {
  auto e = admin_event(c, req, audit::EventType::kConsentChange, std::move(reason),
                       "consent " + std::to_string(k.id));
  e.patient_authority = k.patient.authority;
  e.patient_local_id = k.patient.local_id;
  e.person_id = k.person_id.value_or("");
  e.source_facility = k.source_facility;
  return e;
}

// A person's consents: those of each of its identities in turn. The cursor is the index of
// the identity and the cursor inside that identity's list.
Response list_for_person(AdminServices& sv, const std::string& person, hpd::PageRequest page,
                         json& items) {
  auto members = sv.identities.members(person_id_of(person), kMaxIdentitiesPerPerson);
  consent::PgConsentStore store(sv.pool);
  std::size_t index = 0;
  std::string inner;
  if (!page.after.empty()) {
    auto [i, c] = hpd::decode_pair_cursor(page.after);
    auto [end, ec] = std::from_chars(i.data(), i.data() + i.size(), index);
    if (ec != std::errc() || end != i.data() + i.size())
      throw Error(ErrorCode::kBadRequest, "invalid parameter 'cursor': not a cursor of this list");
    inner = c;
  }
  const auto now = hpd::Clock::now();
  int left = page.clamped_limit();
  std::string next;
  for (; index < members.size() && left > 0; ++index, inner.clear()) {
    const auto& key = members[index].key;
    auto p = store.list_for_patient({key.authority, key.local_id}, {.after = inner, .limit = left});
    for (const auto& k : p.items)
      items.push_back(consent_json(k, now));
    left -= static_cast<int>(p.items.size());
    if (!p.next.empty()) {
      next = hpd::encode_pair_cursor(std::to_string(index), p.next);
      break;
    }
  }
  if (next.empty() && index < members.size() && left == 0)
    next = hpd::encode_pair_cursor(std::to_string(index), "");
  return json_response(200, page_json(items, next));
}

Response list(AdminServices& sv, const Caller& c, const Request& req) {
  const auto page = page_request(req);
  json items = json::array();
  if (auto person = query(req, "person_id")) {
    audit::AuditEvent e = admin_event(c, req, audit::EventType::kAdminAction, "consent_list", "");
    e.person_id = *person;
    sv.web.audit.append(e, hpd::Clock::now());
    return list_for_person(sv, *person, page, items);
  }
  const auto authority = query(req, "authority");
  const auto local_id = query(req, "local_id");
  if (!authority || !local_id)
    throw Error(ErrorCode::kBadRequest, "give authority and local_id, or person_id");
  audit::AuditEvent e = admin_event(c, req, audit::EventType::kAdminAction, "consent_list", "");
  e.patient_authority = *authority;
  e.patient_local_id = *local_id;
  sv.web.audit.append(e, hpd::Clock::now());
  consent::PgConsentStore store(sv.pool);
  auto p = store.list_for_patient({*authority, *local_id}, page);
  const auto now = hpd::Clock::now();
  for (const auto& k : p.items)
    items.push_back(consent_json(k, now));
  return json_response(200, page_json(items, p.next));
}

std::optional<std::set<consent::Category>> categories(const json& body) {
  auto it = body.find("categories");
  if (it == body.end() || it->is_null())
    return std::nullopt;
  if (!it->is_array())
    throw Error(ErrorCode::kBadRequest, "categories must be an array or null");
  std::set<consent::Category> out;
  for (const auto& v : *it) {
    auto cat = v.is_string() ? consent::parse_category(v.get<std::string>()) : std::nullopt;
    if (!cat)
      throw Error(ErrorCode::kUnprocessable, "categories: unknown category " + v.dump());
    out.insert(*cat);
  }
  if (out.empty())
    throw Error(ErrorCode::kUnprocessable, "categories: empty (null means all)");
  return out;
}

Response give(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const auto now = hpd::Clock::now();
  consent::NewConsent n;
  n.patient = {req_string(body, "authority"), req_string(body, "local_id")};
  auto source = hpd::facility_of_patient_domain(n.patient.authority, sv.network_root);
  if (!source) {
    throw Error(ErrorCode::kUnprocessable,
                "authority: not the patient-id domain of a facility of this network");
  }
  n.source_facility = *source;
  if (auto v = opt_string(body, "viewer_facility_oid"); v && !v->empty())
    n.viewer_facility = *v;
  if (auto v = opt_string(body, "viewer_community_id"); v && !v->empty())
    n.viewer_community = *v;
  n.scope = categories(body);
  auto start = opt_string(body, "start");
  n.starts_at = start && !start->empty() ? parse_time(*start, "start") : now;
  if (auto v = opt_string(body, "expiry"); v && !v->empty())
    n.expires_at = parse_time(*v, "expiry", true);
  n.document_ref = opt_string(body, "document_ref").value_or("");
  n.registered_by = c.user.login_id;
  if (auto identity = sv.identities.find({n.patient.authority, n.patient.local_id}))
    n.person_id = std::to_string(identity->person_id);
  auto given = pg::transact(sv.pool, [&](pg::Tx& tx) {
    auto k = consent::PgConsentStore::give_in(tx, n, now);
    audit::AuditLog::append_in(tx, consent_event(c, req, k, "consent_given"), now);
    return k;
  });
  return json_response(201, consent_json(given, now));
}

Response withdraw(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const std::string reason = req_string(body, "reason");
  const auto id = consent_id(req);
  consent::PgConsentStore store(sv.pool);
  auto k = store.find(id);
  if (!k)
    throw Error(ErrorCode::kNotFound, "no such consent");
  const auto now = hpd::Clock::now();
  const bool done = pg::transact(sv.pool, [&](pg::Tx& tx) {
    if (!consent::PgConsentStore::withdraw_in(tx, id, c.user.login_id, reason, now))
      return false;
    audit::AuditLog::append_in(tx, consent_event(c, req, *k, "consent_withdrawn"), now);
    return true;
  });
  if (!done)
    throw Error(ErrorCode::kConflict, "this consent was already withdrawn");
  return json_response(200, consent_json(*store.find(id), now));
}

Response history(AdminServices& sv, const Caller& c, const Request& req) {
  const auto id = consent_id(req);
  consent::PgConsentStore store(sv.pool);
  auto k = store.find(id);
  if (!k)
    throw Error(ErrorCode::kNotFound, "no such consent");
  auto p = store.history(id, page_request(req));
  json items = json::array();
  for (const auto& h : p.items) {
    items.push_back({{"consent_id", std::to_string(h.consent_id)},
                     {"action", h.action},
                     {"at", iso_time(h.at)},
                     {"actor", h.actor},
                     {"detail", h.detail}});
  }
  auto e = admin_event(c, req, audit::EventType::kAdminAction, "consent_history",
                       "consent " + std::to_string(id));
  e.patient_authority = k->patient.authority;
  e.patient_local_id = k->patient.local_id;
  sv.web.audit.append(e, hpd::Clock::now());
  return json_response(200, page_json(items, p.next));
}

}  // namespace

void add_consent_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/consents", list,
              "consents of a patient (authority, local_id) or person", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/consents", give, "register a consent");
  admin_route(web, sv, "POST", "/api/v1/admin/consents/{id}/withdraw", withdraw,
              "withdraw a consent");
  admin_route(web, sv, "GET", "/api/v1/admin/consents/{id}/history", history, "a consent's history",
              0);
}

}  // namespace hareyaka::admin
