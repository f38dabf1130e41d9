// IHE XCA between two networks (issue #16), this network (B, an exchange network with two real
// gateways over generated SS-MIX2 storages) as the Responding Gateway and the test as network
// A's Initiating Gateway with its own certificate: ITI-38 FindDocuments / GetDocuments over
// the locator index and ITI-39 Cross Gateway Retrieve from the owning gateway, within the
// agreement's categories and each patient's consent for network A; the profile's errors for
// an unknown community, a missing homeCommunityId, an unknown patient and a refused document;
// every message validated against the ebRS 3.0 / XDS.b schemas; audit on the responder and
// at the gateway.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xds/ebrs.hpp"
#include "proto/xds/mtom.hpp"
#include "proto/xml/document.hpp"
#include "tests/integration/two_portal_network.hpp"
#include "tests/integration/web_login.hpp"
#include "tests/pix/schema_support.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::dev_pki;

constexpr const char* kCommunityA = "1.2.392.200284.9001";       // the peer asking (the test)
constexpr const char* kCommunityB = "1.2.392.200300.9001";       // this network
constexpr const char* kCommunityC = "1.2.392.200400.9001";       // a peer of A that hangs
constexpr const char* kHospitalA = "1.2.392.200284.33.1390001";  // network A's own
constexpr const char* kClinicA = "1.2.392.200284.33.2900001";
constexpr const char* kPharmacyA = "1.2.392.200284.33.3900001";
constexpr const char* kPassword = "Xca-Network-2026";
constexpr const char* kSecret = "JBSWY3DPEHPK3PXPJBSWY3DP";
constexpr std::string_view kQuery = "urn:ihe:iti:2007:CrossGatewayQuery";
constexpr std::string_view kRetrieve = "urn:ihe:iti:2007:CrossGatewayRetrieve";

testing::ExchangeNetwork* net = nullptr;

// Network A: a bare portal (no gateway of its own running) whose hospital knows the same
// woman, as the Initiating Gateway towards B.
struct NetworkA {
  testing::SilentListener hung;  // tottori's XCA endpoint
  testing::TempDir tmp;
  std::string db;
  int nodes_port = testing::free_loopback_port();
  std::unique_ptr<testing::Daemon> portal;
  std::string nodes_url() const { return "https://127.0.0.1:" + std::to_string(nodes_port); }
};
NetworkA* net_a = nullptr;

class XcaNetwork : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net = new testing::ExchangeNetwork(1);
    net->portal_extra = {
        {"xcpd",
         {{"home_community_id", kCommunityB},
          {"peers",
           {{{"name", "okayama"},
             {"home_community_id", kCommunityA},
             {"sha256", testing::cert_fingerprint(dev_pki().cert("client"))},
             {"categories", {"diagnoses", "lab_results", "prescriptions", "allergies"}}},
            // Network A's portal (its initiating gateway presents the dev portal certificate).
            {{"name", "okayama-portal"},
             {"home_community_id", kCommunityA},
             {"sha256", testing::cert_fingerprint(dev_pki().cert("portal"))},
             {"categories", {"diagnoses", "lab_results", "prescriptions", "allergies"}}}}}}}};
    // Hospital A discloses everything to network A; hospital B its diagnoses only.
    net->extra_consents = [](const std::vector<std::pair<std::string, std::string>>& shared) {
      json out = json::array();
      for (const auto& [a, b] : shared) {
        out.push_back({{"authority", std::string(testing::kExA) + ".1"},
                       {"local_id", a},
                       {"source_facility", testing::kExA},
                       {"viewer_community", kCommunityA}});
        out.push_back({{"authority", std::string(testing::kExB) + ".1"},
                       {"local_id", b},
                       {"source_facility", testing::kExB},
                       {"viewer_community", kCommunityA},
                       {"categories", {"diagnoses"}}});
      }
      return out;
    };
    net->start();
    // Network A registers the woman as B's PIX knows her: after B's gateways have fed it.
    ASSERT_TRUE(
        testing::poll_until([] { return net->published(*net->gw_a) && net->published(*net->gw_b); },
                            std::chrono::seconds(180)));
    start_network_a();
  }

  static void start_network_a() {
    net_a = new NetworkA;
    net_a->db = testing::fresh_database();
    const std::string pin = testing::cert_fingerprint(dev_pki().cert("portal"));
    const json config{
        {"assertion_signing_key", dev_pki().dir + "/assertion.key"},
        {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}}},
        {"listeners",
         {{"web", testing::dev_listener("portal", 0, "none")},
          {"nodes", testing::dev_listener("portal", net_a->nodes_port, "require")}}},
        {"client_tls",
         {{"ca_file", dev_pki().ca()},
          {"cert_file", dev_pki().cert("portal")},
          {"key_file", dev_pki().key("portal")}}},
        {"auth", {{"fast_password_hashing_for_tests", true}}},
        {"xcpd",
         {{"home_community_id", kCommunityA},
          {"deadline_ms", 1500},
          // "tottori" knows the woman (its XCPD answers: B's responding gateway stands in
          // for it) but its XCA endpoint accepts connections and never answers.
          {"peers",
           json::array({{{"name", "hiroshima"},
                         {"home_community_id", kCommunityB},
                         {"sha256", pin},
                         {"url", net->portal_nodes_url(0) + "/xcpd/v3"},
                         {"xca_url", net->portal_nodes_url(0) + "/xca/v3"}},
                        {{"name", "tottori"},
                         {"home_community_id", kCommunityC},
                         {"sha256", std::string(64, 'e')},
                         {"url", net->portal_nodes_url(0) + "/xcpd/v3"},
                         {"xca_url", "https://127.0.0.1:" + std::to_string(net_a->hung.port()) +
                                         "/xca/v3"}}})}}}};
    auto facility = [](const std::string& oid, const std::string& name, const std::string& kind,
                       bool discloses) {
      json f{{"oid", oid},    {"name_kanji", name},     {"kind", kind},
             {"views", true}, {"discloses", discloses}, {"municipality_code", "331007"}};
      if (discloses) {
        f["gateway_url"] = "https://127.0.0.1:1";
        f["gateway_cert_sha256"] = testing::cert_fingerprint(dev_pki().cert("gateway-a"));
      }
      return f;
    };
    auto user = [](const std::string& login, const std::string& fac, const std::string& prof) {
      return json{{"login_id", login},  {"display_name", login}, {"facility_oid", fac},
                  {"profession", prof}, {"password", kPassword}, {"totp_secret", kSecret}};
    };
    const std::string authority = std::string(kHospitalA) + ".1";
    json consents = json::array();
    for (const char* viewer : {kClinicA, kPharmacyA})
      consents.push_back({{"authority", authority},
                          {"local_id", "A-1"},
                          {"source_facility", kHospitalA},
                          {"viewer_facility", viewer}});
    for (const char* peer : {kCommunityB, kCommunityC})
      consents.push_back({{"authority", authority},
                          {"local_id", "A-1"},
                          {"source_facility", kHospitalA},
                          {"viewer_community", peer}});
    const json seed{
        {"facilities",
         {facility(kHospitalA, "岡山総合病院", "hospital", true),
          facility(kClinicA, "おかやまクリニック", "clinic", false),
          facility(kPharmacyA, "もも薬局", "pharmacy", false)}},
        {"users",
         {user("dr-okayama", kClinicA, "doctor"), user("ph-okayama", kPharmacyA, "pharmacist")}},
        {"consents", consents}};
    std::ofstream(net_a->tmp.path() + "/seed.json") << seed.dump();
    std::ofstream(net_a->tmp.path() + "/portal.json") << config.dump();
    testing::run_checked({"env", "HAREYAKA_TEST_DB=" + net_a->db,
                          testing::binary_path("portal/hareyaka-portal"), "bootstrap", "--config",
                          net_a->tmp.path() + "/portal.json", "--file",
                          net_a->tmp.path() + "/seed.json"});
    net_a->portal = std::make_unique<testing::Daemon>(
        "portal/hareyaka-portal", config, "portal-a",
        std::map<std::string, std::string>{{"HAREYAKA_TEST_DB", net_a->db}});
    // The shared woman of B as A's hospital registered her (same names, birth date, sex).
    pg::Pool pool({.conninfo = net->db, .size = 1});
    const auto who = pg::transact(pool, [&](pg::Tx& tx) {
      return tx.raw().exec_params(
          "SELECT family_kanji, given_kanji, family_kana, given_kana, birth_date, sex "
          "FROM pix_identities WHERE person_id = $1 AND authority = $2",
          std::stoll(shared_person()), std::string(testing::kExA) + ".1");
    });
    ASSERT_EQ(who.size(), 1u);
    hl7v3::PatientFeed f;
    f.kind = hl7v3::FeedKind::kAdd;
    f.header.id = {"1.2.392.200284.99", "feed-A-1", ""};
    f.header.creation_time = "20261206000000";
    f.header.sender = {"1.2.392.200284.33.9.1", authority};
    f.header.receiver = {"1.2.392.200284.0.1", ""};
    f.patient.ids = {{authority, "A-1", ""}};
    f.patient.names = {
        {hl7v3::NameUse::kIdeographic, who[0][0].as<std::string>(), who[0][1].as<std::string>(),
         ""},
        {hl7v3::NameUse::kSyllabic, who[0][2].as<std::string>(), who[0][3].as<std::string>(), ""}};
    const std::string sex = who[0][5].as<std::string>();
    f.patient.sex = sex == "M" ? hl7v3::Sex::kMale : hl7v3::Sex::kFemale;
    f.patient.birth_date = who[0][4].as<std::string>();
    f.custodian = kHospitalA;
    hl7v3::Addressing a;
    a.action = "urn:hl7-org:v3:PRPA_IN201301UV02";
    a.message_id = "urn:uuid:5f0c0d3e-0000-4000-8000-000000000a01";
    http::BlockingHttpClient client(testing::node_client("gateway-a"));
    const auto res = client.request(
        {.method = "POST",
         .url = net_a->nodes_url() + "/pix/v3",
         .headers = {{"Content-Type", hl7v3::soap_content_type(a.action)}},
         .body = hl7v3::write_envelope(a, [&](xml::Writer& out) { hl7v3::write_feed(out, f); })});
    ASSERT_EQ(res.status, 200) << res.body;
  }

  static void TearDownTestSuite() {
    delete net_a;
    net_a = nullptr;
    delete net;
    net = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(
        testing::poll_until([] { return net->published(*net->gw_a) && net->published(*net->gw_b); },
                            std::chrono::seconds(180)));
  }

  // The PIX person of a shared patient (what XCPD gives the peer as the community patient id),
  // with its identity at hospital A and at hospital B.
  static std::string shared_person() {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) {
      auto r = tx.raw().exec(
          "SELECT a.person_id FROM pix_identities a JOIN pix_identities b USING (person_id) "
          "WHERE a.authority = '" +
          std::string(testing::kExA) + ".1' AND b.authority = '" + std::string(testing::kExB) +
          ".1' AND a.status = 'active' ORDER BY 1 LIMIT 1");
      return r.empty() ? std::string() : r[0][0].as<std::string>();
    });
  }

  static http::ClientResponse post(const std::string& action, const std::string& payload,
                                   const std::string& node = "client",
                                   const std::string& content_type = "") {
    hl7v3::Addressing a;
    a.action = action;
    a.message_id = "urn:uuid:7a1d3c52-0000-4000-8000-000000000001";
    a.reply_to = hl7v3::kWsaAnonymous;
    const std::string envelope = hl7v3::write_envelope(a, [&](xml::Writer& w) { w.raw(payload); });
    http::BlockingHttpClient client(testing::node_client(node));
    http::ClientRequest req{.method = "POST", .url = net->portal_nodes_url(0) + "/xca/v3"};
    if (content_type == "mtom") {
      auto m = xds::write_mtom(envelope, action, {}, "req1");
      req.headers["Content-Type"] = m.content_type;
      req.body = m.body;
    } else {
      req.headers["Content-Type"] = hl7v3::soap_content_type(action);
      req.body = envelope;
    }
    return client.request(req);
  }

  static std::string find_documents(const std::string& patient, bool on_demand = true,
                                    const std::string& home = kCommunityB) {
    std::string q =
        R"(<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/><rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d" home="urn:oid:)" +
        home + R"("><rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>')" +
        patient +
        R"(^^^&amp;1.2.392.200300.9001.1&amp;ISO'</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot>)";
    if (on_demand)
      q +=
          R"(<rim:Slot name="$XDSDocumentEntryType"><rim:ValueList><rim:Value>('urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1','urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248')</rim:Value></rim:ValueList></rim:Slot>)";
    return q + "</rim:AdhocQuery></query:AdhocQueryRequest>";
  }

  static xds::QueryResponse query(const std::string& payload) {
    const auto res = post(std::string(kQuery), payload);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(testing::validate_xds_text(res.body), std::vector<std::string>{}) << res.body;
    const auto doc = xml::parse(res.body);
    return xds::parse_query_response(doc.root().child(hl7v3::kSoap12Ns, "Body").elements().at(0));
  }

  static std::string retrieve_request(
      const std::vector<std::tuple<std::string, std::string, std::string>>& docs) {
    std::string r = R"(<RetrieveDocumentSetRequest xmlns="urn:ihe:iti:xds-b:2007">)";
    for (const auto& [home, repo, uid] : docs) {
      r += "<DocumentRequest>";
      if (!home.empty())
        r += "<HomeCommunityId>" + home + "</HomeCommunityId>";
      r += "<RepositoryUniqueId>" + repo + "</RepositoryUniqueId><DocumentUniqueId>" + uid +
           "</DocumentUniqueId></DocumentRequest>";
    }
    return r + "</RetrieveDocumentSetRequest>";
  }

  static std::vector<std::string> audit(const std::string& reason) {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) {
      std::vector<std::string> out;
      for (const auto& row : tx.raw().exec_params(
               "SELECT actor_user || '|' || outcome || '|' || category || '|' || source_facility "
               "FROM audit_log WHERE reason = $1 ORDER BY seq",
               reason)) {
        out.push_back(row[0].as<std::string>());
      }
      return out;
    });
  }
};

const xds::DocumentEntry* entry_of(const xds::QueryResponse& r, const std::string& facility,
                                   const std::string& category) {
  for (const auto& e : r.entries) {
    if (e.repository_unique_id == facility && e.class_code.code == category)
      return &e;
  }
  return nullptr;
}

TEST_F(XcaNetwork, FindDocumentsListsTheAgreedAndConsentedCategoriesOnly) {
  const std::string person = shared_person();
  ASSERT_FALSE(person.empty());
  const auto r = query(find_documents(person));
  EXPECT_EQ(r.status, xds::kSuccess);
  ASSERT_FALSE(r.entries.empty());
  for (const auto& e : r.entries) {
    EXPECT_EQ(e.object_type, xds::kOnDemandEntry);
    EXPECT_EQ(e.home_community_id, std::string("urn:oid:") + kCommunityB);
    EXPECT_EQ(e.patient_id.id, person);
    // Within the agreement (no encounters, imaging, ...) ...
    EXPECT_TRUE(e.class_code.code == "diagnoses" || e.class_code.code == "lab_results" ||
                e.class_code.code == "prescriptions" || e.class_code.code == "allergies")
        << e.class_code.code;
    // ... and hospital B's consent covers its diagnoses only.
    if (e.repository_unique_id == testing::kExB)
      EXPECT_EQ(e.class_code.code, "diagnoses");
  }
  EXPECT_NE(entry_of(r, testing::kExA, "allergies"), nullptr);
  EXPECT_NE(entry_of(r, testing::kExB, "diagnoses"), nullptr);
  EXPECT_FALSE(audit("cross_community_query").empty());

  // ITI-18's default: without $XDSDocumentEntryType only Stable entries, and we have none.
  EXPECT_TRUE(query(find_documents(person, false)).entries.empty());
  // GetDocuments by uniqueId: the same entry, within the same decision.
  const auto* allergies = entry_of(r, testing::kExA, "allergies");
  ASSERT_NE(allergies, nullptr);
  const std::string get =
      R"(<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/><rim:AdhocQuery id="urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4" home="urn:oid:)" +
      std::string(kCommunityB) +
      R"("><rim:Slot name="$XDSDocumentEntryUniqueId"><rim:ValueList><rim:Value>(')" +
      allergies->unique_id + "','" +
      allergies->unique_id.substr(0, allergies->unique_id.rfind('.')) +
      ".9')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>";
  const auto g = query(get);
  ASSERT_EQ(g.entries.size(), 1u);
  EXPECT_EQ(g.entries[0].entry_uuid, allergies->entry_uuid);
}

TEST_F(XcaNetwork, QueriesGetTheProfilesErrors) {
  const std::string person = shared_person();
  // A patient id this community never gave (or whose consent does not name network A).
  auto unknown = query(find_documents("999999999"));
  EXPECT_EQ(unknown.status, xds::kFailure);
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_EQ(unknown.errors[0].code, "XDSUnknownPatientId");
  auto other = query(find_documents(person, true, "1.2.392.999"));
  ASSERT_EQ(other.errors.size(), 1u);
  EXPECT_EQ(other.errors[0].code, "XDSUnknownCommunity");
  EXPECT_EQ(other.errors[0].location, "urn:oid:1.2.392.999");
  // IPF's published request, unmodified: an injection attempt in the patient id.
  auto hostile = query(testing::read_file(testing::ihe_dir() + "/samples/xca/iti18request.xml"));
  EXPECT_EQ(hostile.status, xds::kFailure);
  ASSERT_EQ(hostile.errors.size(), 1u);
  EXPECT_EQ(hostile.errors[0].location, "$XDSDocumentEntryPatientId");
  // A certificate of this network's own gateway is no peer community.
  EXPECT_EQ(post(std::string(kQuery), find_documents(person), "gateway-a").status, 403);
  // Another action, and a body that is no SOAP.
  EXPECT_EQ(post("urn:ihe:iti:2007:RegistryStoredQuery", find_documents(person)).status, 400);
  http::BlockingHttpClient client(testing::node_client("client"));
  EXPECT_EQ(client
                .request({.method = "POST",
                          .url = net->portal_nodes_url(0) + "/xca/v3",
                          .headers = {{"Content-Type", "multipart/related; boundary=x"}},
                          .body = "garbage"})
                .status,
            400);
}

TEST_F(XcaNetwork, RetrieveFetchesFromTheOwningGatewayWithinTheConsent) {
  const std::string person = shared_person();
  const auto r = query(find_documents(person));
  const auto* allergies = entry_of(r, testing::kExA, "allergies");
  const auto* diagnoses_b = entry_of(r, testing::kExB, "diagnoses");
  ASSERT_NE(allergies, nullptr);
  ASSERT_NE(diagnoses_b, nullptr);
  // Hospital B's lab results exist in the index but are not consented for network A: the id
  // a peer guesses from the pattern is refused like an unknown one.
  const std::string home = std::string("urn:oid:") + kCommunityB;
  for (const bool mtom : {false, true}) {
    const auto res = post(std::string(kRetrieve),
                          retrieve_request({{home, testing::kExA, allergies->unique_id},
                                            {home, testing::kExB, diagnoses_b->unique_id},
                                            {"", testing::kExA, allergies->unique_id},
                                            {"urn:oid:1.2.3", testing::kExA, allergies->unique_id},
                                            {home, testing::kExA, "1.2.3.4"}}),
                          "client", mtom ? "mtom" : "");
    ASSERT_EQ(res.status, 200) << res.body;
    auto m = xds::parse_mtom(res.body, res.headers.at("Content-Type"));
    ASSERT_TRUE(m) << "the response is MTOM";
    EXPECT_EQ(testing::validate_xds_text(m->envelope), std::vector<std::string>{}) << m->envelope;
    const auto doc = xml::parse(m->envelope);
    const auto rr =
        xds::parse_retrieve_response(doc.root().child(hl7v3::kSoap12Ns, "Body").elements().at(0));
    EXPECT_EQ(rr.status, xds::kPartialSuccess);
    ASSERT_EQ(rr.documents.size(), 2u);
    std::vector<std::string> codes;
    for (const auto& e : rr.errors)
      codes.push_back(e.code);
    EXPECT_EQ(codes, (std::vector<std::string>{"XDSMissingHomeCommunityId", "XDSUnknownCommunity",
                                               "XDSDocumentUniqueIdError"}));
    for (const auto& d : rr.documents) {
      EXPECT_EQ(d.mime_type, "application/json");
      EXPECT_TRUE(d.new_document_unique_id.starts_with(d.request.document_unique_id + "."));
      const auto* part = m->find(d.content_id);
      ASSERT_NE(part, nullptr);
      const json body = json::parse(part->body);
      EXPECT_EQ(body["facility_oid"], d.request.repository_unique_id);
      EXPECT_EQ(body["complete"], true);
      EXPECT_TRUE(body["items"].is_array());
      if (d.request.repository_unique_id == testing::kExB) {
        EXPECT_EQ(body["category"], "diagnoses");
        EXPECT_FALSE(body["items"].empty()) << body.dump();
      }
    }
  }
  // Lab results at hospital B: not in the consent, so not retrievable even with the right id.
  // (Category numbers in name order: diagnoses 2, lab_results 7.)
  std::string lab_b = diagnoses_b->unique_id;
  const std::string marker = ".3." + person + ".2.";
  ASSERT_NE(lab_b.find(marker), std::string::npos) << lab_b;
  lab_b.replace(lab_b.find(marker), marker.size(), ".3." + person + ".7.");
  const auto res = post(std::string(kRetrieve), retrieve_request({{home, testing::kExB, lab_b}}));
  auto m = xds::parse_mtom(res.body, res.headers.at("Content-Type"));
  ASSERT_TRUE(m);
  const auto doc = xml::parse(m->envelope);
  const auto rr =
      xds::parse_retrieve_response(doc.root().child(hl7v3::kSoap12Ns, "Body").elements().at(0));
  EXPECT_EQ(rr.status, xds::kFailure);
  EXPECT_TRUE(rr.documents.empty());
  // On record: each document retrieved and the one refused, by the community.
  const auto retrieved = audit("cross_community_retrieve");
  EXPECT_GE(retrieved.size(), 4u);
  EXPECT_EQ(retrieved.at(0).rfind("community:okayama|success|", 0), 0u) << retrieved.at(0);
  // And at the owning gateway: its disclosure, to the community (no user of its directory).
  std::istringstream lines(testing::read_file(net->tmp.path() + "/b/state/audit.jsonl"));
  int by_community = 0;
  for (std::string line; std::getline(lines, line);) {
    const json e = json::parse(line, nullptr, false);
    if (e.is_object() && e.value("outcome", "") == "allowed" && e.contains("viewer") &&
        e["viewer"].value("community", "") == kCommunityA && e["category"] == "diagnoses")
      ++by_community;
  }
  EXPECT_GE(by_community, 2);
  const auto refused = audit("no_consent");
  ASSERT_FALSE(refused.empty());
  EXPECT_NE(refused.back().find("|denied|lab_results|" + std::string(testing::kExB)),
            std::string::npos)
      << refused.back();
}

// Network A's clinician: the woman's records held in network B, through XCPD then XCA, in
// A's category view shape and labelled with the network and facility; A's role policy applied
// before B is asked; B's consent (hospital B: diagnoses only) applied by B.
TEST_F(XcaNetwork, AClinicianOfThePeerNetworkSeesTheRecordsHeldHere) {
  ASSERT_NE(net_a, nullptr);
  http::ClientSettings web;
  web.tls.ca_file = dev_pki().ca();
  http::BlockingHttpClient browser(web);
  auto session = [&](const std::string& login) {
    return testing::web_login(browser, net_a->portal->url("web", "/api/v1/session"), login,
                              kPassword, kSecret);
  };
  const auto dr = session("dr-okayama");
  auto get = [&](const testing::WebLogin& who, const std::string& path) {
    return browser.request(
        {.url = net_a->portal->url("web", path), .headers = {{"Cookie", who.cookie}}});
  };
  const auto list = json::parse(get(dr, "/api/v1/persons").body);
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  const std::string person = list["items"][0]["person_id"];
  const std::string base =
      "/api/v1/persons/" + person + "/communities/" + std::string(kCommunityB) + "/";
  auto diagnoses = get(dr, base + "diagnoses");
  ASSERT_EQ(diagnoses.status, 200) << diagnoses.body;
  const json d = json::parse(diagnoses.body);
  EXPECT_EQ(d["community"]["status"], "ok") << d.dump();
  EXPECT_EQ(d["community"]["name"], "hiroshima");
  std::set<std::string> facilities;
  for (const auto& item : d["items"]) {
    EXPECT_EQ(item["community"], "hiroshima");
    EXPECT_EQ(item["home_community_id"], kCommunityB);
    EXPECT_FALSE(item["facility_name"].get<std::string>().empty());
    facilities.insert(item["facility_oid"]);
  }
  EXPECT_EQ(facilities, (std::set<std::string>{testing::kExA, testing::kExB})) << d.dump();
  // Lab results: hospital B's consent covers its diagnoses only.
  const json labs = json::parse(get(dr, base + "lab_results").body);
  EXPECT_EQ(labs["community"]["status"], "ok");
  for (const auto& item : labs["items"])
    EXPECT_EQ(item["facility_oid"], testing::kExA);
  // A's pharmacist (at a pharmacy) may not see lab results in A: B is not asked.
  const auto ph = session("ph-okayama");
  EXPECT_EQ(get(ph, base + "lab_results").status, 403);
  EXPECT_EQ(get(ph, base + "allergies").status, 200);
  EXPECT_EQ(get(dr, "/api/v1/persons/" + person + "/communities/1.2.3/diagnoses").status, 404);
  EXPECT_EQ(get(dr, base + "nothing").status, 404);
  // A peer that knows her but hangs on XCA: named unavailable at the deadline (1.5 s for
  // the query and retrieve together), never an error page.
  const auto t0 = std::chrono::steady_clock::now();
  auto hung = get(dr, "/api/v1/persons/" + person + "/communities/" + kCommunityC + "/diagnoses");
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_EQ(hung.status, 200) << hung.body;
  const json h = json::parse(hung.body);
  EXPECT_EQ(h["community"]["status"], "unavailable") << h.dump();
  EXPECT_TRUE(h["items"].empty());
  EXPECT_GE(waited.count(), 1400);
  EXPECT_LT(waited.count(), 4000) << "one deadline for ITI-38 and ITI-39, not one each";
  // On record at both ends.
  pg::Pool pool_a({.conninfo = net_a->db, .size = 1});
  const auto views = pg::transact(pool_a, [](pg::Tx& tx) {
    return tx.raw()
        .exec("SELECT count(*) FROM audit_log WHERE reason = 'cross_community_view'")[0][0]
        .as<int>();
  });
  EXPECT_EQ(views, 4);  // diagnoses, lab_results by the doctor; allergies by the pharmacist;
                        // the question to the hung peer
  bool b_saw_a = false;
  for (const auto& r : audit("cross_community_retrieve"))
    b_saw_a = b_saw_a || r.rfind("community:okayama-portal|success|", 0) == 0;
  EXPECT_TRUE(b_saw_a);
}

}  // namespace
}  // namespace hareyaka
