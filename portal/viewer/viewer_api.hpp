// The viewer API for the web UI (/api/v1/persons...): search persons, a person's summary,
// each category across facilities, documents streamed. For each request the person's
// identities are resolved (PIX), decide() is asked for each source facility and category
// and its answer audited, and the owning gateways are called in parallel with a signed
// access assertion and a deadline; facilities that do not answer are named in "missing".
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/assertion.hpp"
#include "common/http_client.hpp"
#include "common/router.hpp"
#include "consent/decision.hpp"
#include "portal/disaster/declarations.hpp"
#include "portal/locators/locator_store.hpp"
#include "portal/viewer/person_directory.hpp"
#include "portal/web_session.hpp"

namespace boost::asio {
class thread_pool;
}

namespace hareyaka::portal {

struct ViewerServices {
  WebServices& web;
  PersonDirectory& persons;
  consent::Decider& decider;
  const AssertionSigner& signer;
  http::HttpClient& gateways;
  boost::asio::thread_pool& workers;
  std::chrono::milliseconds gateway_deadline{3000};
  std::chrono::seconds assertion_lifetime{60};
  // Locator entries: the summary's per-facility categories, date ranges and counts, and
  // gateway calls skipped where a facility holds nothing. nullptr: every gateway is asked.
  LocatorStore* locators = nullptr;
  // The caller of a request with a bearer token (the FHIR API's SMART tokens, set by
  // portal/fhir) on the imaging routes, whose addresses are the ImagingStudy's WADO-RS
  // Endpoint: throws like require_caller. Unset: the web session only.
  std::function<Caller(const http::Request&)> bearer_caller;
  // The disaster declarations in force (portal/disaster): a facility named there is fetched
  // from its standby gateway, each answer labelled "preserved". Unset: none.
  std::function<disaster::StandbyMap(hpd::TimePoint)> standbys;
};

// Where each facility's records are fetched from at `now` (disaster::endpoint_of over the
// declarations in force).
disaster::StandbyMap standbys_at(const ViewerServices& sv, hpd::TimePoint now);

void add_viewer_routes(http::Router& web, ViewerServices& services);

// One page of a category across the person's facilities, decided and audited as the web UI's
// GET /api/v1/persons/{person_id}/{category} (the same request parameters: person_id, from,
// to, page_size, cursor), for another API over the same data (the FHIR API). Throws Error
// kNotFound (no such person for this user) or kForbidden (no source may show it).
struct CategoryPage {
  nlohmann::json items;    // newest first, each with facility_oid and facility_name
  nlohmann::json missing;  // [{facility_oid, facility_name, reason}]
  std::string next_cursor;
};
boost::asio::awaitable<CategoryPage> fetch_category(ViewerServices& sv, const Caller& caller,
                                                    const http::Request& req,
                                                    const std::string& category);

// One document of the person at one facility, streamed from its gateway as the web UI's
// GET /api/v1/persons/{person_id}/documents/{facility_oid}/{document_id} (req carries
// person_id): decided and audited as the documents category. Throws Error kNotFound.
boost::asio::awaitable<http::Response> fetch_document(ViewerServices& sv, const Caller& caller,
                                                      const http::Request& req,
                                                      const std::string& facility_oid,
                                                      const std::string& document_id);

}  // namespace hareyaka::portal
