// /api/v1/admin/users: list, create (password rules), edit status / name / profession,
// reset (new password and a new one-time-code enrolment), HPKI binding. A change that takes
// away access ends the user's sessions at once.
#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/admin/directory_queries.hpp"
#include "portal/auth/password.hpp"

namespace hareyaka::admin {
namespace {

using http::Request;
using http::Response;
using portal::Caller;

hpd::Profession profession_of(const std::string& s) {
  auto p = hpd::parse_profession(s);
  if (!p)
    throw Error(ErrorCode::kUnprocessable, "profession: unknown profession '" + s + "'");
  return *p;
}

void check_password(const std::string& password, const std::string& login_id) {
  if (auto problem = auth::check_password_rules(password, login_id))
    throw Error(ErrorCode::kUnprocessable, "password: " + problem->message);
}

hpd::User existing(AdminServices& sv, const Request& req) {
  auto u = sv.web.directory.find_user_by_login(req.param("login_id"));
  if (!u)
    throw Error(ErrorCode::kNotFound, "no such user");
  return *u;
}

json shown(AdminServices& sv, const std::string& login_id) {
  auto j = user_json(sv.pool, login_id);
  if (!j)
    throw Error(ErrorCode::kNotFound, "no such user");
  return *j;
}

Response list(AdminServices& sv, const Caller& c, const Request& req) {
  const auto facility = query(req, "facility_oid");
  auto page = search_users(sv.pool, facility, query(req, "q"), page_request(req));
  audit_admin(sv, c, req, "user_list", facility.value_or(""));
  return json_response(200, page_json(std::move(page.items), page.next));
}

Response create(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  hpd::User u;
  u.login_id = req_string(body, "login_id");
  if (!hpd::is_valid_login_id(u.login_id)) {
    throw Error(ErrorCode::kUnprocessable,
                "login_id: 3 to 64 characters of letters, digits and . _ @ -");
  }
  u.display_name = req_string(body, "display_name");
  u.facility_oid = req_string(body, "facility_oid");
  u.profession = profession_of(req_string(body, "profession"));
  const std::string password = req_string(body, "password");
  check_password(password, u.login_id);
  if (!sv.web.directory.find_facility(u.facility_oid))
    throw Error(ErrorCode::kUnprocessable, "facility_oid: no such facility");
  u.password_hash = auth::hash_password(password, sv.hashing);
  u.status = hpd::UserStatus::kActive;
  sv.web.directory.create_user(u);
  audit_admin(sv, c, req, "user_create", u.login_id);
  return json_response(201, shown(sv, u.login_id));
}

Response edit(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const hpd::User u = existing(sv, req);
  std::optional<hpd::UserStatus> status;
  if (auto v = opt_string(body, "status")) {
    status = hpd::parse_user_status(*v);
    if (!status)
      throw Error(ErrorCode::kUnprocessable, "status: must be active, locked or retired");
  }
  std::optional<hpd::Profession> profession;
  if (auto v = opt_string(body, "profession"))
    profession = profession_of(*v);
  auto display_name = opt_string(body, "display_name");
  if (display_name && display_name->empty())
    throw Error(ErrorCode::kUnprocessable, "display_name: must not be empty");
  if (!status && !profession && !display_name)
    throw Error(ErrorCode::kBadRequest,
                "nothing to change: give status, display_name or profession");
  if (status && u.login_id == c.user.login_id && *status != hpd::UserStatus::kActive)
    throw Error(ErrorCode::kUnprocessable, "status: you cannot lock or retire yourself");
  std::string changed;
  if (display_name || profession) {
    update_user_profile(sv.pool, u.login_id, display_name, profession);
    changed += display_name ? "display_name " : "";
    changed += profession ? "profession=" + std::string(hpd::to_string(*profession)) + " " : "";
  }
  if (status) {
    sv.web.directory.set_status(u.id, *status);
    changed += "status=" + std::string(hpd::to_string(*status));
  }
  // Another profession changes what the user may see: the sessions of the old role end.
  if ((status && *status != hpd::UserStatus::kActive) || profession)
    sv.web.sessions.logout_all(u.id);
  audit_admin(sv, c, req, "user_update", u.login_id + ": " + changed);
  return json_response(200, shown(sv, u.login_id));
}

Response reset(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const hpd::User u = existing(sv, req);
  const std::string password = req_string(body, "password");
  check_password(password, u.login_id);
  const auto now = hpd::Clock::now();
  sv.web.directory.set_password_hash(u.id, auth::hash_password(password, sv.hashing), now);
  sv.web.directory.set_totp_secret(u.id, "");   // enrols a new one-time code at next login
  sv.web.directory.record_login_success(u.id);  // clears failures and the timed lockout
  sv.web.sessions.logout_all(u.id);
  audit_admin(sv, c, req, "user_reset", u.login_id);
  json out = shown(sv, u.login_id);
  out["totp_enrolment_required"] = true;
  return json_response(200, out);
}

// Serial numbers compare as upper-case hex without leading zeros (hpd::HpkiBinding).
std::string normal_serial(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == ':' || ch == ' ')
      continue;
    if (!std::isxdigit(static_cast<unsigned char>(ch)))
      throw Error(ErrorCode::kUnprocessable, "serial: must be hexadecimal");
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  const auto first = out.find_first_not_of('0');
  return first == std::string::npos ? (out.empty() ? out : "0") : out.substr(first);
}

Response bind_hpki(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = parse_object(req);
  const hpd::User u = existing(sv, req);
  hpd::HpkiBinding b;
  b.issuer = opt_string(body, "issuer").value_or("");
  b.serial = normal_serial(opt_string(body, "serial").value_or(""));
  b.subject = opt_string(body, "subject").value_or("");
  if (b.subject.empty() && (b.issuer.empty() || b.serial.empty()))
    throw Error(ErrorCode::kUnprocessable, "give issuer and serial, or subject");
  if (b.issuer.empty() != b.serial.empty())
    throw Error(ErrorCode::kUnprocessable, "issuer and serial go together");
  sv.web.directory.bind_hpki(u.id, b);
  audit_admin(sv, c, req, "user_hpki_bind",
              u.login_id + (b.serial.empty() ? " by subject" : " by issuer and serial"));
  return json_response(200, shown(sv, u.login_id));
}

}  // namespace

void add_user_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "GET", "/api/v1/admin/users", list, "users (paged, facility_oid, q)", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/users", create, "register a user");
  admin_route(web, sv, "PUT", "/api/v1/admin/users/{login_id}", edit,
              "status, display name, profession");
  admin_route(web, sv, "POST", "/api/v1/admin/users/{login_id}/reset", reset,
              "new password and one-time-code enrolment");
  admin_route(web, sv, "PUT", "/api/v1/admin/users/{login_id}/hpki", bind_hpki,
              "bind an HPKI certificate");
}

}  // namespace hareyaka::admin
