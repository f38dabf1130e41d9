// Every route the portal and the gateway register, against who may call it (issue #15: "a new
// route without a matrix entry fails the test"). Each (listener, method, pattern) of the
// daemons' route tables (their ports files) has an access class below; each class has its
// cells, checked through the real HTTP API of the TrustNetwork (a real portal, a real
// gateway, the generated access matrix of trust_matrix_setup): nobody without credentials
// gets past a non-public route, a clinician never reaches the console, a viewer route shows
// a person only to a facility whose consent and role policy allow it (the fine-grained cells,
// profession x facility kind x category x consent state, are trust_matrix_test's), node routes
// answer only the certificates they are for, and the gateway's data answers only a
// portal-signed assertion.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "common/error.hpp"
#include "common/http_client.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::kPassword;
using testing::matrix;
using testing::net;
using testing::State;

enum class Access {
  kPublic,         // anyone who reaches the listener: health, this API's shape, the UI's files,
                   // the two logins
  kSession,        // a logged-in user of any role: the session itself
  kViewer,         // a person's records: only where consent and the role policy allow
  kAdmin,          // the secretariat's administrators only
  kGatewayNode,    // a registered facility's gateway certificate only
  kNodeScoped,     // every network certificate, each answered within its scope (PIX/PDQ, HPD)
  kNodeReaders,    // only the listed certificates (metrics, a gateway's status)
  kPeerCommunity,  // only a configured peer network's certificate (XCPD, XCA); none of this
                   // network's
  kAssertion,      // the gateway's data: a portal-signed access assertion, bound to the portal
  kBearer,         // the FHIR API: a SMART bearer token; a session cookie alone is nothing
  kOAuth,          // the SMART authorization endpoints: OAuth errors until a registered app
                   // asks, never data
  kCareTeam,       // a person's care team: its active members only (care_team_test has the
                   // members, the removed, the withdrawn consent and the read-only reader)
  kDataManager,    // a facility data manager's uploads to its own facility's gateway only
                   // (upload_http_test has the forwarding)
};

using Key = std::tuple<std::string, std::string, std::string>;  // listener, method, pattern

// The matrix entries. Admin routes are matched by prefix below; everything else is listed.
const std::map<Key, Access>& portal_entries() {
  static const std::map<Key, Access> m = [] {
    std::map<Key, Access> e;
    for (const char* l : {"web", "nodes"}) {
      e[{l, "GET", "/healthz"}] = Access::kPublic;
      e[{l, "GET", "/readyz"}] = Access::kPublic;
      e[{l, "GET", "/openapi.json"}] = Access::kPublic;
    }
    for (const char* p : {"/", "/{file}", "/pages/{file}", "/vendor/{file}"})
      e[{"web", "GET", p}] = Access::kPublic;
    e[{"web", "POST", "/api/v1/session"}] = Access::kPublic;
    e[{"web", "POST", "/api/v1/session/hpki"}] = Access::kPublic;
    e[{"web", "GET", "/api/v1/session"}] = Access::kSession;
    e[{"web", "DELETE", "/api/v1/session"}] = Access::kSession;
    e[{"web", "GET", "/api/v1/persons"}] = Access::kViewer;
    // Hosted disclosure (#17): the facility data manager's SS-MIX2 upload.
    e[{"web", "POST", "/api/v1/uploads/ssmix2"}] = Access::kDataManager;
    e[{"web", "POST", "/api/v1/uploads/jahis"}] = Access::kDataManager;
    e[{"web", "GET", "/api/v1/uploads/patients"}] = Access::kDataManager;
    e[{"web", "GET", "/api/v1/uploads/patients/{id}"}] = Access::kDataManager;
    e[{"web", "POST", "/api/v1/uploads/withdraw"}] = Access::kDataManager;
    e[{"web", "POST", "/api/v1/uploads/fhir"}] = Access::kDataManager;
    e[{"web", "POST", "/api/v1/uploads/patients"}] = Access::kDataManager;
    e[{"web", "POST", "/api/v1/uploads/documents"}] = Access::kDataManager;
    // The HPD feed's rejected changes: console routes (session + CSRF), like every
    // /api/v1/admin/connected-systems route.
    e[{"web", "GET", "/api/v1/admin/connected-systems/{id}/rejected"}] = Access::kAdmin;
    e[{"web", "POST", "/api/v1/admin/connected-systems/{id}/rejected/{rejected_id}/requeue"}] =
        Access::kAdmin;
    e[{"web", "DELETE", "/api/v1/admin/connected-systems/{id}/rejected/{rejected_id}"}] =
        Access::kAdmin;
    // Disaster declarations (#20): the secretariat's console.
    e[{"web", "GET", "/api/v1/admin/disaster-declarations"}] = Access::kAdmin;
    e[{"web", "POST", "/api/v1/admin/disaster-declarations"}] = Access::kAdmin;
    e[{"web", "POST", "/api/v1/admin/disaster-declarations/{id}/end"}] = Access::kAdmin;
    e[{"nodes", "GET", "/metrics"}] = Access::kNodeReaders;
    e[{"nodes", "GET", "/api/gw/v1/directory"}] = Access::kGatewayNode;
    e[{"nodes", "PUT", "/api/gw/v1/locators/{patient_id}"}] = Access::kGatewayNode;
    e[{"nodes", "DELETE", "/api/gw/v1/locators/{patient_id}"}] = Access::kGatewayNode;
    e[{"nodes", "GET", "/api/gw/v1/locators"}] = Access::kGatewayNode;
    e[{"nodes", "GET", "/api/gw/v1/consented-patients"}] = Access::kGatewayNode;
    e[{"nodes", "POST", "/pix/v3"}] = Access::kNodeScoped;
    e[{"nodes", "POST", "/pdq/v3"}] = Access::kNodeScoped;
    e[{"nodes", "POST", "/hpd"}] = Access::kNodeScoped;
    e[{"nodes", "POST", "/xcpd/v3"}] = Access::kPeerCommunity;
    e[{"nodes", "POST", "/xca/v3"}] = Access::kPeerCommunity;
    e[{"web", "GET", "/fhir/metadata"}] = Access::kPublic;
    e[{"web", "GET", "/fhir/.well-known/smart-configuration"}] = Access::kPublic;
    e[{"web", "GET", "/fhir/auth/authorize"}] = Access::kOAuth;
    e[{"web", "POST", "/fhir/auth/token"}] = Access::kOAuth;
    e[{"web", "POST", "/fhir/auth/launch"}] = Access::kOAuth;
    for (const char* p :
         {"/fhir/Patient", "/fhir/Patient/{id}", "/fhir/Patient/$ihe-pix", "/fhir/Binary/{id}"})
      e[{"web", "GET", p}] = Access::kBearer;
    for (const std::string t :
         {"AllergyIntolerance", "Condition", "DiagnosticReport", "DocumentReference", "Encounter",
          "ImagingStudy", "MedicationRequest", "Observation"}) {
      for (const std::string& p : {"/fhir/" + t, "/fhir/" + t + "/{id}"})
        e[{"web", "GET", p}] = Access::kBearer;
    }
    return e;
  }();
  return m;
}

std::optional<Access> portal_access(const std::string& listener, const std::string& method,
                                    const std::string& pattern) {
  if (auto it = portal_entries().find({listener, method, pattern}); it != portal_entries().end())
    return it->second;
  if (listener == "web" && pattern.rfind("/api/v1/admin/", 0) == 0)
    return Access::kAdmin;
  if (listener == "web" && pattern.rfind("/api/v1/persons/{person_id}/care-team", 0) == 0)
    return Access::kCareTeam;
  // A person's summary, categories, documents and images.
  if (listener == "web" && method == "GET" && pattern.rfind("/api/v1/persons/{person_id}", 0) == 0)
    return Access::kViewer;
  return std::nullopt;
}

std::optional<Access> gateway_access(const std::string& method, const std::string& pattern) {
  if (pattern == "/healthz" || pattern == "/readyz" || pattern == "/openapi.json")
    return Access::kPublic;
  if (pattern == "/metrics" || pattern == "/gw/v1/stats" || pattern == "/gw/v1/problems" ||
      pattern == "/gw/v1/publish/status")
    return Access::kNodeReaders;
  if (method == "GET" && (pattern.rfind("/gw/v1/patients/", 0) == 0 ||
                          pattern.rfind("/gw/v1/dicomweb/", 0) == 0 || pattern == "/gw/v1/wado"))
    return Access::kAssertion;
  return std::nullopt;
}

// A concrete path for a pattern: the matrix's person, the hospital, ids that parse.
std::string instantiate(std::string pattern) {
  const auto& m = matrix();
  const std::map<std::string, std::string> values = {{"{person_id}", m.person_id},
                                                     {"{facility_oid}", testing::kHospitalOid},
                                                     {"{document_id}", "no-such-document"},
                                                     {"{document}", "no-such-document"},
                                                     {"{study}", "1.2.392.200284.99.1"},
                                                     {"{series}", "1.2.392.200284.99.2"},
                                                     {"{sop}", "1.2.392.200284.99.3"},
                                                     {"{frames}", "1"},
                                                     {"{frame}", "1"},
                                                     {"{category}", "encounters"},
                                                     {"{community}", "1.2.392.200300.9001"},
                                                     {"{file}", "app.js"},
                                                     {"{oid}", testing::kHospitalOid},
                                                     {"{login_id}", testing::kAdminLogin},
                                                     {"{id}", m.local_id},
                                                     {"{patient_id}", m.local_id},
                                                     {"{rejected_id}", "1"},
                                                     {"{member_id}", "1"},
                                                     {"{post_id}", "1"},
                                                     {"{attachment_id}", "1"},
                                                     {"{client_id}", "no-such-app"}};
  for (const auto& [k, v] : values) {
    for (auto at = pattern.find(k); at != std::string::npos; at = pattern.find(k))
      pattern.replace(at, k.size(), v);
  }
  if (pattern == "/vendor/app.js")
    pattern = "/vendor/uqr.js";
  if (pattern == "/pages/app.js")
    pattern = "/pages/login.js";
  return pattern;
}

http::BlockingHttpClient& node(const std::string& cert) {
  static std::map<std::string, std::unique_ptr<http::BlockingHttpClient>> clients;
  auto& c = clients[cert];
  if (!c) {
    http::ClientSettings s;
    s.tls = {.ca_file = testing::dev_pki().ca(),
             .cert_file = testing::dev_pki().cert(cert),
             .key_file = testing::dev_pki().key(cert)};
    c = std::make_unique<http::BlockingHttpClient>(s);
  }
  return *c;
}

const Browser& logged_in(Browser& b, hpd::Profession p, hpd::FacilityKind k, State s) {
  for (const auto& u : matrix().users) {
    if (u.profession == p && u.kind == k && u.state == s) {
      auto r = b.login(u.login, kPassword, matrix().secret);
      EXPECT_EQ(r.status, 200) << u.login << ": " << r.body;
      return b;
    }
  }
  ADD_FAILURE() << "no such user in the matrix";
  return b;
}

// What a data manager's route is sent in the matrix: a well-formed body of its type (an empty
// zip, a pharmacy's お薬手帳 file, a withdrawal), or none for a GET.
struct DataManagerProbe {
  std::string target;
  std::optional<std::string> body;
  std::string type;
};

DataManagerProbe data_manager_probe(const std::string& method, const std::string& path) {
  if (method == "GET")
    return {path, std::nullopt, ""};
  if (path.find("/jahis") != std::string::npos)
    return {path + "?patient_id=1000001", std::string("JAHISTC08,1\n"), "text/csv"};
  if (path.find("/fhir") != std::string::npos)
    return {path + "?patient_id=1000001", std::string(R"({"resourceType":"Patient"})"),
            "application/fhir+json"};
  if (path.ends_with("/uploads/patients"))  // the web form's registration, with consent
    return {path,
            nlohmann::json{{"patient_id", "1000001"},
                           {"family", "晴山"},
                           {"consent_obtained", true},
                           {"consent_document_ref", "C-1"},
                           {"consent_date", "2026-01-05"}}
                .dump(),
            "application/json"};
  if (path.ends_with("/uploads/documents"))
    return {path + "?patient_id=1000001&title=t&category=other&date=2026-01-05",
            std::string("%PDF-1.4\n%%EOF\n"), "application/pdf"};
  if (path.find("/withdraw") != std::string::npos)
    return {path, std::string(R"({"patient_id":"1000001","path":"x","reason":"r"})"),
            "application/json"};
  return {path, "PK\x05\x06" + std::string(18, '\0'), "application/zip"};
}

bool discloses(const http::ClientResponse& r) {
  return r.body.find(matrix().family_kanji) != std::string::npos ||
         r.body.find("\"" + matrix().person_id + "\"") != std::string::npos;
}

TEST(RouteMatrix, EveryPortalRouteHasAnEntryAndHoldsItsCells) {
  auto& n = net();
  const int port = n.portal->port("web");
  Browser anonymous(port);
  Browser unconsented(port), consented(port), data_manager(port);
  logged_in(unconsented, hpd::Profession::kDoctor, hpd::FacilityKind::kClinic, State::kNone);
  logged_in(consented, hpd::Profession::kDoctor, hpd::FacilityKind::kClinic, State::kGiven);
  // At a viewing clinic with no gateway: its uploads have nowhere to go.
  logged_in(data_manager, hpd::Profession::kDataManager, hpd::FacilityKind::kClinic, State::kGiven);
  Browser& admin = *n.admin;
  std::set<Access> seen;
  int routes = 0;
  for (const auto& [listener, table] : n.portal->routes().items()) {
    for (const auto& r : table) {
      const std::string method = r[0], pattern = r[1];
      const std::string where = listener + " " + method + " " + pattern;
      const auto access = portal_access(listener, method, pattern);
      ASSERT_TRUE(access) << where << ": a route without a matrix entry (add it above)";
      seen.insert(*access);
      ++routes;
      const std::string path = instantiate(pattern);
      if (listener == "web") {
        const auto a = anonymous.call(method, path);
        switch (*access) {
          case Access::kPublic:
            // (A login without credentials is a failed login, 400/401, not "please log in".)
            EXPECT_EQ(a.body.find("please log in"), std::string::npos) << where << " " << a.body;
            EXPECT_NE(a.status, 403) << where << " " << a.body;
            if (method == "GET")
              EXPECT_EQ(a.status, 200) << where;
            break;
          case Access::kSession:
            EXPECT_EQ(a.status, 401) << where;
            if (method == "GET")
              EXPECT_EQ(consented.call(method, path).status, 200) << where;
            break;
          case Access::kAdmin: {
            EXPECT_EQ(a.status, 401) << where;
            const auto c = consented.call(method, path);
            EXPECT_EQ(c.status, 403) << where << " as a doctor: " << c.body;
            if (method != "GET") {
              // The console itself: a state-changing call without the CSRF token is refused.
              EXPECT_EQ(admin.call(method, path, nullptr, false).status, 403) << where;
            }
            break;
          }
          case Access::kViewer: {
            EXPECT_EQ(a.status, 401) << where;
            EXPECT_FALSE(discloses(a)) << where;
            // A facility without the patient's consent, and the secretariat (whose policy
            // shows no records), learn nothing of the person: not even that it exists.
            for (Browser* b : {&unconsented, &admin}) {
              const auto r = b->call("GET", path);
              EXPECT_FALSE(discloses(r))
                  << where << ": " << r.status << " " << r.body.substr(0, 300);
              if (pattern != "/api/v1/persons")
                EXPECT_TRUE(r.status == 403 || r.status == 404) << where << ": " << r.status;
            }
            if (pattern == "/api/v1/persons" || pattern == "/api/v1/persons/{person_id}") {
              const auto r = consented.call("GET", path);
              EXPECT_EQ(r.status, 200) << where << " " << r.body;
              EXPECT_TRUE(discloses(r)) << where << ": the consented doctor sees the person";
            }
            break;
          }
          case Access::kCareTeam: {
            EXPECT_EQ(a.status, 401) << where;
            EXPECT_FALSE(discloses(a)) << where;
            // A doctor whose facility may see the person in the viewer, but no member of a
            // care team, and the secretariat: refused, learning nothing.
            for (Browser* b : {&consented, &admin}) {
              const auto r = b->call(method, path);
              EXPECT_FALSE(discloses(r))
                  << where << ": " << r.status << " " << r.body.substr(0, 300);
              if (method == "GET")
                EXPECT_EQ(r.status, 403) << where << ": " << r.body;
              else
                EXPECT_TRUE(r.status >= 400 && r.status < 500) << where << ": " << r.status;
              if (method != "GET")
                EXPECT_EQ(b->call(method, path, nullptr, false).status, 403) << where;
            }
            break;
          }
          case Access::kDataManager: {
            EXPECT_EQ(a.status, 401) << where;
            const DataManagerProbe p = data_manager_probe(method, path);
            // A clinician and the secretariat are refused whatever they send; the console's
            // session without the CSRF token too.
            for (Browser* b : {&consented, &admin}) {
              const auto r =
                  p.body ? b->send(method, p.target, *p.body, p.type) : b->call(method, p.target);
              EXPECT_EQ(r.status, 403) << where << ": " << r.body;
            }
            if (method != "GET")
              EXPECT_EQ(data_manager.call(method, p.target, nullptr, false).status, 403) << where;
            // The data manager itself: its facility has no gateway_url (409), and a body
            // of another type is refused before anything is forwarded.
            const auto r = p.body ? data_manager.send(method, p.target, *p.body, p.type)
                                  : data_manager.call(method, p.target);
            EXPECT_EQ(r.status, 409) << where << ": " << r.body;
            if (p.body) {
              EXPECT_EQ(data_manager.send(method, p.target, "<x/>", "application/xml").status, 415)
                  << where;
            }
            EXPECT_FALSE(discloses(r)) << where;
            break;
          }
          case Access::kBearer:
            // Neither nobody nor a logged-in browser: only an app's token (fhir_test).
            for (Browser* b : {&anonymous, &consented}) {
              const auto r = b->call(method, path);
              EXPECT_EQ(r.status, 401) << where;
              EXPECT_FALSE(discloses(r)) << where;
            }
            break;
          case Access::kOAuth:
            for (Browser* b : {&anonymous, &consented}) {
              const auto r = b->call(method, path);
              EXPECT_TRUE(r.status >= 400 && r.status < 500) << where << ": " << r.status;
              EXPECT_FALSE(discloses(r)) << where;
            }
            break;
          default:
            ADD_FAILURE() << where << ": a node access class on the web listener";
        }
      } else {
        const std::string url = n.portal->url("nodes", path);
        const std::string body = method == "GET" || method == "DELETE" ? "" : "{}";
        auto as = [&](const std::string& cert) {
          return node(cert).request({.method = method, .url = url, .body = body});
        };
        switch (*access) {
          case Access::kPublic:
            EXPECT_EQ(as("client").status, 200) << where;
            break;
          case Access::kGatewayNode:
            // The portal's own certificate and an operator's are network certificates, but
            // no facility's gateway.
            EXPECT_EQ(as("portal").status, 403) << where;
            EXPECT_EQ(as("client").status, 403) << where;
            EXPECT_NE(as("gateway-a").status, 403) << where;
            break;
          case Access::kNodeReaders:
            EXPECT_EQ(as("gateway-a").status, 403) << where;
            EXPECT_EQ(as("client").status, 200) << where;
            break;
          case Access::kNodeScoped:
            // Not JSON but SOAP: a body that is none is a SOAP fault, never a disclosure (the
            // scopes themselves: pix_http_test, hpd_http_test).
            EXPECT_GE(as("portal").status, 400) << where;
            break;
          case Access::kPeerCommunity:
            // A SOAP fault before the body is read (the peers: pix_http_test, xca_network_test).
            EXPECT_EQ(as("portal").status, 403) << where;
            EXPECT_EQ(as("gateway-a").status, 403) << where;
            EXPECT_EQ(as("client").status, 403) << where;
            break;
          default:
            ADD_FAILURE() << where << ": a web access class on the node listener";
        }
        // Mutual TLS: without a network certificate there is no connection at all.
        http::ClientSettings bare;
        bare.tls = {.ca_file = testing::dev_pki().ca()};
        http::BlockingHttpClient stranger(bare);
        EXPECT_THROW(stranger.request({.method = method, .url = url, .body = body}), Error)
            << where;
      }
    }
  }
  EXPECT_GT(routes, 60);
  EXPECT_EQ(seen.size(), 13u - 1u) << "every portal access class is exercised (all but the "
                                      "gateway's assertion)";
}

TEST(RouteMatrix, EveryGatewayRouteHasAnEntryAndHoldsItsCells) {
  auto& n = net();
  int routes = 0;
  for (const auto& [listener, table] : n.gateway->routes().items()) {
    for (const auto& r : table) {
      const std::string method = r[0], pattern = r[1];
      const std::string where = listener + " " + method + " " + pattern;
      const auto access = gateway_access(method, pattern);
      ASSERT_TRUE(access) << where << ": a route without a matrix entry (add it above)";
      ++routes;
      const std::string url = n.gateway->url(listener, instantiate(pattern));
      auto as = [&](const std::string& cert) {
        return node(cert).request({.method = method, .url = url});
      };
      switch (*access) {
        case Access::kPublic:
          EXPECT_EQ(as("gateway-b").status, 200) << where;
          break;
        case Access::kNodeReaders:
          EXPECT_EQ(as("gateway-b").status, 403) << where;  // another hospital's gateway
          EXPECT_EQ(as("portal").status, 200) << where;
          break;
        case Access::kAssertion: {
          // No assertion: nothing, whoever presents the request (the portal's own certificate
          // included).
          for (const char* cert : {"portal", "gateway-b"}) {
            const auto res = as(cert);
            EXPECT_EQ(res.status, 401) << where << " as " << cert << ": " << res.body;
            EXPECT_EQ(res.body.find(matrix().family_kanji), std::string::npos) << where;
          }
          break;
        }
        default:
          ADD_FAILURE() << where << ": not a gateway access class";
      }
    }
  }
  EXPECT_GE(routes, 9);  // (without a DICOM section: no DICOMweb routes to list)
}

}  // namespace
}  // namespace hareyaka
