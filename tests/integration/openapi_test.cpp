// The OpenAPI documents (docs/openapi/*.yaml) against the real daemons: each listener's
// /openapi.json names exactly the routes that listener registered (method + pattern, from the
// ports file), and real answers of the main routes validate against the document's schema
// for their route and status (tests/support/openapi_check.py, python3-jsonschema).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "common/assertion.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::dev_pki;
using testing::kHospitalDomain;
using testing::kHospitalOid;
using testing::Matrix;
using testing::matrix;
using testing::net;

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch"};

http::BlockingHttpClient& node_client(const std::string& node) {
  static std::map<std::string, std::unique_ptr<http::BlockingHttpClient>> clients;
  auto& c = clients[node];
  if (!c) {
    http::ClientSettings s;
    s.tls = {.ca_file = dev_pki().ca(),
             .cert_file = dev_pki().cert(node),
             .key_file = dev_pki().key(node)};
    c = std::make_unique<http::BlockingHttpClient>(s);
  }
  return *c;
}

json served_document(const testing::Daemon& d, const std::string& listener) {
  auto r = node_client("portal").request({.url = d.url(listener, "/openapi.json")});
  if (r.status != 200)
    throw std::runtime_error("/openapi.json on " + listener + ": " + std::to_string(r.status));
  return json::parse(r.body);
}

std::set<std::string> documented(const json& doc) {
  std::set<std::string> out;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const char* m : kMethods) {
      if (item.contains(m)) {
        std::string method = m;
        for (auto& ch : method)
          ch = static_cast<char>(std::toupper(ch));
        out.insert(method + " " + path);
      }
    }
  }
  return out;
}

std::set<std::string> registered(const testing::Daemon& d, const std::string& listener) {
  std::set<std::string> out;
  for (const auto& r : d.routes().at(listener))
    out.insert(r[0].get<std::string>() + " " + r[1].get<std::string>());
  return out;
}

std::string write_json(const std::string& name, const json& j) {
  const std::string path = net().tmp.path() + "/" + name;
  std::ofstream(path) << j.dump();
  return path;
}

// Runs the checker on a served document (and answers); returns its report, empty when clean.
std::string check(const std::string& name, const json& doc, const json& answers = nullptr) {
  std::vector<std::string> argv{"python3",
                                testing::source_dir() + "/tests/support/openapi_check.py",
                                write_json(name + ".openapi.json", doc)};
  if (!answers.is_null())
    argv.push_back(write_json(name + ".answers.json", answers));
  auto r = testing::run(argv);
  return r.exit_code == 0 ? "" : r.output;
}

// What the network answered, per daemon listener: [{"method","pattern","status",...}].
struct Answers {
  json list = json::array();
  const http::ClientResponse& add(const std::string& method, const std::string& pattern,
                                  const http::ClientResponse& r) {
    auto ct = r.headers.find("Content-Type");
    list.push_back({{"method", method},
                    {"pattern", pattern},
                    {"status", r.status},
                    {"content_type", ct == r.headers.end() ? "" : ct->second},
                    {"body", r.body}});
    return r;
  }
};

// A second portal on the same database with the web UI files, a second gateway with DICOM,
// a portal and preservation, and a preservation node, so every route any daemon can register
// is registered.
struct FullDaemons {
  std::unique_ptr<testing::Daemon> portal, gateway, preserve, hosted;
  static FullDaemons& get() {
    static FullDaemons d;
    return d;
  }

 private:
  FullDaemons() {
    json pc = net().portal_config;
    pc["web_root"] = testing::source_dir() + "/portal/web";
    portal = std::make_unique<testing::Daemon>("portal/hareyaka-portal", pc, "portal-full");
    const std::string dir = net().tmp.path() + "/gw-full";
    std::filesystem::create_directories(dir + "/ssmix2");
    json gc{{"facility_oid", kHospitalOid},
            {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
            {"node_readers", {testing::cert_fingerprint(dev_pki().cert("portal"))}},
            {"listener", testing::dev_listener("gateway-a", 0, "require")},
            {"storage", {{"ssmix2_root", dir + "/ssmix2"}, {"state_dir", dir + "/state"}}},
            {"portal",
             {{"url", net().portal->url("nodes", "")},
              {"tls",
               {{"ca_file", dev_pki().ca()},
                {"cert_file", dev_pki().cert("gateway-a")},
                {"key_file", dev_pki().key("gateway-a")}}}}},
            {"dicom",
             {{"storage_dir", dir + "/dicom"},
              {"ae_title", "HAREYAKA_OA"},
              {"port", 0},
              {"allowed_calling_aes", {"STORESCU"}}}}};
    json pv{{"listener", testing::dev_listener("preserve-a", 0, "require")},
            {"store_dir", dir + "/preserve"},
            {"facilities",
             {{{"oid", kHospitalOid},
               {"writers", {testing::cert_fingerprint(dev_pki().cert("gateway-a"))}}}}}};
    preserve = std::make_unique<testing::Daemon>("preserve/hareyaka-preserve", pv, "preserve");
    testing::run_checked({"sh", "-c",
                          "openssl rand -base64 32 > " + dir + "/preserve.key && " +
                              "openssl genpkey -algorithm ed25519 -out " + dir +
                              "/preserve-sign.key 2>/dev/null"});
    gc["preservation"] = {{"keys", {{{"id", "t"}, {"key", {{"file", dir + "/preserve.key"}}}}}},
                          {"signing_key_file", dir + "/preserve-sign.key"},
                          {"nodes",
                           {{{"name", "a"},
                             {"url", preserve->url("nodes", "")},
                             {"tls",
                              {{"ca_file", dev_pki().ca()},
                               {"cert_file", dev_pki().cert("gateway-a")},
                               {"key_file", dev_pki().key("gateway-a")}}}}}}};
    gateway = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway", gc, "gateway-full");
    json hc{{"assertion_public_key", dev_pki().dir + "/assertion.pub"},
            {"listener", testing::dev_listener("hosted", 0, "require")},
            {"tenants_dir", dir + "/tenants"},
            {"state_dir", dir + "/hosted-state"},
            {"portal", {{"url", net().portal->url("nodes", "")}, {"ca_file", dev_pki().ca()}}},
            {"tenants",
             {{{"id", "clinic"},
               {"facility_oid", "1.2.392.200284.33.2100001"},
               {"cert_file", dev_pki().cert("tenant-a")},
               {"key_file", dev_pki().key("tenant-a")}}}}};
    hosted = std::make_unique<testing::Daemon>("gateway/hosted/hareyaka-hosted", hc, "hosted");
  }
};

TEST(OpenApi, EachListenerDocumentsExactlyItsRoutes) {
  FullDaemons& full = FullDaemons::get();
  const std::vector<std::tuple<std::string, testing::Daemon*, std::string>> listeners = {
      {"portal", full.portal.get(), "web"},
      {"portal", full.portal.get(), "nodes"},
      {"gateway", full.gateway.get(), "nodes"},
      {"preserve", full.preserve.get(), "nodes"},
      {"hosted", full.hosted.get(), "nodes"}};
  for (const auto& [name, daemon, listener] : listeners) {
    SCOPED_TRACE(name + " " + listener);
    const json doc = served_document(*daemon, listener);
    EXPECT_EQ(doc["x-listener"], listener);
    const auto in_doc = documented(doc);
    const auto in_router = registered(*daemon, listener);
    ASSERT_GT(in_router.size(), 4u);
    for (const auto& r : in_router)
      EXPECT_TRUE(in_doc.contains(r)) << r << " is registered but not in the document";
    for (const auto& r : in_doc)
      EXPECT_TRUE(in_router.contains(r)) << r << " is in the document but not registered";
    EXPECT_EQ(check(name + "-" + listener, doc), "");
  }
  // Each listener describes its own paths only.
  EXPECT_FALSE(documented(served_document(*full.portal, "nodes")).contains("GET /api/v1/persons"));
  EXPECT_FALSE(documented(served_document(*full.portal, "web")).contains("POST /pix/v3"));
}

std::string assertion_for(const std::string& local_id, const std::string& category) {
  static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                testing::cert_fingerprint(dev_pki().cert("portal")));
  const auto now = unix_now();
  return signer.sign({.user = "openapi-test",
                      .profession = "doctor",
                      .facility_oid = testing::kSecretariatOid,
                      .audience = kHospitalOid,
                      .authority = kHospitalDomain,
                      .local_id = local_id,
                      .category = category,
                      .request_id = "openapi-test",
                      .issued_at = now - 1,
                      .expires_at = now + 60});
}

TEST(OpenApi, RealAnswersMatchTheSchemas) {
  Matrix& m = matrix();
  FullDaemons& full = FullDaemons::get();
  const int web_port = net().portal->port("web");
  Answers web, nodes, gw;

  // Session and viewer, as a hospital doctor whose facility has the patient's consent.
  const Matrix::User* doctor = nullptr;
  for (const auto& u : m.users) {
    if (u.profession == hpd::Profession::kDoctor && u.kind == hpd::FacilityKind::kHospital &&
        u.state == testing::State::kGiven)
      doctor = &u;
  }
  ASSERT_NE(doctor, nullptr);
  Browser nobody(web_port);
  EXPECT_EQ(web.add("GET", "/api/v1/session", nobody.call("GET", "/api/v1/session")).status, 401);
  EXPECT_EQ(web.add("POST", "/api/v1/session",
                    nobody.call("POST", "/api/v1/session",
                                {{"login_id", doctor->login}, {"password", "wrong"}}))
                .status,
            401);
  Browser b(web_port);
  ASSERT_EQ(web.add("POST", "/api/v1/session", b.login(doctor->login, testing::kPassword, m.secret))
                .status,
            200);
  EXPECT_EQ(web.add("GET", "/api/v1/session", b.call("GET", "/api/v1/session")).status, 200);
  EXPECT_EQ(web.add("GET", "/api/v1/persons", b.call("GET", "/api/v1/persons")).status, 200);
  auto search = web.add("GET", "/api/v1/persons",
                        b.call("GET", "/api/v1/persons?q=" + testing::url_encode(m.family_kanji)));
  ASSERT_EQ(search.status, 200);
  EXPECT_FALSE(body_of(search)["items"].empty()) << search.body;
  const std::string person = "/api/v1/persons/" + m.person_id;
  EXPECT_EQ(web.add("GET", "/api/v1/persons/{person_id}", b.call("GET", person)).status, 200);
  for (const auto& [category, c, parts] : testing::kViewerCategories) {
    auto r = web.add("GET", "/api/v1/persons/{person_id}/{category}",
                     b.call("GET", person + "/" + category + "?page_size=5"));
    EXPECT_EQ(r.status, 200) << category << ": " << r.body;
  }
  EXPECT_EQ(
      web.add("GET", "/api/v1/persons/{person_id}", b.call("GET", "/api/v1/persons/999999999"))
          .status,
      404);
  EXPECT_EQ(
      web.add("GET", "/api/v1/admin/facilities", b.call("GET", "/api/v1/admin/facilities")).status,
      403);

  // The admin console's lists and reads.
  Browser& admin = *net().admin;
  auto list = [&](const std::string& pattern, const std::string& path) {
    auto r = web.add("GET", pattern, admin.call("GET", path));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return body_of(r);
  };
  list("/api/v1/admin/facilities", "/api/v1/admin/facilities?page_size=20");
  list("/api/v1/admin/facilities/{oid}", std::string("/api/v1/admin/facilities/") + kHospitalOid);
  list("/api/v1/admin/users", "/api/v1/admin/users?page_size=50");
  auto consents = list("/api/v1/admin/consents", "/api/v1/admin/consents?person_id=" + m.person_id);
  ASSERT_FALSE(consents["items"].empty());
  list("/api/v1/admin/consents/{id}/history",
       "/api/v1/admin/consents/" + consents["items"][0]["id"].get<std::string>() + "/history");
  list("/api/v1/admin/policy", "/api/v1/admin/policy");
  list("/api/v1/admin/identity-review", "/api/v1/admin/identity-review");
  list("/api/v1/admin/audit", "/api/v1/admin/audit?page_size=50");
  list("/api/v1/admin/persons/{person_id}/access-report",
       "/api/v1/admin/persons/" + m.person_id + "/access-report");
  list("/api/v1/admin/connected-systems", "/api/v1/admin/connected-systems");
  EXPECT_EQ(web.add("POST", "/api/v1/admin/audit/verify",
                    admin.call("POST", "/api/v1/admin/audit/verify", json::object()))
                .status,
            200);
  EXPECT_EQ(web.add("POST", "/api/v1/admin/facilities",
                    admin.call("POST", "/api/v1/admin/facilities", {{"name", "x"}}))
                .status,
            422);
  EXPECT_EQ(web.add("GET", "/healthz", b.call("GET", "/healthz")).status, 200);
  EXPECT_EQ(web.add("GET", "/readyz", b.call("GET", "/readyz")).status, 200);
  EXPECT_EQ(web.add("DELETE", "/api/v1/session", b.call("DELETE", "/api/v1/session")).status, 204);

  // The node listener, as the hospital's gateway.
  auto& as_gateway = node_client("gateway-a");
  auto node_get = [&](const std::string& pattern, const std::string& path) {
    return nodes.add("GET", pattern, as_gateway.request({.url = net().portal->url("nodes", path)}));
  };
  EXPECT_EQ(node_get("/api/gw/v1/locators", "/api/gw/v1/locators?limit=10").status, 200);
  auto directory = node_get("/api/gw/v1/directory", "/api/gw/v1/directory?since=0&limit=50");
  EXPECT_EQ(directory.status, 200) << directory.body;
  EXPECT_EQ(node_get("/readyz", "/readyz").status, 200);
  EXPECT_EQ(node_get("/metrics", "/metrics").status, 403);  // a gateway is no metrics reader
  EXPECT_EQ(nodes
                .add("GET", "/metrics",
                     node_client("client").request({.url = net().portal->url("nodes", "/metrics")}))
                .status,
            200);
  EXPECT_EQ(nodes
                .add("GET", "/api/gw/v1/directory",
                     node_client("portal").request(
                         {.url = net().portal->url("nodes", "/api/gw/v1/directory")}))
                .status,
            403);

  // The gateway's data API, as the portal, with an assertion for the patient.
  auto gw_get = [&](const std::string& pattern, const std::string& path,
                    const std::string& category, const testing::Daemon& d) {
    http::ClientRequest r{.url = d.url("nodes", path)};
    if (!category.empty())
      r.headers[kAssertionHeader] = assertion_for(m.local_id, category);
    return gw.add("GET", pattern, node_client("portal").request(r));
  };
  const std::string patient = "/gw/v1/patients/" + m.local_id;
  const auto& g = *net().gateway;
  EXPECT_EQ(gw_get("/gw/v1/patients/{id}", patient, "demographics", g).status, 200);
  for (const char* category : {"encounters", "prescriptions", "lab_results", "documents"}) {
    auto r = gw_get("/gw/v1/patients/{id}/{category}", patient + "/" + category + "?limit=3",
                    category, g);
    EXPECT_EQ(r.status, 200) << category << ": " << r.body;
  }
  EXPECT_EQ(gw_get("/gw/v1/patients/{id}", patient, "", g).status, 401);
  EXPECT_EQ(
      gw_get("/gw/v1/patients/{id}/{category}", patient + "/encounters", "diagnoses", g).status,
      403);
  EXPECT_EQ(gw_get("/gw/v1/problems", "/gw/v1/problems?limit=5", "", g).status, 200);
  EXPECT_EQ(gw_get("/gw/v1/stats", "/gw/v1/stats", "", g).status, 200);
  EXPECT_EQ(gw_get("/readyz", "/readyz", "", g).status, 200);
  // Locator deletion is idempotent: a patient without an entry answers deleted: false.
  EXPECT_EQ(nodes
                .add("DELETE", "/api/gw/v1/locators/{patient_id}",
                     as_gateway.request({.method = "DELETE",
                                         .url = net().portal->url(
                                             "nodes", "/api/gw/v1/locators/no-such-patient")}))
                .status,
            200);

  // SOAP endpoints answer SOAP 1.2 faults (application/soap+xml) with the statuses of the SOAP
  // 1.2 HTTP binding: env:Sender 400 (an Envelope whose Body is no request of theirs),
  // env:VersionMismatch 500 (not a SOAP 1.2 Envelope at all).
  const std::string unknown_body =
      R"(<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>)"
      R"(<x xmlns="urn:example"/></env:Body></env:Envelope>)";
  for (const char* path : {"/pix/v3", "/pdq/v3", "/hpd"}) {
    for (const auto& [body, status] :
         {std::pair<std::string, int>{unknown_body, 400}, {"<x/>", 500}}) {
      http::ClientRequest r{
          .method = "POST", .url = net().portal->url("nodes", path), .body = body};
      r.headers["Content-Type"] = "application/soap+xml; charset=UTF-8";
      auto res = nodes.add("POST", path, as_gateway.request(r));
      EXPECT_EQ(res.status, status) << path << " " << res.body;
    }
  }

  // The web UI files of the portal that has them.
  Answers web_full;
  Browser anonymous(full.portal->port("web"));
  for (const auto& [pattern, path] :
       std::vector<std::pair<std::string, std::string>>{{"/", "/"},
                                                        {"/{file}", "/app.js"},
                                                        {"/{file}", "/styles.css"},
                                                        {"/{file}", "/favicon.svg"},
                                                        {"/{file}", "/no-such-file.js"}}) {
    auto r = web_full.add("GET", pattern, anonymous.call("GET", path));
    EXPECT_EQ(r.status, path == "/no-such-file.js" ? 404 : 200) << path;
  }
  EXPECT_EQ(web_full.add("GET", "/openapi.json", anonymous.call("GET", "/openapi.json")).status,
            200);

  Answers gw_full;
  {
    http::ClientRequest r{.url = full.gateway->url("nodes", "/gw/v1/publish/status")};
    EXPECT_EQ(gw_full.add("GET", "/gw/v1/publish/status", node_client("portal").request(r)).status,
              200);
    // Another network node is not in node_readers (issue #15 leak 7).
    EXPECT_EQ(
        gw_full.add("GET", "/gw/v1/publish/status", node_client("gateway-b").request(r)).status,
        403);
    http::ClientRequest q{.url = full.gateway->url("nodes", "/gw/v1/dicomweb/studies")};
    q.headers[kAssertionHeader] = assertion_for(m.local_id, "imaging");
    EXPECT_EQ(
        gw_full.add("GET", "/gw/v1/dicomweb/studies", node_client("portal").request(q)).status,
        200);
  }

  EXPECT_EQ(check("answers-portal-web", served_document(*net().portal, "web"), web.list), "");
  EXPECT_EQ(check("answers-portal-nodes", served_document(*net().portal, "nodes"), nodes.list), "");
  EXPECT_EQ(check("answers-portal-web-ui", served_document(*full.portal, "web"), web_full.list),
            "");
  EXPECT_EQ(check("answers-gateway", served_document(g, "nodes"), gw.list), "");
  EXPECT_EQ(check("answers-gateway-full", served_document(*full.gateway, "nodes"), gw_full.list),
            "");
  EXPECT_GE(web.list.size() + nodes.list.size() + gw.list.size() + gw_full.list.size(), 40u);
}

}  // namespace
}  // namespace hareyaka
