// /api/v1/admin/facilities: list (prefix search), create (OID from prefecture + code under
// the network root, or given and checked), read, edit.
#include "common/error.hpp"
#include "hpd/oid.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/admin/directory_queries.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

json facility_json(const hpd::Facility& f, const std::string& root) {
  json j{{"oid", f.oid},
         {"name", f.name_kanji},
         {"name_kana", f.name_kana},
         {"name_en", f.name_en},
         {"kind", hpd::to_string(f.kind)},
         {"municipality", f.municipality_code},
         {"postal_code", f.postal_code},
         {"address", f.address},
         {"phone", f.phone},
         {"discloses", f.discloses},
         {"views", f.views},
         {"gateway_url", f.gateway_url},
         {"gateway_cert_sha256", f.gateway_cert_sha256},
         {"status", hpd::to_string(f.status)}};
  if (auto parts = hpd::parse_facility_oid(f.oid, root)) {
    j["prefecture"] = parts->prefecture;
    j["code"] = parts->facility_code;
  }
  return j;
}

hpd::FacilityKind kind_of(const std::string& s) {
  // The web console and api.md once said "home_nursing"; hpd's name is home_visit_nursing.
  auto k = hpd::parse_facility_kind(s == "home_nursing" ? "home_visit_nursing" : s);
  if (!k)
    throw Error(ErrorCode::kUnprocessable, "kind: unknown facility kind '" + s + "'");
  return *k;
}

// Fields present in the body overwrite f.
void apply(const json& body, hpd::Facility& f) {
  if (auto v = opt_string(body, "name"))
    f.name_kanji = *v;
  if (auto v = opt_string(body, "name_kana"))
    f.name_kana = *v;
  if (auto v = opt_string(body, "name_en"))
    f.name_en = *v;
  if (auto v = opt_string(body, "kind"))
    f.kind = kind_of(*v);
  if (auto v = opt_string(body, "municipality"))
    f.municipality_code = *v;
  if (auto v = opt_string(body, "postal_code"))
    f.postal_code = *v;
  if (auto v = opt_string(body, "address"))
    f.address = *v;
  if (auto v = opt_string(body, "phone"))
    f.phone = *v;
  if (auto v = opt_bool(body, "discloses"))
    f.discloses = *v;
  if (auto v = opt_bool(body, "views"))
    f.views = *v;
  if (auto v = opt_string(body, "gateway_url"))
    f.gateway_url = *v;
  if (auto v = opt_string(body, "gateway_cert_sha256")) {
    std::string hex;
    for (char c : *v) {
      if (c != ':' && c != ' ')
        hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    f.gateway_cert_sha256 = hex;
  }
  if (auto v = opt_string(body, "status")) {
    auto st = hpd::parse_facility_status(*v);
    if (!st)
      throw Error(ErrorCode::kUnprocessable, "status: must be active, suspended or retired");
    f.status = *st;
  }
}

std::string oid_for_create(const AdminServices& sv, const json& body) {
  const auto oid = opt_string(body, "oid").value_or("");
  const auto prefecture = opt_string(body, "prefecture").value_or("");
  const auto code = opt_string(body, "code").value_or("");
  std::string error;
  if (!oid.empty()) {
    auto parts = hpd::parse_facility_oid(oid, sv.network_root, &error);
    if (!parts)
      throw Error(ErrorCode::kUnprocessable, "oid: " + error);
    if ((!prefecture.empty() && prefecture != parts->prefecture) ||
        (!code.empty() && code != parts->facility_code)) {
      throw Error(ErrorCode::kUnprocessable,
                  "oid: does not match the prefecture and facility code given");
    }
    return oid;
  }
  if (prefecture.empty() || code.empty()) {
    throw Error(ErrorCode::kUnprocessable, "oid: give the OID, or the prefecture and code");
  }
  auto made = hpd::make_facility_oid(sv.network_root, prefecture, code, &error);
  if (!made)
    throw Error(ErrorCode::kUnprocessable, error);
  return made->to_string();
}

Response list(AdminServices& sv, const Caller& c, const Request& req) {
  const auto q = query(req, "q");
  auto page = search_facilities(sv.pool, q, page_request(req));
  audit_admin(sv, c, req, "facility_list", q ? "q given" : "");
  return json_response(200, page_json(std::move(page.items), page.next));
}

Response create(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  hpd::Facility f;
  f.oid = oid_for_create(sv, body);
  if (!opt_string(body, "kind"))
    throw Error(ErrorCode::kUnprocessable, "kind is required");
  apply(body, f);
  if (auto problem = hpd::validate(f, sv.network_root))
    throw Error(ErrorCode::kUnprocessable, *problem);
  sv.web.directory.create_facility(f);
  audit_admin(sv, c, req, "facility_create", f.oid);
  return json_response(201, facility_json(f, sv.network_root));
}

hpd::Facility existing(AdminServices& sv, const Request& req) {
  // An OID is ASCII; other bytes would fail inside the statement (a 500).
  if (!hl7v2::is_valid_utf8(req.param("oid")))
    throw Error(ErrorCode::kNotFound, "no such facility");
  auto f = sv.web.directory.find_facility(req.param("oid"));
  if (!f)
    throw Error(ErrorCode::kNotFound, "no such facility");
  return *f;
}

Response read(AdminServices& sv, const Caller& c, const Request& req) {
  auto f = existing(sv, req);
  audit_admin(sv, c, req, "facility_read", f.oid);
  return json_response(200, facility_json(f, sv.network_root));
}

Response edit(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  auto f = existing(sv, req);
  if (auto oid = opt_string(body, "oid"); oid && !oid->empty() && *oid != f.oid)
    throw Error(ErrorCode::kUnprocessable, "oid: a facility's OID cannot change");
  apply(body, f);
  if (auto problem = hpd::validate(f, sv.network_root))
    throw Error(ErrorCode::kUnprocessable, *problem);
  // A facility that is not active ends its users' sessions: the administrator's own would
  // end with no one left to undo it.
  if (f.oid == c.facility.oid && f.status != hpd::FacilityStatus::kActive)
    throw Error(ErrorCode::kUnprocessable,
                "status: you cannot suspend or retire your own facility");
  sv.web.directory.update_facility(f);
  audit_admin(sv, c, req, "facility_update", f.oid);
  return json_response(200, facility_json(f, sv.network_root));
}

}  // namespace

void add_facility_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/facilities", list, "facilities (paged, q)", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/facilities", create, "register a facility");
  admin_route(web, sv, "GET", "/api/v1/admin/facilities/{oid}", read, "one facility", 0);
  admin_route(web, sv, "PUT", "/api/v1/admin/facilities/{oid}", edit, "edit a facility");
}

}  // namespace hareyaka::admin
