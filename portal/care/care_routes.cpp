#include "portal/care/care_routes.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "portal/admin/admin_common.hpp"
#include "portal/care/care_attachments.hpp"
#include "portal/care/care_posts.hpp"
#include "portal/care/care_store.hpp"
#include "portal/viewer/viewer_access.hpp"

namespace hareyaka::care {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using portal::Caller;

constexpr const char* kCategory = "care_team";
constexpr const char* kBase = "/api/v1/persons/{person_id}/care-team";

// What a request is on record as: a read (a view), a write (an action), a consent change,
// or a receipt (a write that a read-only member may make too: a read receipt, leaving).
enum class Record { kRead, kWrite, kConsent, kReceipt };

// The audit record of one care-team request: a read is a view of the care record
// (category care_team), a consent recorded or withdrawn a consent change, any other write
// an action named in `reason`; a refusal carries the reason code and names the action in
// the detail. Never any text of a post.
audit::AuditEvent care_event(const Caller& c, const Request& req, std::int64_t person, Record kind,
                             std::string_view action, audit::Outcome outcome, std::string_view code,
                             const std::string& detail) {
  audit::AuditEvent e;
  e.type = audit::EventType::kAdminAction;
  if (kind == Record::kRead)
    e.type = audit::EventType::kView;
  else if (kind == Record::kConsent)
    e.type = audit::EventType::kConsentChange;
  e.outcome = outcome;
  e.actor_user = c.user.login_id;
  e.actor_profession = std::string(hpd::to_string(c.user.profession));
  e.actor_facility = c.user.facility_oid;
  e.person_id = std::to_string(person);
  e.category = kCategory;
  if (outcome == audit::Outcome::kSuccess)
    e.reason = kind == Record::kRead ? "" : std::string(action);
  else
    e.reason = std::string(code);
  e.detail = "action=" + std::string(action) + (detail.empty() ? "" : " " + detail);
  e.request_id = req.request_id;
  return e;
}

[[noreturn]] void refuse(std::string_view code) {
  throw Error(ErrorCode::kForbidden, std::string(code) + ": " + std::string(reason_text(code)));
}

// A failed request on record: a refusal (403, its code the message's first word) as denied,
// anything else as a failure with the error's code.
audit::AuditEvent failure_event(const Caller& c, const Request& req, std::int64_t person,
                                Record kind, std::string_view action, const Error& e) {
  if (e.code() == ErrorCode::kForbidden) {
    const std::string& m = e.external();
    return care_event(c, req, person, kind, action, audit::Outcome::kDenied,
                      std::string_view(m).substr(0, m.find(':')), "");
  }
  return care_event(c, req, person, kind, action, audit::Outcome::kFailure, to_string(e.code()),
                    "");
}

SessionUser session_user(const Caller& c) {
  return {c.user.profession, c.user.facility_oid};
}

using Work = std::function<json(pg::Tx&, const FactsRow&, std::string& detail)>;

// The decision, the work and its audit record in one transaction; a refusal audited on its
// own and answered 403 with its code; a failed write (bad input, conflict) audited as a
// failure.
json guarded(CareServices& sv, const Request& req, const Caller& c, Record kind,
             std::string_view action, const Work& work) {
  const std::int64_t person = portal::person_id_of(req);
  const auto now = hpd::Clock::now();
  const Need need = kind == Record::kRead || kind == Record::kReceipt ? Need::kRead : Need::kWrite;
  std::string denied;
  try {
    json out = pg::transact(sv.pool, [&](pg::Tx& tx) {
      denied.clear();
      const FactsRow facts = read_facts(tx, c.user.id, person);
      if (auto code = decide(facts.facts, session_user(c), need); !code.empty()) {
        denied = std::string(code);
        return json();
      }
      std::string detail;
      json r = work(tx, facts, detail);
      audit::AuditLog::append_in(
          tx, care_event(c, req, person, kind, action, audit::Outcome::kSuccess, "", detail), now);
      return r;
    });
    if (denied.empty())
      return out;
  } catch (const Error& e) {
    sv.web.audit.append(failure_event(c, req, person, kind, action, e), now);
    throw;
  }
  sv.web.audit.append(care_event(c, req, person, kind, action, audit::Outcome::kDenied, denied, ""),
                      now);
  refuse(denied);
}

std::int64_t id_param(const Request& req, const char* name) {
  const std::string& text = req.param(name);
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    throw Error(ErrorCode::kNotFound, "no such " + std::string(name));
  return id;
}

CareProfession profession_field(const json& body) {
  const std::string v = admin::req_string(body, "care_profession");
  auto p = parse_care_profession(v);
  if (!p)
    throw Error(ErrorCode::kUnprocessable, "unknown care_profession '" + v + "'");
  return *p;
}

TimelineRequest timeline_request(const Request& req) {
  TimelineRequest t;
  if (auto v = req.query_param("page_size"); v) {
    int n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > 200)
      throw Error(ErrorCode::kBadRequest,
                  "invalid parameter 'page_size': an integer from 1 to 200 is expected");
    t.limit = n;
  }
  if (auto v = req.query_param("cursor"); v && !v->empty()) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), t.before);
    if (ec != std::errc() || p != v->data() + v->size() || t.before <= 0)
      throw Error(ErrorCode::kBadRequest, "invalid parameter 'cursor'");
  }
  if (auto v = req.query_param("column"); v && !v->empty()) {
    std::string_view rest = *v;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view one = rest.substr(0, comma);
      auto c = parse_column(one);
      if (!c || *c == Column::kNone)
        throw Error(ErrorCode::kBadRequest,
                    "invalid parameter 'column': medical, nursing, pharmacy or care (comma "
                    "separated) is expected");
      t.columns.emplace_back(one);
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
  }
  return t;
}

// The patient's consent to the team as a request gives it: {"consent": {document_ref?,
// facilities? (absent: every registered facility; else it must include the caller's own),
// reader_allowed?}}.
TeamConsentInput consent_input(const json& body, const Caller& c) {
  TeamConsentInput consent;
  auto cj = body.find("consent");
  if (cj == body.end() || !cj->is_object())
    throw Error(ErrorCode::kBadRequest, "'consent' is required: the patient's consent to the team");
  consent.document_ref = admin::opt_string(*cj, "document_ref").value_or("");
  consent.reader_allowed = admin::opt_bool(*cj, "reader_allowed").value_or(false);
  if (auto f = cj->find("facilities"); f != cj->end() && !f->is_null()) {
    if (!f->is_array() || f->empty() || f->size() > 500)
      throw Error(ErrorCode::kBadRequest,
                  "'consent.facilities' must be an array of 1 to 500 facility OIDs");
    for (const auto& oid : *f) {
      if (!oid.is_string())
        throw Error(ErrorCode::kBadRequest, "'consent.facilities' must be facility OIDs");
      consent.facilities.push_back(oid.get<std::string>());
    }
    consent.all_facilities = false;
    if (std::find(consent.facilities.begin(), consent.facilities.end(), c.user.facility_oid) ==
        consent.facilities.end())
      throw Error(ErrorCode::kUnprocessable, "the consent must include your own facility");
  }
  return consent;
}

// The person must be one the caller's facility may see in the viewer: else a consent change
// `action` refused on record (no_consent) and answered 404.
void require_visible(CareServices& sv, const Caller& c, const Request& req, std::int64_t person,
                     const char* action, hpd::TimePoint now) {
  if (sv.persons.visible_person(c.user.facility_oid, person, now))
    return;
  sv.web.audit.append(care_event(c, req, person, Record::kConsent, action, audit::Outcome::kDenied,
                                 "no_consent", ""),
                      now);
  throw Error(ErrorCode::kNotFound, "no such person");
}

// A consent change `action` to a team: `act` (the store call, returning the team) and its
// audit record in one transaction, answered 201 with the team; a failure (a refusal too) on
// record.
Response consent_change(CareServices& sv, const Caller& c, const Request& req, std::int64_t person,
                        const char* action, hpd::TimePoint now,
                        const std::function<std::int64_t(pg::Tx&)>& act) {
  try {
    json out = pg::transact(sv.pool, [&](pg::Tx& tx) {
      const auto team = act(tx);
      audit::AuditLog::append_in(
          tx,
          care_event(c, req, person, Record::kConsent, action, audit::Outcome::kSuccess, "",
                     "team=" + std::to_string(team)),
          now);
      return team_json(tx, team);
    });
    return Response::json(201, out.dump());
  } catch (const Error& e) {
    sv.web.audit.append(failure_event(c, req, person, Record::kConsent, action, e), now);
    throw;
  }
}

// POST .../care-team: the team, its consent as the patient gave it, and the caller as its
// first member. The creator's facility must be one that may see the person in the viewer.
Response create_team_route(CareServices& sv, Request& req) {
  const Caller c = portal::require_caller(sv.web, req);
  const std::int64_t person = portal::person_id_of(req);
  const auto now = hpd::Clock::now();
  const char* action = "care_team_create";
  const json body = admin::parse_object(req);
  const CareProfession profession = profession_field(body);
  require_visible(sv, c, req, person, action, now);
  if (!may_hold(c.user.profession, profession) || always_read_only(profession))
    throw Error(ErrorCode::kUnprocessable, "your profession cannot found a care team as " +
                                               std::string(to_string(profession)));
  const TeamConsentInput consent = consent_input(body, c);
  return consent_change(sv, c, req, person, action, now, [&](pg::Tx& tx) {
    return create_team(tx, person, c.user.id, profession, consent);
  });
}

// POST .../care-team/consent: a new consent of the patient to the team (after a withdrawal,
// or to change who may join), recorded by an active member who is not read-only and whose
// facility may see the person in the viewer, as for founding; the one in force, if any, is
// withdrawn as superseded in the same transaction.
Response record_consent_route(CareServices& sv, Request& req) {
  const Caller c = portal::require_caller(sv.web, req);
  const std::int64_t person = portal::person_id_of(req);
  const auto now = hpd::Clock::now();
  const char* action = "care_team_consent_record";
  const json body = admin::parse_object(req);
  const TeamConsentInput consent = consent_input(body, c);
  require_visible(sv, c, req, person, action, now);
  return consent_change(sv, c, req, person, action, now, [&](pg::Tx& tx) {
    const FactsRow facts = read_facts(tx, c.user.id, person);
    const auto code = decide(facts.facts, session_user(c), Need::kWrite);
    // Only what the consent itself decides may be mended by a new one.
    const bool mendable = code.empty() || code == "care_team_consent_withdrawn" ||
                          code == "facility_not_in_team_consent";
    if (!mendable)
      refuse(code);
    if (facts.member.read_only)
      refuse("read_only_member");
    record_consent(tx, facts.member.team_id, c.user.id, consent);
    return facts.member.team_id;
  });
}

// POST .../care-team/accept and .../decline: the caller's pending invitation answered.
Response answer_route(CareServices& sv, Request& req, bool accepting) {
  const Caller c = portal::require_caller(sv.web, req);
  const std::int64_t person = portal::person_id_of(req);
  const auto now = hpd::Clock::now();
  const char* action = accepting ? "care_team_accept" : "care_team_decline";
  try {
    json out = pg::transact(sv.pool, [&](pg::Tx& tx) {
      const FactsRow facts = read_facts(tx, c.user.id, person);
      const auto code = decide(facts.facts, session_user(c), Need::kRead);
      if (code.empty())
        throw Error(ErrorCode::kConflict, "you are a member of this care team already");
      if (code != "invitation_not_accepted")
        refuse(code);
      if (accepting)
        accept(tx, facts);
      else
        decline(tx, facts, c.user.id);
      audit::AuditLog::append_in(
          tx,
          care_event(c, req, person, Record::kWrite, action, audit::Outcome::kSuccess, "",
                     "member=" + std::to_string(facts.member.member_id)),
          now);
      return accepting ? team_json(tx, facts.member.team_id) : json();
    });
    if (!accepting) {
      Response none;
      none.status = 204;
      return none;
    }
    return Response::json(200, out.dump());
  } catch (const Error& e) {
    sv.web.audit.append(failure_event(c, req, person, Record::kWrite, action, e), now);
    throw;
  }
}

const ContentStore& attachment_store(const CareServices& sv) {
  if (!sv.attachments)
    throw Error(ErrorCode::kUnavailable,
                "this portal keeps no attachments: care.attachments_dir is not configured");
  return *sv.attachments;
}

// POST .../posts/{post_id}/attachments?name=: the body is the file (Content-Type
// application/pdf, image/jpeg or image/png), attached by the post's author.
Response attach_route(CareServices& sv, Request& req) {
  const Caller c = portal::require_caller(sv.web, req);
  const ContentStore& store = attachment_store(sv);
  json out =
      guarded(sv, req, c, Record::kWrite, "care_team_attach",
              [&](pg::Tx& tx, const FactsRow& f, std::string& detail) {
                const auto post = id_param(req, "post_id");
                const AttachmentInput in{.media_type = req.media_type(),
                                         .file_name = req.query_param("name").value_or(""),
                                         .bytes = req.body};
                json a = add_attachment(tx, store, f.member.team_id, post, f.member.member_id, in);
                detail = "post=" + std::to_string(post) +
                         " attachment=" + a["attachment_id"].get<std::string>();
                return a;
              });
  return Response::json(201, out.dump());
}

// GET .../attachments/{attachment_id}: the file as a download, never rendered in the portal's
// origin.
Response attachment_route(CareServices& sv, Request& req) {
  const Caller c = portal::require_caller(sv.web, req);
  const ContentStore& store = attachment_store(sv);
  std::int64_t id = 0;
  StoredAttachment a;
  guarded(sv, req, c, Record::kRead, "care_team_attachment_read",
          [&](pg::Tx& tx, const FactsRow& f, std::string& detail) {
            id = id_param(req, "attachment_id");
            a = find_attachment(tx, f.member.team_id, id);
            if (!store.has(a.sha256))
              throw Error(
                  ErrorCode::kUnavailable, "the attachment's file is not available",
                  "care attachment " + std::to_string(id) + ": no file " + store.path_of(a.sha256));
            detail = "post=" + std::to_string(a.post_id) + " attachment=" + std::to_string(id);
            return json();
          });
  Response res;
  res.headers["Content-Type"] = a.media_type;
  res.headers["Cache-Control"] = "private, no-store";
  http::serve_as_attachment(res, download_name(id, a));
  res.body = http::FileBody{store.path_of(a.sha256)};
  return res;
}

}  // namespace

void add_care_routes(http::Router& web, CareServices& sv) {
  const std::string base = kBase;
  auto blocking =
      [&](const char* method, const std::string& path, Record kind, const char* action, int status,
          const char* summary,
          std::function<json(const Caller&, Request&, pg::Tx&, const FactsRow&, std::string&)>
              work) {
        web.add_blocking(
            method, path,
            [&sv, kind, action, status, work](Request& req) {
              const Caller c = portal::require_caller(sv.web, req);
              json out = guarded(sv, req, c, kind, action,
                                 [&](pg::Tx& tx, const FactsRow& f, std::string& detail) {
                                   return work(c, req, tx, f, detail);
                                 });
              if (status == 204) {
                Response none;
                none.status = 204;
                return none;
              }
              return Response::json(status, out.dump());
            },
            {.body_limit = kind == Record::kRead ? 0u : 256u * 1024u, .summary = summary});
      };

  web.add_blocking("POST", base, [&sv](Request& req) { return create_team_route(sv, req); },
                   {.body_limit = 64 * 1024,
                    .summary = "a care team for the person, with the patient's consent"});
  web.add_blocking(
      "POST", base + "/accept", [&sv](Request& req) { return answer_route(sv, req, true); },
      {.body_limit = 1024, .summary = "accept the caller's invitation to the care team"});
  web.add_blocking(
      "POST", base + "/consent", [&sv](Request& req) { return record_consent_route(sv, req); },
      {.body_limit = 64 * 1024, .summary = "record a new consent of the patient to the team"});
  web.add_blocking(
      "POST", base + "/decline", [&sv](Request& req) { return answer_route(sv, req, false); },
      {.body_limit = 1024, .summary = "decline the caller's invitation to the care team"});

  blocking("GET", base, Record::kRead, "care_team_read", 200,
           "the person's care team: consent, members, the caller's membership",
           [](const Caller&, Request&, pg::Tx& tx, const FactsRow& f, std::string&) {
             json out = team_json(tx, f.member.team_id);
             out["me"] = {{"member_id", std::to_string(f.member.member_id)},
                          {"care_profession", f.member.care_profession},
                          {"column", f.member.column},
                          {"read_only", f.member.read_only}};
             out["unread"] = unread_count(tx, f.member.team_id, f.member.member_id);
             return out;
           });
  blocking("POST", base + "/invitations", Record::kWrite, "care_team_invite", 201,
           "invite a user of any registered facility to the care team",
           [](const Caller& c, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             const json body = admin::parse_object(req);
             const auto profession = profession_field(body);
             const auto member =
                 invite(tx, f, c.user.id, admin::req_string(body, "login_id"), profession,
                        admin::opt_bool(body, "read_only").value_or(false));
             detail = "member=" + std::to_string(member);
             return json{{"member_id", std::to_string(member)}, {"status", "invited"}};
           });
  blocking("POST", base + "/leave", Record::kReceipt, "care_team_leave", 204,
           "leave the care team (access ends at once)",
           [](const Caller& c, Request&, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             leave(tx, f.member.team_id, f.member.member_id, c.user.id);
             detail = "member=" + std::to_string(f.member.member_id);
             return json();
           });
  blocking("DELETE", base + "/members/{member_id}", Record::kWrite, "care_team_remove", 204,
           "remove a member or withdraw an invitation (access ends at once)",
           [](const Caller& c, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             const auto member = id_param(req, "member_id");
             remove_member(tx, f.member.team_id, member, f.member.member_id, c.user.id);
             detail = "member=" + std::to_string(member);
             return json();
           });
  blocking("POST", base + "/consent/withdraw", Record::kConsent, "care_team_consent_withdraw", 200,
           "record the withdrawal of the patient's consent to the team",
           [](const Caller& c, Request& req, pg::Tx& tx, const FactsRow& f, std::string&) {
             const json body = admin::parse_object(req);
             withdraw_consent(tx, f.member.team_id, c.user.id, admin::req_string(body, "reason"));
             return team_json(tx, f.member.team_id);
           });
  blocking("GET", base + "/posts", Record::kRead, "care_team_timeline", 200,
           "the care team's timeline, newest first, by column",
           [](const Caller&, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             json out = timeline(tx, f.member.team_id, f.member.member_id, timeline_request(req));
             detail = "items=" + std::to_string(out["items"].size());
             return out;
           });
  blocking("POST", base + "/posts", Record::kWrite, "care_team_post", 201,
           "a post in the SOAP form or free text, with mentions",
           [](const Caller&, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             const PostInput in = parse_post(admin::parse_object(req), false);
             const auto column = parse_column(f.member.column).value_or(Column::kNone);
             if (column == Column::kNone)
               refuse("read_only_member");
             const auto id = create_post(tx, f.member.team_id, f.member.member_id, column, in);
             detail = "post=" + std::to_string(id);
             TimelineRequest one{.limit = 1, .only_post = id};
             return timeline(tx, f.member.team_id, f.member.member_id, one)["items"][0];
           });
  blocking("GET", base + "/posts/{post_id}", Record::kRead, "care_team_post_read", 200,
           "one post with its earlier versions, mentions and read receipts",
           [](const Caller&, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             const auto id = id_param(req, "post_id");
             TimelineRequest one{.limit = 1, .only_post = id};
             json page = timeline(tx, f.member.team_id, f.member.member_id, one);
             if (page["items"].empty())
               throw Error(ErrorCode::kNotFound, "no such post");
             detail = "post=" + std::to_string(id);
             return page["items"][0];
           });
  blocking("POST", base + "/posts/{post_id}/corrections", Record::kWrite, "care_team_correct", 201,
           "a correction: a new version, the earlier one kept as superseded",
           [](const Caller&, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             const auto id = id_param(req, "post_id");
             const PostInput in = parse_post(admin::parse_object(req), true);
             const int version = correct_post(tx, f.member.team_id, id, f.member.member_id, in);
             detail = "post=" + std::to_string(id) + " version=" + std::to_string(version);
             TimelineRequest one{.limit = 1, .only_post = id};
             return timeline(tx, f.member.team_id, f.member.member_id, one)["items"][0];
           });
  web.add_blocking("POST", base + "/posts/{post_id}/attachments",
                   [&sv](Request& req) { return attach_route(sv, req); },
                   {.body_limit = kMaxAttachmentBytes,
                    .summary = "attach a photo or PDF (the body) to the caller's own post"});
  web.add_blocking("GET", base + "/attachments/{attachment_id}",
                   [&sv](Request& req) { return attachment_route(sv, req); },
                   {.body_limit = 0, .summary = "one attachment of a post, as a download"});
  blocking("POST", base + "/posts/{post_id}/read", Record::kReceipt, "care_team_mark_read", 200,
           "the caller's read receipt for the post's current version",
           [](const Caller&, Request& req, pg::Tx& tx, const FactsRow& f, std::string& detail) {
             const auto id = id_param(req, "post_id");
             detail = "post=" + std::to_string(id);
             return mark_read(tx, f.member.team_id, id, f.member.member_id);
           });
}

}  // namespace hareyaka::care
