#include "portal/admin/admin_common.hpp"

#include <charconv>
#include <ctime>

#include "common/error.hpp"
#include "portal/audit/audit_log.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::admin {

json parse_object(const http::Request& req) {
  json j;
  try {
    j = json::parse(req.body.empty() ? std::string("{}") : req.body);
  } catch (const json::parse_error&) {
    throw Error(ErrorCode::kBadRequest, "the body is not valid JSON");
  }
  if (!j.is_object())
    throw Error(ErrorCode::kBadRequest, "expected a JSON object");
  return j;
}

std::optional<std::string> opt_string(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null())
    return std::nullopt;
  if (!it->is_string())
    throw Error(ErrorCode::kBadRequest, std::string(name) + " must be a string");
  return it->get<std::string>();
}

std::string req_string(const json& j, const char* name) {
  auto v = opt_string(j, name);
  if (!v || v->empty())
    throw Error(ErrorCode::kBadRequest, std::string(name) + " is required");
  return *v;
}

std::optional<bool> opt_bool(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null())
    return std::nullopt;
  if (!it->is_boolean())
    throw Error(ErrorCode::kBadRequest, std::string(name) + " must be true or false");
  return it->get<bool>();
}

std::optional<std::string> query(const http::Request& req, const char* name) {
  auto v = req.query_param(name);
  if (!v || v->empty())
    return std::nullopt;
  // PostgreSQL refuses bytes that are not UTF-8 (a 500 from deep inside a statement).
  if (!hl7v2::is_valid_utf8(*v))
    throw Error(ErrorCode::kBadRequest,
                "invalid parameter '" + std::string(name) + "': not UTF-8 text");
  return v;
}

hpd::PageRequest page_request(const http::Request& req, int max) {
  hpd::PageRequest p;
  p.limit = 50;
  if (auto v = query(req, "page_size")) {
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < 1 || n > max) {
      throw Error(ErrorCode::kBadRequest, "invalid parameter 'page_size': an integer from 1 to " +
                                              std::to_string(max) + " is expected");
    }
    p.limit = n;
  }
  p.after = query(req, "cursor").value_or("");
  return p;
}

std::string iso_time(hpd::TimePoint t) {
  return encoding::iso_utc(t);
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc() && end == s.data() + pos + n;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097LL + static_cast<long long>(doe) - 719468;
}

}  // namespace

hpd::TimePoint parse_time(const std::string& text, const char* field, bool end_of_day) {
  auto bad = [&] {
    return Error(ErrorCode::kBadRequest,
                 std::string(field) + " must be a date YYYY-MM-DD or a time YYYY-MM-DDThh:mm:ssZ");
  };
  int y = 0, mo = 0, d = 0;
  if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    throw bad();
  }
  using namespace std::chrono;
  const long long day = days_from_civil(y, mo, d);
  if (text.size() == 10) {
    // A day in Japan (UTC+9): it starts at 15:00 UTC the day before.
    const long long start = day * 86400 - 9 * 3600 + (end_of_day ? 86400 : 0);
    return hpd::TimePoint(seconds(start));
  }
  int h = 0, mi = 0, s = 0;
  if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ') || !digits(text, 11, 2, h) ||
      text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' || !digits(text, 17, 2, s) ||
      h > 23 || mi > 59 || s > 60) {
    throw bad();
  }
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  long long offset = 0;
  if (pos < text.size() && text[pos] == 'Z' && pos + 1 == text.size()) {
    offset = 0;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(text, pos + 1, 2, oh) || !digits(text, pos + 4, 2, om))
      throw bad();
    offset = (oh * 3600LL + om * 60LL) * (text[pos] == '+' ? 1 : -1);
  } else {
    throw bad();
  }
  return hpd::TimePoint(seconds(day * 86400 + h * 3600LL + mi * 60LL + s - offset));
}

json page_json(json items, const std::string& next) {
  json out{{"items", std::move(items)}};
  if (!next.empty())
    out["next_cursor"] = next;
  return out;
}

audit::AuditEvent admin_event(const portal::Caller& c, const http::Request& req,
                              audit::EventType type, std::string reason, std::string detail) {
  audit::AuditEvent e;
  e.type = type;
  e.outcome = audit::Outcome::kSuccess;
  e.actor_user = c.user.login_id;
  e.actor_profession = std::string(hpd::to_string(c.user.profession));
  e.actor_facility = c.user.facility_oid;
  e.reason = std::move(reason);
  e.detail = std::move(detail);
  e.request_id = req.request_id;
  return e;
}

void audit_admin(AdminServices& sv, const portal::Caller& c, const http::Request& req,
                 std::string reason, std::string detail) {
  sv.web.audit.append(
      admin_event(c, req, audit::EventType::kAdminAction, std::move(reason), std::move(detail)),
      hpd::Clock::now());
}

std::string like_prefix(const std::string& q) {
  std::string out;
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\')
      out += '\\';
    out += ch;
  }
  return out + "%";
}

}  // namespace hareyaka::admin
