#include "portal/viewer/viewer_api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "portal/viewer/categories.hpp"
#include "portal/viewer/fanout.hpp"
#include "portal/viewer/locator_view.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using nlohmann::json;

const std::map<std::string, CategoryParts>& categories() {
  return portal_categories();
}

// An integer query parameter in [lo, hi]; absent: fallback; anything else is a 400 that
// names the parameter (never a silent clamp).
long long int_param(const Request& req, std::string_view name, long long fallback, long long lo,
                    long long hi) {
  auto v = req.query_param(name);
  if (!v)
    return fallback;
  long long out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || v->empty() || out < lo || out > hi)
    throw Error(ErrorCode::kBadRequest, "invalid parameter '" + std::string(name) +
                                            "': an integer from " + std::to_string(lo) + " to " +
                                            std::to_string(hi) + " is expected");
  return out;
}

[[noreturn]] void bad_param(std::string_view name, std::string_view expected) {
  throw Error(ErrorCode::kBadRequest,
              "invalid parameter '" + std::string(name) + "': " + std::string(expected));
}

// A text query parameter ("" when absent); bytes that are not UTF-8 are a 400 naming it
// (PostgreSQL would refuse them deep inside a statement: a 500).
std::string text_param(const Request& req, std::string_view name) {
  std::string v = req.query_param(name).value_or("");
  if (!hl7v2::is_valid_utf8(v))
    bad_param(name, "not UTF-8 text");
  return v;
}

// YYYY-MM-DD (or YYYYMMDD when `compact_ok`), "" when absent.
std::string date_param(const Request& req, std::string_view name, bool compact_ok) {
  std::string v = text_param(req, name);
  const bool dashed = v.size() == 10 && v[4] == '-' && v[7] == '-';
  std::string digits = v;
  if (dashed)
    std::erase(digits, '-');
  const bool ok = v.empty() || ((dashed || (compact_ok && v.size() == 8)) && digits.size() == 8 &&
                                std::all_of(digits.begin(), digits.end(),
                                            [](char c) { return c >= '0' && c <= '9'; }));
  if (!ok)
    bad_param(name, "a date YYYY-MM-DD is expected");
  return v;
}

struct FacilityNames {
  hpd::DirectoryStore& directory;
  std::map<std::string, std::optional<hpd::Facility>> cache;
  const std::optional<hpd::Facility>& get(const std::string& oid) {
    auto it = cache.find(oid);
    if (it == cache.end())
      it = cache.emplace(oid, directory.find_facility(oid)).first;
    return it->second;
  }
  std::string name(const std::string& oid) {
    const auto& f = get(oid);
    return f ? f->name_kanji : oid;
  }
};

json person_summary_json(const PersonView& p, FacilityNames& names) {
  json ids = json::array();
  const PersonIdentity* best = &p.identities.front();
  for (const auto& i : p.identities) {
    ids.push_back({{"facility_oid", i.facility_oid},
                   {"facility_name", names.name(i.facility_oid)},
                   {"local_id", i.local_id},
                   {"authority", i.authority}});
    if (best->family_kanji.empty() && !i.family_kanji.empty())
      best = &i;
  }
  auto join = [](const std::string& a, const std::string& b) {
    return b.empty() ? a : a + " " + b;
  };
  return {{"person_id", std::to_string(p.person_id)},
          {"name_kanji", join(best->family_kanji, best->given_kanji)},
          {"name_kana", join(best->family_kana, best->given_kana)},
          {"sex", best->sex},
          {"birth_date", encoding::iso_date(best->birth_date)},
          {"identifiers", ids}};
}

std::string encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

// Which gateway calls one request makes, after the decisions (each audited).
struct Plan {
  Caller caller;
  PersonView person;
  std::vector<GatewayCall> calls;
  std::vector<const PersonIdentity*> call_identity;
  json person_json;
  json facilities = json::array();  // summary only: categories allowed per facility (with
                                    // their ranges and counts from the locator entries)
  int allowed_sources = 0;
  std::string first_denial;
};

Plan plan_category(ViewerServices& sv, Caller caller, const Request& req,
                   const std::string& category, bool with_summary) {
  Plan plan{std::move(caller), {}, {}, {}, {}, json::array()};
  const auto now = hpd::Clock::now();
  auto person = sv.persons.visible_person(plan.caller.user.facility_oid, person_id_of(req), now);
  if (!person) {
    // A refused look is on record too (with no patient detail: none may be disclosed).
    audit::AuditEvent e{
        .type = audit::EventType::kView,
        .outcome = audit::Outcome::kDenied,
        .actor_user = plan.caller.user.login_id,
        .actor_profession = std::string(hpd::to_string(plan.caller.user.profession)),
        .actor_facility = plan.caller.user.facility_oid,
        .person_id = req.param("person_id"),
        .category = category,
        .reason = std::string(consent::to_string(consent::DenyReason::kNoConsent)),
        .request_id = req.request_id};
    sv.web.audit.append(e, now);
    throw Error(ErrorCode::kNotFound, "no such person");
  }
  plan.person = std::move(*person);
  FacilityNames names{sv.web.directory, {}};
  const auto user = user_context(plan.caller);
  const auto& cat = categories().at(category);

  std::string query;
  for (const char* key : {"from", "to"}) {
    if (auto v = date_param(req, key, true); !v.empty())
      query += std::string("&") + key + "=" + encode(v);
  }
  const int page_size = int_param(req, "page_size", 50, 1, 200);
  json offsets = json::object();
  if (auto cursor = req.query_param("cursor"); cursor && !cursor->empty()) {
    // The cursor this API wrote: an object of non-negative offsets by source.
    bool ok = false;
    try {
      offsets = json::parse(*cursor);
      ok = offsets.is_object() && std::all_of(offsets.begin(), offsets.end(), [](const json& v) {
             return v.is_number_integer() && v.get<long long>() >= 0 &&
                    v.get<long long>() <= 100'000'000;
           });
    } catch (const json::exception&) {
    }
    if (!ok)
      throw Error(ErrorCode::kBadRequest, "invalid parameter 'cursor'",
                  "cursor is not an object of offsets");
  }

  const auto locators = person_locators(sv.locators, plan.person);
  const auto standbys = standbys_at(sv, now);
  // Every decision of this request in one database read: per source facility, the requested
  // category and (for the summary) each category and demographics, each answer what decide()
  // would give.
  std::vector<consent::DecisionQuery> queries;
  for (const auto& identity : plan.person.identities) {
    const consent::PatientRef ref{identity.authority, identity.local_id};
    queries.push_back({ref, identity.facility_oid, cat.first});
    if (with_summary) {
      for (const auto& [name, c] : categories())
        queries.push_back({ref, identity.facility_oid, c.first});
      queries.push_back({ref, identity.facility_oid, consent::Category::kDemographics});
    }
  }
  const auto answers = sv.decider.decide_many(user, queries, now);
  const std::size_t per_identity = with_summary ? 2 + categories().size() : 1;
  // One audit record per source facility (and for the summary one more for its
  // demographics), appended together (one chain-head lock and one commit per request) before
  // any gateway is asked.
  std::vector<audit::AuditEvent> decisions;
  if (with_summary) {
    // The summary's header (name, sex, birth date, identifiers) is demographics: only the
    // identities whose source allows it, and no summary at all when none does.
    PersonView shown{plan.person.person_id, {}};
    for (std::size_t n = 0; n < plan.person.identities.size(); ++n) {
      const auto& identity = plan.person.identities[n];
      const consent::Decision& d = answers[n * per_identity + per_identity - 1];
      decisions.push_back(view_event(
          plan.caller, plan.person, identity, consent::to_string(consent::Category::kDemographics),
          d.allowed ? audit::Outcome::kSuccess : audit::Outcome::kDenied,
          d.allowed ? "" : std::string(consent::to_string(d.reason)), req.request_id));
      if (d.allowed)
        shown.identities.push_back(identity);
    }
    if (shown.identities.empty()) {
      sv.web.audit.append_all(decisions, now);
      throw Error(ErrorCode::kNotFound, "no such person");
    }
    plan.person_json = person_summary_json(shown, names);
  }
  for (std::size_t n = 0; n < plan.person.identities.size(); ++n) {
    const auto& identity = plan.person.identities[n];
    const consent::Decision* answer = &answers[n * per_identity];
    const auto& facility = names.get(identity.facility_oid);
    // Its own gateway, or its standby while a disaster declaration is in force.
    const disaster::Endpoint endpoint =
        facility ? disaster::endpoint_of(*facility, standbys) : disaster::Endpoint{};
    std::optional<json> preserved;
    if (endpoint.standby)
      preserved = disaster::preserved_json(*endpoint.standby);
    const Locator* locator = locator_of(locators, identity);
    if (with_summary) {
      json allowed = json::array();
      std::vector<std::pair<std::string, std::vector<std::string>>> allowed_parts;
      std::size_t k = 1;
      for (const auto& [name, c] : categories()) {
        if (answer[k++].allowed) {
          allowed.push_back(name);
          allowed_parts.emplace_back(name, c.second);
        }
      }
      if (!allowed.empty()) {
        plan.facilities.push_back(
            {{"oid", identity.facility_oid},
             {"name", names.name(identity.facility_oid)},
             {"categories", allowed},
             {"locator", locator ? locator_summary(*locator, allowed_parts) : json(nullptr)}});
        if (preserved)
          plan.facilities.back()["preserved"] = *preserved;
      }
    }
    const consent::Decision& d = *answer;
    // A disclosure from a standby says so in its record.
    decisions.push_back(view_event(
        plan.caller, plan.person, identity, category,
        d.allowed ? audit::Outcome::kSuccess : audit::Outcome::kDenied,
        d.allowed ? "" : std::string(consent::to_string(d.reason)), req.request_id,
        d.allowed && endpoint.standby ? disaster::preserved_detail(*endpoint.standby) : ""));
    if (!d.allowed) {
      if (plan.first_denial.empty())
        plan.first_denial = d.text;
      continue;
    }
    ++plan.allowed_sources;
    if (endpoint.url.empty())
      continue;
    for (const auto& gw_category : cat.second) {
      if (holds_nothing(locator, gw_category))
        continue;  // its locator entry says there is nothing to fetch
      const std::string key = identity.facility_oid + "/" + gw_category;
      const int offset = offsets.contains(key) ? offsets[key].get<int>() : 0;
      if (offset < 0)
        continue;  // that source is exhausted
      AccessAssertion a{.user = plan.caller.user.login_id,
                        .profession = std::string(hpd::to_string(plan.caller.user.profession)),
                        .facility_oid = plan.caller.user.facility_oid,
                        .audience = identity.facility_oid,
                        .authority = identity.authority,
                        .local_id = identity.local_id,
                        .category = gw_category,
                        .request_id = req.request_id,
                        .issued_at = unix_now(),
                        .expires_at = unix_now() + sv.assertion_lifetime.count()};
      std::string url = endpoint.url + "/gw/v1/patients/" + encode(identity.local_id) + "/" +
                        gw_category + "?limit=" + std::to_string(page_size) +
                        "&offset=" + std::to_string(offset) + query;
      plan.calls.push_back({identity.facility_oid, names.name(identity.facility_oid), url,
                            sv.signer.sign(a), endpoint.cert_sha256, preserved});
      plan.call_identity.push_back(&identity);
    }
  }
  sv.web.audit.append_all(decisions, now);
  // A category that no source facility may show this user is refused outright (the UI
  // does not offer it); the summary is still shown with what is allowed.
  if (!with_summary && plan.allowed_sources == 0) {
    throw Error(ErrorCode::kForbidden,
                plan.first_denial.empty() ? "not permitted" : plan.first_denial);
  }
  return plan;
}

// The item's date (the first date field it has), or an empty string; no copy.
const std::string& date_of(const json& item) {
  static const std::string kNone;
  for (const char* k : {"date", "collected_at", "event_at", "administered_at", "start", "onset",
                        "established", "created_at", "performed_at"}) {
    auto it = item.find(k);
    if (it != item.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      return it->get_ref<const std::string&>();
  }
  return kNone;
}

// Moves the items out of the answers (they are not used afterwards) instead of copying them.
json merge_answers(const Plan& plan, std::vector<GatewayAnswer>& answers,
                   const std::string& category, json& missing) {
  json items = json::array();
  json next = json::object();
  bool more = false;
  std::set<std::string> missing_seen;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto& a = answers[i];
    const GatewayCall& call = plan.calls[i];
    if (!a.body) {
      if (missing_seen.insert(call.facility_oid).second) {
        missing.push_back({{"facility_oid", call.facility_oid},
                           {"facility_name", call.facility_name},
                           {"reason", a.failure}});
        if (call.preserved)
          missing.back()["preserved"] = *call.preserved;
      }
      continue;
    }
    const std::string gw_category =
        call.url.substr(0, call.url.find('?')).substr(call.url.rfind('/', call.url.find('?')) + 1);
    if (auto it = a.body->find("items"); it != a.body->end() && it->is_array()) {
      for (auto& item : *it) {
        item["facility_oid"] = call.facility_oid;
        item["facility_name"] = call.facility_name;
        if (call.preserved)
          item["preserved"] = *call.preserved;
        if (category == "reports")
          item["report_kind"] = gw_category;
        items.push_back(std::move(item));
      }
    }
    const std::string key = call.facility_oid + "/" + gw_category;
    if (a.body->contains("next_offset") && (*a.body)["next_offset"].is_number()) {
      next[key] = (*a.body)["next_offset"];
      more = true;
    } else {
      next[key] = -1;
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const json& x, const json& y) {
    return date_of(x) > date_of(y);  // newest first
  });
  json out = json::object();
  out["items"] = std::move(items);
  out["missing"] = missing;
  if (more)
    out["next_cursor"] = next.dump();
  return out;
}

// The decision allowed it but the data could not be fetched: on record too.
net::awaitable<void> audit_failures(ViewerServices& sv, const Plan& plan,
                                    const std::vector<GatewayAnswer>& answers,
                                    const std::string& category, const Request& req) {
  co_await offload(sv.workers, [&] {
    std::vector<audit::AuditEvent> failures;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (!answers[i].body) {
        failures.push_back(view_event(plan.caller, plan.person, *plan.call_identity[i], category,
                                      audit::Outcome::kFailure, answers[i].failure,
                                      req.request_id));
      }
    }
    sv.web.audit.append_all(failures, hpd::Clock::now());
    return 0;
  });
}

net::awaitable<Response> category_handler(ViewerServices& sv, Request& req, std::string category,
                                          bool summary) {
  if (!categories().contains(category))
    throw Error(ErrorCode::kNotFound, "no such category");
  Plan plan = co_await offload(sv.workers, [&] {
    return plan_category(sv, require_caller(sv.web, req), req, category, summary);
  });
  auto answers =
      co_await call_gateways(sv.gateways, plan.calls, sv.gateway_deadline, req.request_id);
  json missing = json::array();
  json merged = merge_answers(plan, answers, category, missing);
  if (!missing.empty())
    co_await audit_failures(sv, plan, answers, category, req);
  if (summary) {
    json out = plan.person_json;
    out["allergies"] = std::move(merged["items"]);
    out["facilities"] = std::move(plan.facilities);
    out["missing"] = std::move(merged["missing"]);
    co_return Response::json(200, out.dump());
  }
  co_return Response::json(200, merged.dump());
}

}  // namespace

disaster::StandbyMap standbys_at(const ViewerServices& sv, hpd::TimePoint now) {
  return sv.standbys ? sv.standbys(now) : disaster::StandbyMap{};
}

net::awaitable<CategoryPage> fetch_category(ViewerServices& sv, const Caller& caller,
                                            const Request& req, const std::string& category) {
  if (!categories().contains(category))
    throw Error(ErrorCode::kNotFound, "no such category");
  Plan plan =
      co_await offload(sv.workers, [&] { return plan_category(sv, caller, req, category, false); });
  auto answers =
      co_await call_gateways(sv.gateways, plan.calls, sv.gateway_deadline, req.request_id);
  json missing = json::array();
  json merged = merge_answers(plan, answers, category, missing);
  if (!missing.empty())
    co_await audit_failures(sv, plan, answers, category, req);
  CategoryPage page{std::move(merged["items"]), std::move(merged["missing"]), ""};
  if (merged.contains("next_cursor"))
    page.next_cursor = merged["next_cursor"].get<std::string>();
  co_return page;
}

net::awaitable<Response> fetch_document(ViewerServices& sv, const Caller& caller,
                                        const Request& req, const std::string& facility,
                                        const std::string& document_id) {
  Plan plan = co_await offload(sv.workers,
                               [&] { return plan_category(sv, caller, req, "documents", false); });
  const GatewayCall* call = nullptr;
  for (const auto& c : plan.calls) {
    if (c.facility_oid == facility)
      call = &c;
  }
  if (!call)
    throw Error(ErrorCode::kNotFound, "no such document");
  std::string url = call->url.substr(0, call->url.find('?')) + "/" + encode(document_id);
  http::ClientRequest up{.url = url, .timeout = sv.gateway_deadline};
  up.peer_sha256 = call->peer_sha256;
  up.headers[kAssertionHeader] = call->assertion;
  auto res = co_await sv.gateways.stream(std::move(up));
  if (res.status != 200)
    throw Error(ErrorCode::kNotFound, "no such document");
  Response out;
  out.headers["Content-Type"] = res.headers["Content-Type"];
  // A download, never rendered in the portal's origin (common/attachment.hpp).
  http::serve_as_attachment(out, http::disposition_file_name(res.headers["Content-Disposition"]));
  out.body = res.next;
  co_return out;
}

void add_viewer_routes(http::Router& web, ViewerServices& sv) {
  web.add_blocking(
      "GET", "/api/v1/persons",
      [&sv](Request& req) {
        Caller c = require_caller(sv.web, req);
        PersonSearch s;
        s.q = text_param(req, "q");
        s.birth_date = date_param(req, "birth_date", true);
        std::erase(s.birth_date, '-');
        s.sex = text_param(req, "sex");
        if (!s.sex.empty() && (s.sex.size() != 1 ||
                               std::string_view("MFOU").find(s.sex[0]) == std::string_view::npos))
          bad_param("sex", "one of M F O U is expected");
        s.local_id = text_param(req, "local_id");
        s.limit = int_param(req, "page_size", s.limit, 1, 200);
        if (auto v = req.query_param("cursor"); v && !v->empty())
          s.after = int_param(req, "cursor", 0, 0, std::numeric_limits<long long>::max());
        auto page = sv.persons.search(user_context(c), s, hpd::Clock::now());
        FacilityNames names{sv.web.directory, {}};
        json items = json::array();
        for (const auto& p : page.items)
          items.push_back(person_summary_json(p, names));
        audit::AuditEvent e{.type = audit::EventType::kSearch,
                            .actor_user = c.user.login_id,
                            .actor_profession = std::string(hpd::to_string(c.user.profession)),
                            .actor_facility = c.user.facility_oid,
                            .detail = "results=" + std::to_string(page.items.size()),
                            .request_id = req.request_id};
        sv.web.audit.append(e, hpd::Clock::now());
        json out{{"items", items}};
        // From the candidates, not the items: a page the decisions thinned is not the last.
        if (page.next_after != 0)
          out["next_cursor"] = std::to_string(page.next_after);
        return Response::json(200, out.dump());
      },
      {.body_limit = 0, .summary = "persons the user's facility may see"});

  web.add("GET", "/api/v1/persons/{person_id}",
          [&sv](Request& req) -> net::awaitable<Response> {
            co_return co_await category_handler(sv, req, "allergies", true);
          },
          {.body_limit = 0, .summary = "a person's summary"});

  web.add("GET", "/api/v1/persons/{person_id}/{category}",
          [&sv](Request& req) -> net::awaitable<Response> {
            co_return co_await category_handler(sv, req, req.param("category"), false);
          },
          {.body_limit = 0, .summary = "one category across facilities"});

  web.add("GET", "/api/v1/persons/{person_id}/documents/{facility_oid}/{document_id}",
          [&sv](Request& req) -> net::awaitable<Response> {
            const Caller caller =
                co_await offload(sv.workers, [&] { return require_caller(sv.web, req); });
            co_return co_await fetch_document(sv, caller, req, req.param("facility_oid"),
                                              req.param("document_id"));
          },
          {.body_limit = 0, .summary = "a document, streamed from its gateway"});
}

}  // namespace hareyaka::portal
