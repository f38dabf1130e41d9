// /api/v1/admin/municipalities: the municipalities (JIS X 0402) and secondary medical areas
// (二次医療圏) the usage statistics group facilities by (hpd/sql/0004_municipalities.sql). A
// PUT replaces the rows of the prefectures it names, in one transaction with its audit record:
// a network outside Okayama and Hiroshima loads its own prefecture's list this way.
#include <set>

#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

constexpr std::size_t kMaxRows = 5000;  // Japan has 1,741 municipalities and 175 wards

constexpr pg::Statement kList{
    "admin_municipalities",
    "SELECT code, name, prefecture, area_code, area_name FROM municipalities ORDER BY code"};
constexpr pg::Statement kDeletePrefecture{"admin_municipalities_delete",
                                          "DELETE FROM municipalities WHERE prefecture = $1"};
constexpr pg::Statement kInsert{
    "admin_municipalities_insert",
    "INSERT INTO municipalities (code5, code, name, prefecture, area_code, area_name) "
    "VALUES ($1, $2, $3, $4, $5, $6)"};

struct Row {
  std::string code5, code, name, prefecture, area_code, area_name;
};

// JIS X 0402's check digit: the weights 6..2 over the five digits, 11 minus the sum mod 11,
// its last digit.
char check_digit(std::string_view code5) {
  int sum = 0;
  for (int i = 0; i < 5; ++i)
    sum += (code5[i] - '0') * (6 - i);
  return static_cast<char>('0' + (11 - sum % 11) % 10);
}

bool digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Row parse_row(const json& j, std::size_t i) {
  const std::string where = "items[" + std::to_string(i) + "]";
  if (!j.is_object())
    throw Error(ErrorCode::kBadRequest, where + ": expected an object");
  Row r;
  const std::string code = req_string(j, "code");
  if (!digits(code) || (code.size() != 5 && code.size() != 6))
    throw Error(ErrorCode::kUnprocessable, where + ".code: 5 digits, or 6 with the check digit");
  r.code5 = code.substr(0, 5);
  r.code = r.code5 + check_digit(r.code5);
  if (code.size() == 6 && code != r.code)
    throw Error(
        ErrorCode::kUnprocessable,
        where + ".code: " + code + " has the wrong check digit (JIS X 0402 gives " + r.code + ")");
  for (auto [field, out] :
       {std::pair{"name", &r.name}, std::pair{"prefecture", &r.prefecture},
        std::pair{"area_code", &r.area_code}, std::pair{"area_name", &r.area_name}}) {
    *out = req_string(j, field);
    if (out->empty() || out->size() > 200)
      throw Error(ErrorCode::kUnprocessable, where + "." + field + ": 1 to 200 characters");
  }
  return r;
}

json list(AdminServices& sv) {
  json items = json::array();
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    for (const auto& r : tx.exec(kList)) {
      items.push_back({{"code", r[0].as<std::string>()},
                       {"name", r[1].as<std::string>()},
                       {"prefecture", r[2].as<std::string>()},
                       {"area_code", r[3].as<std::string>()},
                       {"area_name", r[4].as<std::string>()}});
    }
  });
  return {{"items", std::move(items)}};
}

Response read(AdminServices& sv, const Caller& c, const Request& req) {
  audit_admin(sv, c, req, "municipalities_read", "");
  return json_response(200, list(sv));
}

Response replace(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  auto it = body.find("items");
  if (it == body.end() || !it->is_array() || it->empty())
    throw Error(ErrorCode::kBadRequest, "items: a non-empty array is required");
  if (it->size() > kMaxRows)
    throw Error(ErrorCode::kBadRequest, "items: at most 5000 municipalities");
  std::vector<Row> rows;
  std::set<std::string> codes;
  std::set<std::string> prefectures;
  for (std::size_t i = 0; i < it->size(); ++i) {
    rows.push_back(parse_row((*it)[i], i));
    if (!codes.insert(rows.back().code5).second)
      throw Error(ErrorCode::kUnprocessable, "items[" + std::to_string(i) + "].code: listed twice");
    prefectures.insert(rows.back().prefecture);
  }
  std::string named;
  for (const auto& p : prefectures)
    named += (named.empty() ? "" : ",") + p;
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    for (const auto& p : prefectures)
      tx.exec(kDeletePrefecture, p);
    for (const auto& r : rows) {
      try {
        tx.exec(kInsert, r.code5, r.code, r.name, r.prefecture, r.area_code, r.area_name);
      } catch (const pqxx::unique_violation&) {
        throw Error(ErrorCode::kConflict, "code " + r.code +
                                              " is held by another prefecture's list; replace that "
                                              "prefecture in the same request");
      }
    }
    audit::AuditLog::append_in(
        tx,
        admin_event(c, req, audit::EventType::kAdminAction, "municipalities_replace",
                    named + " rows=" + std::to_string(rows.size())),
        hpd::Clock::now());
  });
  return json_response(200, list(sv));
}

}  // namespace

void add_municipality_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/municipalities", read,
              "municipalities and their secondary medical areas", 0);
  admin_route(web, sv, "PUT", "/api/v1/admin/municipalities", replace,
              "replace the municipalities of the prefectures named", 1024 * 1024);
}

}  // namespace hareyaka::admin
