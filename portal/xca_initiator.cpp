#include "portal/xca_initiator.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/uuid.hpp"
#include "consent/policy_store.hpp"
#include "hpd/time.hpp"
#include "portal/viewer/categories.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xds/ebrs.hpp"
#include "proto/xds/mtom.hpp"
#include "proto/xml/writer.hpp"

namespace hareyaka::portal {
namespace {

using nlohmann::json;

constexpr std::string_view kQuery = "urn:ihe:iti:2007:CrossGatewayQuery";
constexpr std::string_view kRetrieve = "urn:ihe:iti:2007:CrossGatewayRetrieve";

// Values in stored query syntax: 'text' with quotes doubled.
std::string sq_quoted(std::string_view v) {
  std::string out = "'";
  for (char c : v)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void query_slot(xml::Writer& w, std::string_view name, const std::string& value) {
  w.start("Slot", "rim").attr("name", name).start("ValueList", "rim");
  w.element("Value", value, "rim");
  w.end().end();
}

std::string facility_of_author(const std::string& xon) {
  return xon.substr(0, xon.find('^'));
}

}  // namespace

struct XcaInitiator::Peer {
  PeerCommunity config;
  std::unique_ptr<http::BlockingHttpClient> client;
};

XcaInitiator::XcaInitiator(const XcpdConfig& config, const tls::ClientSettings& client_tls)
    : config_(config) {
  if (config.home_community_id.empty())
    return;
  for (const PeerCommunity& p : config.peers) {
    if (p.xca_url.empty())
      continue;
    http::ClientSettings s{.tls = client_tls};
    if (!p.ca_file.empty())
      s.tls.ca_file = p.ca_file;
    s.body_limit = 32 * 1024 * 1024;
    peers_.push_back(
        std::make_unique<Peer>(Peer{p, std::make_unique<http::BlockingHttpClient>(s)}));
  }
}

XcaInitiator::~XcaInitiator() = default;

const PeerCommunity* XcaInitiator::peer(const std::string& home_community_id) const {
  for (const auto& p : peers_) {
    if (p->config.home_community_id == home_community_id)
      return &p->config;
  }
  return nullptr;
}

PeerRecords XcaInitiator::category(const PeerCommunity& wanted, const std::string& patient_id,
                                   const std::string& category) {
  PeerRecords out{
      .name = wanted.name, .home_community_id = wanted.home_community_id, .status = "unavailable"};
  const Peer* peer = nullptr;
  for (const auto& p : peers_) {
    if (p->config.home_community_id == wanted.home_community_id)
      peer = p.get();
  }
  const auto caret = patient_id.find('^');
  if (!peer || caret == std::string::npos)
    return out;
  const xds::PatientId pid{patient_id.substr(caret + 1), patient_id.substr(0, caret)};
  const std::string home = "urn:oid:" + wanted.home_community_id;
  // One deadline for the query and the retrieve together: a slow peer costs the page at most
  // xcpd.deadline_ms beyond its discovery, never twice that.
  const auto until = std::chrono::steady_clock::now() + config_.deadline;
  auto post = [&](std::string_view action, const std::function<void(xml::Writer&)>& payload) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0))
      throw std::runtime_error("the deadline for the peer has passed");
    hl7v3::Addressing a;
    a.action = std::string(action);
    a.message_id = "urn:uuid:" + random_uuid();
    a.to = peer->config.xca_url;
    a.reply_to = std::string(hl7v3::kWsaAnonymous);
    http::ClientRequest req{.method = "POST",
                            .url = peer->config.xca_url,
                            .body = hl7v3::write_envelope(a, payload),
                            .timeout = left};
    req.headers["Content-Type"] = hl7v3::soap_content_type(action);
    return peer->client->request(std::move(req));
  };
  try {
    // ITI-38: the patient's entries, Stable and On-Demand.
    const auto found = post(kQuery, [&](xml::Writer& w) {
      w.start_ns("query", "AdhocQueryRequest", xds::kQueryNs).declare("rim", xds::kRimNs);
      w.start("ResponseOption", "query")
          .attr("returnComposedObjects", "true")
          .attr("returnType", "LeafClass")
          .end();
      w.start("AdhocQuery", "rim").attr("id", xds::kFindDocuments).attr("home", home);
      query_slot(w, "$XDSDocumentEntryPatientId", sq_quoted(xds::format_patient_id(pid)));
      query_slot(w, "$XDSDocumentEntryStatus", "(" + sq_quoted(xds::kApproved) + ")");
      query_slot(w, "$XDSDocumentEntryType",
                 "(" + sq_quoted(xds::kStableEntry) + "," + sq_quoted(xds::kOnDemandEntry) + ")");
      w.end().end();
    });
    if (found.status != 200) {
      log::warn("XCA peer answered an error to ITI-38", {.component = "xca", .peer = wanted.name});
      return out;
    }
    auto ct = found.headers.find("Content-Type");
    const auto env = hl7v3::parse_envelope(
        found.body, ct == found.headers.end() ? "application/soap+xml" : ct->second);
    const auto q = xds::parse_query_response(env.payload);
    for (const auto& e : q.errors)
      out.errors.push_back(e.code);
    if (q.status == xds::kFailure) {
      const bool unknown = !q.errors.empty() && q.errors.front().code == "XDSUnknownPatientId";
      out.status = unknown ? "not_found" : "refused";
      return out;
    }
    // The entries of this category (a Hareyaka peer's class codes; other documents are not
    // items of a category view).
    std::vector<const xds::DocumentEntry*> wanted_entries;
    for (const auto& e : q.entries) {
      if (e.class_code.code == category && !e.repository_unique_id.empty() && !e.unique_id.empty())
        wanted_entries.push_back(&e);
    }
    out.status = "ok";
    if (wanted_entries.empty())
      return out;
    // ITI-39: those documents, in one request.
    const auto got = post(kRetrieve, [&](xml::Writer& w) {
      w.start_ns("", "RetrieveDocumentSetRequest", xds::kXdsbNs);
      for (const auto* e : wanted_entries) {
        w.start("DocumentRequest");
        w.element("HomeCommunityId", e->home_community_id.empty() ? home : e->home_community_id);
        w.element("RepositoryUniqueId", e->repository_unique_id);
        w.element("DocumentUniqueId", e->unique_id);
        w.end();
      }
      w.end();
    });
    if (got.status != 200) {
      out.status = "unavailable";
      return out;
    }
    ct = got.headers.find("Content-Type");
    const std::string content_type = ct == got.headers.end() ? "" : ct->second;
    auto mtom = xds::parse_mtom(got.body, content_type);
    if (!mtom)
      throw xds::MtomError("the ITI-39 response is not MTOM/XOP");
    const auto renv = hl7v3::parse_envelope(mtom->envelope, mtom->soap_content_type);
    const auto r = xds::parse_retrieve_response(renv.payload);
    for (const auto& e : r.errors)
      out.errors.push_back(e.code);
    for (const auto& d : r.documents) {
      const auto* part = mtom->find(d.content_id);
      if (!part || d.mime_type != "application/json")
        continue;
      json doc = json::parse(part->body, nullptr, false);
      if (!doc.is_object() || !doc.contains("items") || !doc["items"].is_array())
        continue;
      std::string facility_name = doc.value("facility_name", "");
      for (const auto* e : wanted_entries) {
        if (facility_name.empty() && e->unique_id == d.request.document_unique_id)
          facility_name = facility_of_author(e->author_institution);
      }
      for (auto& item : doc["items"]) {
        if (!item.is_object())
          continue;
        item["facility_oid"] = d.request.repository_unique_id;
        item["facility_name"] = facility_name;
        item["community"] = wanted.name;
        item["home_community_id"] = wanted.home_community_id;
        out.items.push_back(std::move(item));
      }
    }
    if (r.status == xds::kFailure && out.items.empty())
      out.status = "refused";
  } catch (const std::exception&) {
    log::warn("XCA peer unavailable", {.component = "xca", .peer = wanted.name});
    out.status = "unavailable";
  }
  return out;
}

void add_xca_records_route(http::Router& web, ViewerServices& sv, XcpdInitiator& xcpd,
                           XcaInitiator& xca, pg::Pool& pool) {
  web.add_blocking(
      "GET", "/api/v1/persons/{person_id}/communities/{community}/{category}",
      [&sv, &xcpd, &xca, &pool](http::Request& req) {
        Caller c = require_caller(sv.web, req);
        const std::string& category = req.param("category");
        const auto& cats = portal_categories();
        auto cat = cats.find(category);
        if (cat == cats.end())
          throw Error(ErrorCode::kNotFound, "no such category");
        const PeerCommunity* peer = xca.peer(req.param("community"));
        if (!peer)
          throw Error(ErrorCode::kNotFound, "no such peer community");
        const auto now = hpd::Clock::now();
        auto person = sv.persons.visible_person(c.user.facility_oid, person_id_of(req), now);
        if (!person)
          throw Error(ErrorCode::kNotFound, "no such person at this facility");
        // This network's role policy first: what the user may not see here, we do not ask for.
        consent::PgPolicyStore policy(pool);
        if (!policy.allowed(c.user.profession, c.facility.kind, cat->second.first))
          throw Error(ErrorCode::kForbidden, "your role may not see this category");
        const auto answers =
            sv.decider.decide_many(user_context(c), demographics_queries(*person), now);
        const PersonView shown = shown_part(*person, answers.data());
        if (shown.identities.empty())
          throw Error(ErrorCode::kNotFound, "no such person at this facility");
        // The peer community is the source: the statistics count this as a view out of the
        // network (portal/stats/sql/0003_communities.sql).
        auto event = [&](const std::string& reason, const PeerCommunity& p,
                         const std::string& detail) {
          audit::AuditEvent e{.type = audit::EventType::kView,
                              .actor_user = c.user.login_id,
                              .actor_profession = std::string(hpd::to_string(c.user.profession)),
                              .actor_facility = c.user.facility_oid,
                              .person_id = std::to_string(shown.person_id),
                              .source_facility = p.home_community_id,
                              .category = category,
                              .reason = reason,
                              .detail = detail,
                              .request_id = req.request_id};
          sv.web.audit.append(e, hpd::Clock::now());
        };
        const auto found = xcpd.discover(shown, [&](const PeerCommunity& p) {
          event("cross_community_discovery", p,
                "ITI-55 to " + p.name + " (" + p.home_community_id + ")");
        });
        PeerRecords records{.name = peer->name,
                            .home_community_id = peer->home_community_id,
                            .status = "not_found"};
        for (const auto& d : found) {
          if (d.home_community_id != peer->home_community_id)
            continue;
          if (d.status == "found") {
            event("cross_community_view", *peer,
                  "ITI-38/39 to " + peer->name + " (" + peer->home_community_id + ")");
            records = xca.category(*peer, d.patient_id, category);
          } else {
            records.status = d.status == "unavailable" ? "unavailable" : "not_found";
          }
        }
        json out{{"community",
                  {{"name", records.name},
                   {"home_community_id", records.home_community_id},
                   {"status", records.status}}},
                 {"items", std::move(records.items)},
                 {"errors", records.errors}};
        return http::Response::json(200, out.dump());
      },
      {.body_limit = 0, .summary = "a category's records held in a peer network (IHE XCPD + XCA)"});
}

}  // namespace hareyaka::portal
