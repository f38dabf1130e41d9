// /api/v1/admin/policy: the role policy matrix (profession x facility kind x category). A PUT
// edits any number of cells (at most the whole matrix) in one transaction, each edit with its
// audit record; decide() reads the table on the next request.
#include "common/error.hpp"
#include "consent/policy_store.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

constexpr std::size_t kMaxCells =
    hpd::kAllProfessions.size() * hpd::kAllFacilityKinds.size() * consent::kAllCategories.size();

json cell_json(const consent::PolicyCell& c) {
  return {{"profession", hpd::to_string(c.profession)},
          {"facility_kind", hpd::to_string(c.kind)},
          {"category", consent::to_string(c.category)},
          {"allowed", c.allowed}};
}

consent::PolicyCell parse_cell(const json& j, std::size_t i) {
  const std::string where = "cells[" + std::to_string(i) + "]";
  if (!j.is_object())
    throw Error(ErrorCode::kBadRequest, where + ": expected an object");
  consent::PolicyCell c{};
  auto prof = hpd::parse_profession(opt_string(j, "profession").value_or(""));
  if (!prof)
    throw Error(ErrorCode::kUnprocessable, where + ".profession: unknown");
  std::string kind = opt_string(j, "facility_kind").value_or("");
  auto k = hpd::parse_facility_kind(kind == "home_nursing" ? "home_visit_nursing" : kind);
  if (!k)
    throw Error(ErrorCode::kUnprocessable, where + ".facility_kind: unknown");
  auto cat = consent::parse_category(opt_string(j, "category").value_or(""));
  if (!cat)
    throw Error(ErrorCode::kUnprocessable, where + ".category: unknown");
  auto allowed = opt_bool(j, "allowed");
  if (!allowed)
    throw Error(ErrorCode::kBadRequest, where + ".allowed: true or false is required");
  if (*allowed && hpd::is_console_only(*prof))
    throw Error(ErrorCode::kUnprocessable,
                where + ": the secretariat, the prefecture and data managers see no patient data");
  c.profession = *prof;
  c.kind = *k;
  c.category = *cat;
  c.allowed = *allowed;
  return c;
}

json matrix(AdminServices& sv) {
  consent::PgPolicyStore store(sv.pool);
  json cells = json::array();
  for (auto p : hpd::kAllProfessions) {
    for (const auto& c : store.cells_for(p))
      cells.push_back(cell_json(c));
  }
  return {{"cells", cells}};
}

Response read(AdminServices& sv, const Caller& c, const Request& req) {
  audit_admin(sv, c, req, "policy_read", "");
  return json_response(200, matrix(sv));
}

Response edit(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  auto it = body.find("cells");
  if (it == body.end() || !it->is_array() || it->empty())
    throw Error(ErrorCode::kBadRequest, "cells: a non-empty array is required");
  if (it->size() > kMaxCells)
    throw Error(ErrorCode::kBadRequest, "cells: at most the whole matrix");
  std::vector<consent::PolicyCell> cells;
  for (std::size_t i = 0; i < it->size(); ++i)
    cells.push_back(parse_cell((*it)[i], i));
  const auto now = hpd::Clock::now();
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    for (const auto& cell : cells) {
      consent::PgPolicyStore::set_in(tx, cell, c.user.login_id, now);
      auto e = admin_event(c, req, audit::EventType::kPolicyChange, "policy_cell",
                           std::string(hpd::to_string(cell.profession)) + " " +
                               std::string(hpd::to_string(cell.kind)) + " " +
                               std::string(consent::to_string(cell.category)) + " = " +
                               (cell.allowed ? "allowed" : "denied"));
      e.category = std::string(consent::to_string(cell.category));
      audit::AuditLog::append_in(tx, e, now);
    }
  });
  return json_response(200, matrix(sv));
}

}  // namespace

void add_policy_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/policy", read, "the role policy matrix", 0);
  admin_route(web, sv, "PUT", "/api/v1/admin/policy", edit, "edit policy cells", 256 * 1024);
}

}  // namespace hareyaka::admin
