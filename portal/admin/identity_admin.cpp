// /api/v1/admin/identity-review and /persons/{id}/unlink: the PIX review queue (possible
// matches the matcher would not link alone), linked or kept apart by the secretariat with a
// reason, and undoing a wrong link.
#include <charconv>

#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

std::int64_t number(const std::string& s, const char* what) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0)
    throw Error(ErrorCode::kNotFound, std::string("no such ") + what);
  return v;
}

json identity_json(AdminServices& sv, const pix::IdentityKey& key) {
  json j{{"authority", key.authority}, {"local_id", key.local_id}};
  if (auto r = sv.identities.find(key)) {
    const auto& d = r->demographics;
    j["person_id"] = std::to_string(r->person_id);
    j["name_kanji"] = d.given_kanji.empty() ? d.family_kanji : d.family_kanji + " " + d.given_kanji;
    j["name_kana"] = d.given_kana.empty() ? d.family_kana : d.family_kana + " " + d.given_kana;
    j["birth_date"] = encoding::iso_date(d.birth_date);
    j["sex"] = std::string(1, d.sex);
    j["address"] = d.address;
    j["postal_code"] = d.postal_code;
    j["phone"] = d.phone;
  }
  return j;
}

Response queue(AdminServices& sv, const Caller& c, const Request& req) {
  const auto page = page_request(req);
  const std::int64_t after = page.after.empty() ? 0 : hpd::decode_int_cursor(page.after);
  const int limit = page.clamped_limit();
  auto items = sv.identities.open_reviews(after, limit);
  json out = json::array();
  for (const auto& r : items) {
    out.push_back({{"id", std::to_string(r.id)},
                   {"score", r.score},
                   {"cause", r.cause},
                   {"a", identity_json(sv, r.identity)},
                   {"b", identity_json(sv, r.candidate)}});
  }
  audit_admin(sv, c, req, "identity_review_list", "items=" + std::to_string(items.size()));
  const std::string next =
      static_cast<int>(items.size()) == limit ? std::to_string(items.back().id) : "";
  return json_response(200, page_json(out, next));
}

Response resolve(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const auto id = number(req.param("id"), "review item");
  const std::string action = req_string(body, "action");
  if (action != "link" && action != "keep_apart")
    throw Error(ErrorCode::kUnprocessable, "action: must be link or keep_apart");
  const std::string reason = opt_string(body, "reason").value_or("");
  sv.identities.resolve_review(id, action == "link", {c.user.login_id, reason});
  audit_admin(sv, c, req, "identity_review_" + action,
              "review " + std::to_string(id) + (reason.empty() ? "" : ": " + reason));
  return json_response(200, json{{"id", std::to_string(id)}, {"action", action}});
}

Response unlink(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const auto person = number(req.param("person_id"), "person");
  const pix::IdentityKey key{req_string(body, "authority"), req_string(body, "local_id")};
  const std::string reason = req_string(body, "reason");
  auto r = sv.identities.find(key);
  if (!r || r->person_id != person)
    throw Error(ErrorCode::kNotFound, "this identifier is not part of that person");
  const auto new_person = sv.identities.unlink(key, {c.user.login_id, reason});
  auto e = admin_event(c, req, audit::EventType::kAdminAction, "identity_unlink",
                       "to person " + std::to_string(new_person) + ": " + reason);
  e.person_id = std::to_string(person);
  e.patient_authority = key.authority;
  e.patient_local_id = key.local_id;
  sv.web.audit.append(e, hpd::Clock::now());
  return json_response(200, json{{"person_id", std::to_string(person)},
                                 {"new_person_id", std::to_string(new_person)}});
}

}  // namespace

void add_identity_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/identity-review", queue, "possible matches", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/identity-review/{id}", resolve, "link or keep apart");
  admin_route(web, sv, "POST", "/api/v1/admin/persons/{person_id}/unlink", unlink,
              "take an identifier out of a person");
}

}  // namespace hareyaka::admin
