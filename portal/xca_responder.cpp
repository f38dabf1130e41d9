#include "portal/xca_responder.hpp"

#include <boost/asio/thread_pool.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/log.hpp"
#include "common/uuid.hpp"
#include "portal/viewer/categories.hpp"
#include "portal/viewer/locator_view.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "portal/xca_documents.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xds/ebrs.hpp"
#include "proto/xds/mtom.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
using namespace xca;
using nlohmann::json;

constexpr std::size_t kSoapBodyLimit = 4 * 1024 * 1024;
constexpr std::string_view kQueryAction = "urn:ihe:iti:2007:CrossGatewayQuery";
constexpr std::string_view kQueryResponseAction = "urn:ihe:iti:2007:CrossGatewayQueryResponse";
constexpr std::string_view kRetrieveAction = "urn:ihe:iti:2007:CrossGatewayRetrieve";
constexpr std::string_view kRetrieveResponseAction =
    "urn:ihe:iti:2007:CrossGatewayRetrieveResponse";
constexpr std::string_view kFaultAction = "http://www.w3.org/2005/08/addressing/soap/fault";
constexpr int kPageSize = 200;
constexpr int kMaxPages = 25;  // per gateway category: 5000 items in one document at most

audit::AuditEvent community_event(const PeerCommunity& peer, audit::EventType type,
                                  const std::string& request_id) {
  audit::AuditEvent e;
  e.type = type;
  e.actor_user = "community:" + peer.name;
  e.actor_profession = "community";
  e.actor_facility = peer.home_community_id;
  e.request_id = request_id;
  return e;
}

std::vector<std::string> values_of(const xds::StoredQuery& q, std::string_view slot) {
  const auto* v = q.slot(slot);
  return v ? *v : std::vector<std::string>{};
}

// A single-valued parameter; empty when absent.
std::string first_value(const xds::StoredQuery& q, std::string_view slot) {
  const auto* v = q.slot(slot);
  return v && !v->empty() ? v->front() : std::string();
}

// ITI-38: the stored query's entries and errors.
struct QueryAnswer {
  std::vector<xds::DocumentEntry> entries;
  std::vector<xds::RegistryError> errors;
  bool leaf_class = true;
};

QueryAnswer answer_query(XcaServices& sv, const PeerCommunity& peer, const xds::StoredQuery& q,
                         const std::string& request_id) {
  QueryAnswer a;
  a.leaf_class = q.leaf_class;
  const std::string home = sv.xcpd.home_community_id;
  auto fail = [&](std::string code, std::string context, std::string location) {
    a.errors.push_back({std::move(code), std::move(context), std::move(location)});
    return a;
  };
  if (q.id == xds::kGetAssociations) {
    // On-Demand entries stand alone: there are no associations to return.
    return a;
  }
  if (q.id != xds::kFindDocuments && q.id != xds::kGetDocuments)
    return fail("XDSUnknownStoredQuery", "this responding gateway does not support the query",
                q.id);
  if (q.id == xds::kGetDocuments) {
    if (q.home_community_id.empty())
      return fail("XDSMissingHomeCommunityId", "GetDocuments needs the homeCommunityId",
                  "AdhocQuery/@home");
    if (strip_oid_urn(q.home_community_id) != home)
      return fail("XDSUnknownCommunity", "not this community's homeCommunityId",
                  q.home_community_id);
    if (q.slot("$XDSDocumentEntryEntryUUID"))
      return fail("XDSRegistryError",
                  "GetDocuments by $XDSDocumentEntryEntryUUID is not supported by this responding "
                  "gateway: ask by $XDSDocumentEntryUniqueId",
                  "$XDSDocumentEntryEntryUUID");
    const auto uids = values_of(q, "$XDSDocumentEntryUniqueId");
    if (uids.empty())
      return fail("XDSStoredQueryParamNumber", "GetDocuments needs $XDSDocumentEntryUniqueId",
                  "$XDSDocumentEntryUniqueId");
    std::map<std::int64_t, std::vector<Disclosable>> decided;
    for (const auto& uid : uids) {
      auto key = parse_unique_id(home, sv.network_root, uid);
      if (!key)
        continue;  // not one of ours: nothing to return
      auto it = decided.find(key->person);
      if (it == decided.end())
        it = decided.emplace(key->person, decide(sv, peer, key->person)).first;
      for (const auto& d : it->second) {
        if (d.facility_oid != key->facility_oid || d.category != key->category)
          continue;
        auto facility = sv.directory.find_facility(d.facility_oid);
        if (!facility)
          continue;
        const PersonView pv{key->person, {{d.authority, d.local_id, d.facility_oid}}};
        auto locators = person_locators(&sv.locators, pv);
        a.entries.push_back(
            make_entry(sv, key->person, d, *facility, locator_of(locators, pv.identities.front())));
      }
    }
  } else {
    // FindDocuments (the homeCommunityId is optional here: the patient id names us).
    if (!q.home_community_id.empty() && strip_oid_urn(q.home_community_id) != home)
      return fail("XDSUnknownCommunity", "not this community's homeCommunityId",
                  q.home_community_id);
    const auto ids = values_of(q, "$XDSDocumentEntryPatientId");
    if (ids.size() != 1)
      return fail("XDSStoredQueryParamNumber",
                  "FindDocuments needs exactly one $XDSDocumentEntryPatientId",
                  "$XDSDocumentEntryPatientId");
    if (values_of(q, "$XDSDocumentEntryStatus").empty())
      return fail("XDSStoredQueryParamNumber", "FindDocuments needs $XDSDocumentEntryStatus",
                  "$XDSDocumentEntryStatus");
    const auto pid = xds::parse_patient_id(ids[0]);
    std::int64_t person = 0;
    if (pid && pid->root == sv.xcpd.patient_id_authority) {
      auto [p, ec] = std::from_chars(pid->id.data(), pid->id.data() + pid->id.size(), person);
      if (ec != std::errc() || p != pid->id.data() + pid->id.size())
        person = 0;
    }
    std::vector<Disclosable> decided =
        person > 0 ? decide(sv, peer, person) : std::vector<Disclosable>{};
    if (decided.empty()) {
      // Unknown here, or no consent for this community: the same answer (default deny).
      return fail("XDSUnknownPatientId", "this community knows no such patient for you", ids[0]);
    }
    const auto statuses = values_of(q, "$XDSDocumentEntryStatus");
    const bool approved =
        std::find(statuses.begin(), statuses.end(), xds::kApproved) != statuses.end();
    // ITI-18: without $XDSDocumentEntryType only Stable entries are asked for.
    const auto types = values_of(q, "$XDSDocumentEntryType");
    const bool on_demand =
        std::find(types.begin(), types.end(), xds::kOnDemandEntry) != types.end();
    std::set<std::string> classes;
    for (const auto& c : values_of(q, "$XDSDocumentEntryClassCode"))
      classes.insert(c.substr(0, c.find('^')));
    const std::string from = first_value(q, "$XDSDocumentEntryServiceStopTimeFrom");
    const std::string to = first_value(q, "$XDSDocumentEntryServiceStartTimeTo");
    if (approved && on_demand) {
      PersonView pv{person, {}};
      for (const auto& d : decided)
        pv.identities.push_back({d.authority, d.local_id, d.facility_oid});
      const auto locators = person_locators(&sv.locators, pv);
      for (std::size_t n = 0; n < decided.size(); ++n) {
        const auto& d = decided[n];
        if (!classes.empty() && !classes.contains(d.category))
          continue;
        const Locator* locator = locator_of(locators, pv.identities[n]);
        if (!holds_something(locator, d.category))
          continue;
        auto facility = sv.directory.find_facility(d.facility_oid);
        if (!facility || d.facility_oid.size() <= sv.network_root.size())
          continue;
        xds::DocumentEntry e = make_entry(sv, person, d, *facility, locator);
        // Time ranges as ITI-18 compares them (on the YYYYMMDD precision we hold).
        if (!from.empty() && !e.service_stop.empty() && e.service_stop < from.substr(0, 8))
          continue;
        if (!to.empty() && !e.service_start.empty() && e.service_start > to.substr(0, 8))
          continue;
        a.entries.push_back(std::move(e));
      }
    }
    audit::AuditEvent ev = community_event(peer, audit::EventType::kSearch, request_id);
    ev.person_id = std::to_string(person);
    ev.reason = "cross_community_query";
    ev.detail = "ITI-38 FindDocuments: " + std::to_string(a.entries.size()) + " entries";
    sv.audit.append(ev, std::chrono::system_clock::now());
    return a;
  }
  audit::AuditEvent ev = community_event(peer, audit::EventType::kSearch, request_id);
  ev.reason = "cross_community_query";
  ev.detail = "ITI-38 GetDocuments: " + std::to_string(a.entries.size()) + " entries";
  sv.audit.append(ev, std::chrono::system_clock::now());
  return a;
}

std::string encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

// One document of an ITI-39 request, once decided.
struct RetrievePlan {
  xds::DocumentRequest request;
  std::optional<DocumentKey> key;
  std::optional<Disclosable> allowed;
  std::string facility_name;
  disaster::Endpoint endpoint;  // its gateway, or its standby while a declaration is in force
  std::optional<xds::RegistryError> error;
};

std::vector<RetrievePlan> plan_retrieve(XcaServices& sv, const PeerCommunity& peer,
                                        const std::vector<xds::DocumentRequest>& requests,
                                        const std::string& request_id) {
  const std::string home = sv.xcpd.home_community_id;
  std::vector<RetrievePlan> out;
  std::map<std::int64_t, std::vector<Disclosable>> decided;
  std::vector<audit::AuditEvent> events;
  const disaster::StandbyMap standbys =
      sv.standbys ? sv.standbys(std::chrono::system_clock::now()) : disaster::StandbyMap{};
  for (std::size_t n = 0; n < requests.size(); ++n) {
    RetrievePlan p{requests[n], {}, {}, {}, {}, {}};
    const std::string where = "DocumentRequest[" + std::to_string(n + 1) + "]";
    if (p.request.home_community_id.empty()) {
      p.error = {"XDSMissingHomeCommunityId", "the DocumentRequest has no HomeCommunityId", where};
    } else if (strip_oid_urn(p.request.home_community_id) != home) {
      p.error = {"XDSUnknownCommunity", "not this community's homeCommunityId",
                 p.request.home_community_id};
    } else if (!(p.key = parse_unique_id(home, sv.network_root, p.request.document_unique_id))) {
      p.error = {"XDSDocumentUniqueIdError", "no such document", p.request.document_unique_id};
    } else if (p.key->facility_oid != p.request.repository_unique_id) {
      p.error = {"XDSUnknownRepositoryId", "the document is not in this repository",
                 p.request.repository_unique_id};
    } else {
      auto it = decided.find(p.key->person);
      if (it == decided.end())
        it = decided.emplace(p.key->person, decide(sv, peer, p.key->person)).first;
      for (const auto& d : it->second) {
        if (d.facility_oid == p.key->facility_oid && d.category == p.key->category)
          p.allowed = d;
      }
      auto facility = sv.directory.find_facility(p.key->facility_oid);
      if (facility)
        p.endpoint = disaster::endpoint_of(*facility, standbys);
      if (p.allowed && facility && !p.endpoint.url.empty()) {
        p.facility_name = facility->name_kanji;
      } else {
        // Unknown, or not consented for this community: the same answer.
        p.error = {"XDSDocumentUniqueIdError", "no such document", p.request.document_unique_id};
      }
      audit::AuditEvent e = community_event(peer, audit::EventType::kView, request_id);
      e.person_id = std::to_string(p.key->person);
      e.category = p.key->category;
      e.source_facility = p.key->facility_oid;
      if (p.allowed) {
        e.patient_authority = p.allowed->authority;
        e.patient_local_id = p.allowed->local_id;
      }
      e.outcome = p.error ? audit::Outcome::kDenied : audit::Outcome::kSuccess;
      e.reason = p.error ? "no_consent" : "cross_community_retrieve";
      e.detail = "ITI-39";
      if (!p.error && p.endpoint.standby)  // a disclosure from a standby says so in its record
        e.detail += " " + disaster::preserved_detail(*p.endpoint.standby);
      events.push_back(std::move(e));
    }
    out.push_back(std::move(p));
  }
  // Before any gateway is asked: no disclosure without its record.
  sv.audit.append_all(events, std::chrono::system_clock::now());
  return out;
}

net::awaitable<std::optional<json>> fetch_document(XcaServices& sv, const PeerCommunity& peer,
                                                   const RetrievePlan& p,
                                                   const std::string& request_id) {
  json items = json::array();
  bool complete = true;
  for (const auto& part : portal_categories().at(p.key->category).second) {
    int offset = 0;
    for (int page = 0; page < kMaxPages; ++page) {
      AccessAssertion a{.user = "community:" + peer.home_community_id,
                        .profession = "community",
                        .facility_oid = peer.home_community_id,
                        .audience = p.allowed->facility_oid,
                        .authority = p.allowed->authority,
                        .local_id = p.allowed->local_id,
                        .category = part,
                        .request_id = request_id,
                        .issued_at = unix_now(),
                        .expires_at = unix_now() + sv.assertion_lifetime.count(),
                        .community = peer.home_community_id};
      http::ClientRequest req{
          .url = p.endpoint.url + "/gw/v1/patients/" + encode(p.allowed->local_id) + "/" + part +
                 "?limit=" + std::to_string(kPageSize) + "&offset=" + std::to_string(offset),
          .timeout = sv.gateway_deadline};
      req.peer_sha256 = p.endpoint.cert_sha256;  // a standby's pin; "" for the facility's own
      req.headers[kAssertionHeader] = sv.signer.sign(a);
      req.headers["X-Request-Id"] = request_id;
      http::ClientResponse res;
      try {
        res = co_await sv.gateways.request(std::move(req));
      } catch (const std::exception&) {
        co_return std::nullopt;
      }
      if (res.status != 200)
        co_return std::nullopt;
      json body = json::parse(res.body, nullptr, false);
      if (!body.is_object())
        co_return std::nullopt;
      for (auto& item : body.value("items", json::array())) {
        if (p.key->category == "reports")
          item["report_kind"] = part;
        items.push_back(std::move(item));
      }
      if (!body.contains("next_offset") || !body["next_offset"].is_number_integer())
        break;
      offset = body["next_offset"].get<int>();
      if (page + 1 == kMaxPages)
        complete = false;
    }
  }
  json out{{"home_community_id", sv.xcpd.home_community_id},
           {"facility_oid", p.allowed->facility_oid},
           {"facility_name", p.facility_name},
           {"category", p.key->category},
           {"patient", {{"authority", p.allowed->authority}, {"local_id", p.allowed->local_id}}},
           {"generated_at", encoding::iso_utc(std::chrono::system_clock::now())},
           {"complete", complete},
           {"items", std::move(items)}};
  if (p.endpoint.standby)
    out["preserved"] = disaster::preserved_json(*p.endpoint.standby);  // the copy's date
  co_return out;
}

http::Response fault(const hl7v3::SoapFault& f, const hl7v3::Addressing& a) {
  return http::Response::text(hl7v3::fault_http_status(f),
                              hl7v3::write_fault(f, a, "urn:uuid:" + random_uuid()),
                              hl7v3::soap_content_type(kFaultAction));
}

net::awaitable<http::Response> handle(XcaServices& sv, http::Request& req) {
  const PeerCommunity* peer = peer_of(sv.xcpd, req);
  if (!peer || sv.xcpd.home_community_id.empty()) {
    // Default deny: a certificate of this network's own nodes, or of nobody configured.
    http::Response r =
        fault(hl7v3::SoapFault(hl7v3::FaultCode::kSender,
                               "this certificate is not a configured peer community"),
              {});
    r.status = 403;
    co_return r;
  }
  std::string content_type = req.header("Content-Type").value_or("");
  std::string_view body = req.body;
  std::optional<xds::MtomMessage> mtom;
  hl7v3::Envelope env;
  try {
    try {
      mtom = xds::parse_mtom(req.body, content_type);
    } catch (const xds::MtomError& e) {
      throw hl7v3::SoapFault(hl7v3::FaultCode::kSender, e.what());
    }
    if (mtom) {
      content_type = mtom->soap_content_type;
      body = mtom->envelope;
    }
    env = hl7v3::parse_envelope(body, content_type);
  } catch (const hl7v3::SoapFault& f) {
    co_return fault(f, {});
  }
  const std::string action = env.addressing.action;
  if (action != kQueryAction && action != kRetrieveAction) {
    co_return fault(hl7v3::SoapFault(hl7v3::FaultCode::kSender,
                                     "the action " + action + " is not served at /xca/v3",
                                     "wsa:ActionNotSupported"),
                    env.addressing);
  }
  try {
    if (action == kQueryAction) {
      QueryAnswer a;
      try {
        const xds::StoredQuery q = xds::parse_adhoc_query(env.payload);
        a = co_await offload(sv.workers,
                             [&] { return answer_query(sv, *peer, q, req.request_id); });
      } catch (const xds::RequestError& e) {
        a.errors.push_back(e.error());
      }
      const auto reply = hl7v3::reply_addressing(env.addressing, kQueryResponseAction,
                                                 "urn:uuid:" + random_uuid());
      co_return http::Response::text(
          200,
          hl7v3::write_envelope(reply,
                                [&](xml::Writer& w) {
                                  xds::write_query_response(w, a.entries, a.errors, a.leaf_class);
                                }),
          hl7v3::soap_content_type(kQueryResponseAction));
    }
    std::vector<xds::RegistryError> errors;
    std::vector<xds::RetrievedDocument> documents;
    std::vector<xds::MimePart> parts;
    try {
      const auto requests = xds::parse_retrieve_request(env.payload);
      auto plans = co_await offload(
          sv.workers, [&] { return plan_retrieve(sv, *peer, requests, req.request_id); });
      std::vector<audit::AuditEvent> failures;
      for (const auto& p : plans) {
        if (p.error) {
          errors.push_back(*p.error);
          continue;
        }
        auto doc = co_await fetch_document(sv, *peer, p, req.request_id);
        if (!doc) {
          errors.push_back({"XDSRepositoryError",
                            "the facility's gateway did not answer; retry later",
                            p.request.document_unique_id});
          audit::AuditEvent e = community_event(*peer, audit::EventType::kView, req.request_id);
          e.outcome = audit::Outcome::kFailure;
          e.person_id = std::to_string(p.key->person);
          e.category = p.key->category;
          e.source_facility = p.key->facility_oid;
          e.patient_authority = p.allowed->authority;
          e.patient_local_id = p.allowed->local_id;
          e.reason = "gateway_unavailable";
          e.detail = "ITI-39";
          if (p.endpoint.standby)  // the standby did not answer, not the facility's own gateway
            e.detail += " " + disaster::preserved_detail(*p.endpoint.standby);
          failures.push_back(std::move(e));
          continue;
        }
        const std::string cid =
            std::to_string(parts.size() + 1) + "." + random_uuid() + "@hareyaka";
        parts.push_back({cid, "application/json", doc->dump()});
        documents.push_back({p.request,
                             p.request.document_unique_id + "." + std::to_string(unix_now()), "",
                             "application/json", cid});
      }
      if (!failures.empty())
        co_await offload(sv.workers, [&] {
          sv.audit.append_all(failures, std::chrono::system_clock::now());
          return 0;
        });
    } catch (const xds::RequestError& e) {
      errors.push_back(e.error());
    }
    const auto reply = hl7v3::reply_addressing(env.addressing, kRetrieveResponseAction,
                                               "urn:uuid:" + random_uuid());
    const std::string envelope = hl7v3::write_envelope(
        reply, [&](xml::Writer& w) { xds::write_retrieve_response(w, documents, errors); });
    auto out = xds::write_mtom(envelope, kRetrieveResponseAction, parts, random_uuid());
    co_return http::Response::text(200, std::move(out.body), out.content_type);
  } catch (const std::exception&) {
    // The audit record or the database failed: nothing is disclosed without its record.
    log::error("cross-community request not answered", {.component = "xca", .peer = peer->name});
    co_return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver,
                                     "the responding gateway could not answer; retry later"),
                    env.addressing);
  }
}

}  // namespace

const PeerCommunity* peer_of(const XcpdConfig& xcpd, const http::Request& req) {
  const std::string fingerprint = req.peer ? req.peer->sha256_fingerprint : "";
  if (fingerprint.empty())
    return nullptr;
  for (const PeerCommunity& p : xcpd.peers) {
    if (p.sha256 == fingerprint)
      return &p;
  }
  return nullptr;
}

void add_xca_routes(http::Router& nodes, XcaServices& sv) {
  nodes.add("POST", "/xca/v3",
            [&sv](http::Request& req) -> net::awaitable<http::Response> {
              co_return co_await handle(sv, req);
            },
            {.body_limit = kSoapBodyLimit,
             .summary = "IHE XCA: ITI-38 Cross Gateway Query, ITI-39 Cross Gateway Retrieve "
                        "(responding gateway)"});
}

}  // namespace hareyaka::portal
