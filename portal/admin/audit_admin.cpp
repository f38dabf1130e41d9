// /api/v1/admin/audit (search), /audit/verify (the hash chain) and a person's access report.
// Reading the audit is itself audited.
#include <algorithm>
#include <charconv>

#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

constexpr int kMaxIdentitiesPerPerson = 64;

json record_json(const audit::AuditRecord& r) {
  return {{"seq", r.seq},
          {"at", iso_time(r.at)},
          {"event", audit::to_string(r.type)},
          {"outcome", audit::to_string(r.outcome)},
          {"user", r.actor_user},
          {"profession", r.actor_profession},
          {"facility_oid", r.actor_facility},
          {"person_id", r.person_id},
          {"authority", r.patient_authority},
          {"local_id", r.patient_local_id},
          {"source_facility_oid", r.source_facility},
          {"category", r.category},
          {"reason", r.reason},
          {"detail", r.detail},
          {"request_id", r.request_id}};
}

Response search(AdminServices& sv, const Caller& c, const Request& req) {
  audit::AuditFilter f;
  f.actor_user = query(req, "user");
  f.actor_facility = query(req, "facility_oid");
  f.person_id = query(req, "person_id");
  f.patient_authority = query(req, "authority");
  f.patient_local_id = query(req, "local_id");
  if (f.patient_authority.has_value() != f.patient_local_id.has_value())
    throw Error(ErrorCode::kBadRequest, "authority and local_id go together");
  if (auto v = query(req, "event")) {
    f.type = audit::parse_event_type(*v);
    if (!f.type) {
      throw Error(ErrorCode::kBadRequest,
                  "event: one of login logout search view consent_change policy_change "
                  "admin_action upload");
    }
  }
  if (auto v = query(req, "outcome")) {
    f.outcome = audit::parse_outcome(*v);
    if (!f.outcome)
      throw Error(ErrorCode::kBadRequest, "outcome: one of success denied failure");
  }
  if (auto v = query(req, "from"))
    f.from = parse_time(*v, "from");
  if (auto v = query(req, "to"))
    f.to = parse_time(*v, "to", true);  // a date is inclusive: up to the end of that day
  auto page = sv.web.audit.search(f, page_request(req, 500));
  json items = json::array();
  for (const auto& r : page.items)
    items.push_back(record_json(r));
  audit_admin(sv, c, req, "audit_search", "results=" + std::to_string(page.items.size()));
  return json_response(200, page_json(items, page.next));
}

Response verify(AdminServices& sv, const Caller& c, const Request& req) {
  auto v = sv.web.audit.verify_chain();
  json out{{"ok", v.ok}, {"checked", v.checked}, {"head_seq", v.head_seq}};
  if (!v.ok) {
    out["first_broken_seq"] = v.broken_seq;
    out["detail"] = v.what;
  }
  // Recorded after the check, so the check covers everything before its own record.
  audit_admin(sv, c, req, "audit_verify",
              v.ok ? "ok, checked " + std::to_string(v.checked)
                   : "broken at seq " + std::to_string(v.broken_seq));
  return json_response(200, out);
}

// Every identity's report uses the same seq bound (the cursor), so merging their pages by
// seq and cutting at the page size is exact: the next page starts below the last seq shown.
Response access_report(AdminServices& sv, const Caller& c, const Request& req) {
  const std::string& text = req.param("person_id");
  std::int64_t person = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), person);
  if (ec != std::errc() || end != text.data() + text.size() || person <= 0)
    throw Error(ErrorCode::kNotFound, "no such person");
  auto members = sv.identities.members(person, kMaxIdentitiesPerPerson);
  if (members.empty())
    throw Error(ErrorCode::kNotFound, "no such person");
  const auto page = page_request(req, 500);
  const int limit = page.clamped_limit();
  std::vector<audit::AuditRecord> all;
  for (const auto& m : members) {
    auto p = sv.web.audit.access_report(m.key.authority, m.key.local_id,
                                        {.after = page.after, .limit = limit});
    all.insert(all.end(), p.items.begin(), p.items.end());
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.seq > b.seq; });
  all.erase(std::unique(all.begin(), all.end(),
                        [](const auto& a, const auto& b) { return a.seq == b.seq; }),
            all.end());
  std::string next;
  if (static_cast<int>(all.size()) > limit) {
    all.resize(static_cast<std::size_t>(limit));
  }
  if (static_cast<int>(all.size()) == limit)
    next = hpd::encode_int_cursor(all.back().seq);
  std::map<std::string, std::string> names;
  auto name_of = [&](const std::string& oid) -> std::string {
    if (oid.empty())
      return "";
    auto it = names.find(oid);
    if (it == names.end()) {
      auto f = sv.web.directory.find_facility(oid);
      it = names.emplace(oid, f ? f->name_kanji : "").first;
    }
    return it->second;
  };
  json items = json::array();
  for (const auto& r : all) {
    items.push_back({{"seq", r.seq},
                     {"at", iso_time(r.at)},
                     {"event", audit::to_string(r.type)},
                     {"outcome", audit::to_string(r.outcome)},
                     {"user", r.actor_user},
                     {"profession", r.actor_profession},
                     {"facility_oid", r.actor_facility},
                     {"facility_name", name_of(r.actor_facility)},
                     {"source_facility_oid", r.source_facility},
                     {"source_facility_name", name_of(r.source_facility)},
                     {"category", r.category},
                     {"reason", r.reason}});
  }
  const auto& d = members.front().demographics;
  json out = page_json(items, next);
  out["person"] = {
      {"person_id", std::to_string(person)},
      {"name_kanji", d.given_kanji.empty() ? d.family_kanji : d.family_kanji + " " + d.given_kanji},
      {"name_kana", d.given_kana.empty() ? d.family_kana : d.family_kana + " " + d.given_kana},
      {"birth_date", encoding::iso_date(d.birth_date)}};
  auto e = admin_event(c, req, audit::EventType::kAdminAction, "access_report", "");
  e.person_id = std::to_string(person);
  sv.web.audit.append(e, hpd::Clock::now());
  return json_response(200, out);
}

}  // namespace

void add_audit_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/audit", search, "audit records (paged, filters)", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/audit/verify", verify, "verify the hash chain", 1024);
  admin_route(web, sv, "GET", "/api/v1/admin/persons/{person_id}/access-report", access_report,
              "who viewed this person's records", 0);
}

}  // namespace hareyaka::admin
