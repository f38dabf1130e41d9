// The identity manager as a PIX source and consumer meet it: ITI-44 feeds and ITI-45
// queries over HTTPS with mutual TLS to the real portal, on a real PostgreSQL.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/pg_directory_store.hpp"
#include "pix/pg_identity_store.hpp"
#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/pdq_query.hpp"
#include "proto/hl7v3/pix_query.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/document.hpp"
#include "proto/xml/writer.hpp"
#include "tests/integration/soap_receiver.hpp"
#include "tests/pix/schema_support.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

using namespace hl7v3;
using nlohmann::json;
using testing::dev_pki;

constexpr const char* kHospitalA = "1.2.392.200284.33.1310001.1";
constexpr const char* kClinicB = "1.2.392.200284.33.2000001.1";
constexpr const char* kClinicC = "1.2.392.200284.33.2000002.1";

std::string soap(const std::string& payload, const std::string& action) {
  std::string body = payload;
  if (body.rfind("<?xml", 0) == 0)
    body.erase(0, body.find("?>") + 2);
  return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header><a:Action>" +
         action + "</a:Action><a:MessageID>urn:uuid:8c2f0e3a-1111-4000-8000-00000000000" +
         std::to_string(action.size() % 10) + "</a:MessageID></s:Header><s:Body>" + body +
         "</s:Body></s:Envelope>";
}

class PixOverHttps : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::fresh_database();
    auto listener = [](const std::string& auth) {
      json l{{"port", 0},
             {"cert_file", dev_pki().cert("portal")},
             {"key_file", dev_pki().key("portal")},
             {"client_auth", auth}};
      if (auth != "none")
        l["client_ca_file"] = dev_pki().ca();
      return l;
    };
    json cfg{{"assertion_signing_key", dev_pki().dir + "/assertion.key"},
             {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}}},
             {"listeners", {{"web", listener("none")}, {"nodes", listener("require")}}}};
    configure(cfg);
    portal_ = std::make_unique<testing::Daemon>(
        "portal/hareyaka-portal", cfg, "portal",
        std::map<std::string, std::string>{{"HAREYAKA_TEST_DB", db_}});
    // Each facility feeds with its own network certificate, registered in the directory.
    pg::Pool pool({.conninfo = db_, .size = 1});
    hpd::PgDirectoryStore directory(pool);
    const std::pair<const char*, const char*> sources[] = {
        {"1.2.392.200284.33.1310001", "gateway-a"},
        {"1.2.392.200284.33.2000001", "gateway-b"},
        {"1.2.392.200284.33.2000002", "client"}};
    for (const auto& [oid, node] : sources) {
      hpd::Facility f;
      f.oid = oid;
      f.name_kanji = node;
      f.kind = hpd::FacilityKind::kHospital;
      f.municipality_code = "331007";
      f.discloses = true;
      f.views = true;
      f.gateway_url = "https://127.0.0.1:1";
      f.gateway_cert_sha256 = testing::cert_fingerprint(dev_pki().cert(node));
      directory.create_facility(f);
      http::ClientSettings cs;
      cs.tls = {.ca_file = dev_pki().ca(),
                .cert_file = dev_pki().cert(node),
                .key_file = dev_pki().key(node)};
      clients_[std::string(oid) + ".1"] = std::make_unique<http::BlockingHttpClient>(cs);
    }
    client_ = clients_.begin()->second.get();
  }

  xml::Document post(const std::string& payload, const std::string& interaction,
                     http::BlockingHttpClient* via = nullptr) {
    const std::string action = "urn:hl7-org:v3:" + interaction;
    auto res = (via ? via : client_)
                   ->request({.method = "POST",
                              .url = portal_->url("nodes", "/pix/v3"),
                              .headers = {{"Content-Type", soap_content_type(action)}},
                              .body = soap(payload, action)});
    EXPECT_EQ(res.status, 200) << res.body;
    return xml::parse(res.body);
  }

  static xml::Node payload_of(const xml::Document& doc) {
    return doc.root().child("http://www.w3.org/2003/05/soap-envelope", "Body").elements().at(0);
  }

  AckCode feed(FeedKind kind, Patient p, std::vector<Ii> prior = {}) {
    PatientFeed f;
    f.kind = kind;
    f.header.id = {"1.2.392.200284.99", std::to_string(++seq_), ""};
    f.header.creation_time = "20261124000000";
    f.header.sender = {"1.2.392.200284.33.9.1", p.ids.front().root};
    f.header.receiver = {"1.2.392.200284.0.1", "1.2.392.200284"};
    f.patient = std::move(p);
    f.prior_ids = std::move(prior);
    xml::Writer w;
    write_feed(w, f);
    auto doc = post(w.finish(), std::string(interaction_of(kind)),
                    clients_.at(f.patient.ids.front().root).get());
    return parse_ack_message(payload_of(doc)).ack.code;
  }

  // ITI-45 as a gateway asks it: by default the gateway of the facility the id belongs to.
  std::vector<std::string> query(const std::string& authority, const std::string& id,
                                 http::BlockingHttpClient* via = nullptr) {
    PixQuery q;
    q.header.id = {"1.2.392.200284.99", std::to_string(++seq_), ""};
    q.header.creation_time = "20261124000000";
    q.header.sender = {"1.2.392.200284.33.9.2", ""};
    q.header.receiver = {"1.2.392.200284.0.1", ""};
    q.query_id = {"1.2.392.200284.99.1", std::to_string(seq_), ""};
    q.patient_id = {authority, id, ""};
    xml::Writer w;
    write_pix_query(w, q);
    auto r = parse_pix_response(payload_of(
        post(w.finish(), "PRPA_IN201309UV02",
             via ? via : (clients_.count(authority) ? clients_.at(authority).get() : client_))));
    last_query_ack_ = r.ack.code;
    std::vector<std::string> out;
    for (const auto& i : r.ids)
      out.push_back(i.root + "^" + i.extension);
    std::sort(out.begin(), out.end());
    return out;
  }

  static Patient person(const std::string& authority, const std::string& id,
                        const std::string& kanji_family, const std::string& kana_family,
                        const std::string& kana_given, const std::string& birth,
                        const std::string& phone) {
    Patient p;
    p.ids = {{authority, id, ""}};
    p.names = {{NameUse::kIdeographic, kanji_family, "花子", ""},
               {NameUse::kSyllabic, kana_family, kana_given, ""}};
    p.sex = Sex::kFemale;
    p.birth_date = birth;
    p.telecoms = {"tel:" + phone};
    p.addresses = {{"北区1-2-3", "岡山市", "岡山県", "700-0001", "JP"}};
    return p;
  }

  virtual void configure(json&) {}

  // A live consent: the patient `local_id` of `authority` lets `viewer` (every facility when
  // empty) see the records of the facility the authority belongs to.
  void consent(const std::string& authority, const std::string& local_id,
               const std::string& viewer = "") {
    pg::Pool pool({.conninfo = db_, .size = 1});
    consent::PgConsentStore store(pool);
    consent::NewConsent c;
    c.patient = {authority, local_id};
    c.source_facility = authority.substr(0, authority.size() - 2);  // the domain is oid + ".1"
    if (!viewer.empty())
      c.viewer_facility = viewer;
    c.starts_at = std::chrono::system_clock::now() - std::chrono::hours(1);
    c.registered_by = "test";
    c.document_ref = "paper-1";
    store.give(c, std::chrono::system_clock::now());
  }

  std::string db_;
  std::unique_ptr<testing::Daemon> portal_;
  std::map<std::string, std::unique_ptr<http::BlockingHttpClient>> clients_;  // by domain
  http::BlockingHttpClient* client_ = nullptr;
  AckCode last_query_ack_ = AckCode::kAA;
  int seq_ = 0;
};

TEST_F(PixOverHttps, KanaVariantsFromTwoFacilitiesBecomeOnePersonAndOthersStayApart) {
  // Hospital A and clinic B know the same woman; B's clerk typed the kana with a small ッ
  // as a full-size ツ and a long-vowel mark where A wrote ウ.
  EXPECT_EQ(feed(FeedKind::kAdd, person(kHospitalA, "0001000052", "晴山", "ハレヤマ", "ユウコ",
                                        "19480302", "086-000-1234")),
            AckCode::kAA);
  EXPECT_EQ(feed(FeedKind::kAdd, person(kClinicB, "12-345", "晴山", "ハレヤマ", "ユーコ",
                                        "19480302", "086-000-1234")),
            AckCode::kAA);
  // Clinic C's patient shares the birth date but is someone else.
  EXPECT_EQ(feed(FeedKind::kAdd,
                 person(kClinicC, "C-77", "岡田", "オカダ", "ミチコ", "19480302", "086-999-0000")),
            AckCode::kAA);

  // Each facility's consent lets the other see her records (and so her id there).
  consent(kHospitalA, "0001000052", "1.2.392.200284.33.2000001");
  consent(kClinicB, "12-345", "1.2.392.200284.33.1310001");
  // ITI-45 answers with the person's other ids, never the one asked about (ITI TF-2b
  // 3.45.4.2.3); a patient known only in its own domain has none (NF).
  EXPECT_EQ(query(kHospitalA, "0001000052"),
            std::vector<std::string>{std::string(kClinicB) + "^12-345"});
  EXPECT_EQ(query(kClinicB, "12-345"),
            std::vector<std::string>{std::string(kHospitalA) + "^0001000052"});
  EXPECT_TRUE(query(kClinicC, "C-77").empty());
}

TEST_F(PixOverHttps, MergeAndUnlinkBehave) {
  feed(FeedKind::kAdd,
       person(kHospitalA, "A-1", "晴山", "ハレヤマ", "ハナコ", "19500101", "086-1"));
  feed(FeedKind::kAdd,
       person(kHospitalA, "A-2", "晴山", "ハレヤマ", "ハナコ", "19500101", "086-1"));
  feed(FeedKind::kAdd, person(kClinicB, "B-1", "晴山", "ハレヤマ", "ハナコ", "19500101", "086-1"));
  for (const char* id : {"A-1", "A-2"})
    consent(kHospitalA, id);
  consent(kClinicB, "B-1");
  // Same-authority duplicates are never linked automatically...
  auto before = query(kHospitalA, "A-2");
  EXPECT_EQ(std::count(before.begin(), before.end(), std::string(kHospitalA) + "^A-1"), 0);
  // ...but hospital A can merge its duplicate A-2 into A-1.
  EXPECT_EQ(feed(FeedKind::kMerge,
                 person(kHospitalA, "A-1", "晴山", "ハレヤマ", "ハナコ", "19500101", "086-1"),
                 {{kHospitalA, "A-2", ""}}),
            AckCode::kAA);
  EXPECT_EQ(query(kClinicB, "B-1"), std::vector<std::string>{std::string(kHospitalA) + "^A-1"});
  EXPECT_EQ(query(kHospitalA, "A-1"), std::vector<std::string>{std::string(kClinicB) + "^B-1"});
  // The secretariat unlinks B-1 (the admin console calls this store operation).
  pg::Pool pool({.conninfo = db_, .size = 1});
  pix::PgIdentityStore store(pool, {});
  store.unlink({kClinicB, "B-1"}, {"admin", "different person after review"});
  EXPECT_TRUE(query(kClinicB, "B-1").empty());
  EXPECT_TRUE(query(kHospitalA, "A-1").empty());
}

TEST_F(PixOverHttps, UnknownIdentifierIsAnAeWith204) {
  PixQuery q;
  q.header.id = {"1.2.392.200284.99", "x1", ""};
  q.header.creation_time = "20261124000000";
  q.header.sender = {"1.2.392.200284.33.9.2", ""};
  q.header.receiver = {"1.2.392.200284.0.1", ""};
  q.query_id = {"1.2.392.200284.99.1", "q1", ""};
  q.patient_id = {kHospitalA, "NOBODY", ""};
  xml::Writer w;
  write_pix_query(w, q);
  auto r = parse_pix_response(payload_of(post(w.finish(), "PRPA_IN201309UV02")));
  EXPECT_EQ(r.ack.code, AckCode::kAE);
  ASSERT_FALSE(r.ack.details.empty());
  EXPECT_EQ(r.ack.details[0].code, "204");
}

TEST_F(PixOverHttps, AFacilityCannotFeedAnotherFacilitysDomain) {
  // Hospital A's gateway tries to publish a patient under clinic B's domain.
  PatientFeed f;
  f.header.id = {"1.2.392.200284.99", "spoof", ""};
  f.header.creation_time = "20261124000000";
  f.header.sender = {"1.2.392.200284.33.9.1", kHospitalA};
  f.header.receiver = {"1.2.392.200284.0.1", "1.2.392.200284"};
  f.patient = person(kClinicB, "B-999", "晴山", "ハレヤマ", "ハナコ", "19500101", "086-1");
  xml::Writer w;
  write_feed(w, f);
  const std::string action = "urn:hl7-org:v3:PRPA_IN201301UV02";
  auto res = clients_.at(kHospitalA)
                 ->request({.method = "POST",
                            .url = portal_->url("nodes", "/pix/v3"),
                            .headers = {{"Content-Type", soap_content_type(action)}},
                            .body = soap(w.finish(), action)});
  // Refused in the ITI-44 answer itself: an MCCI_IN000002UV01 with AR and a policy code.
  ASSERT_EQ(res.status, 200) << res.body;
  auto doc = xml::parse(res.body);
  const AckMessage ack = parse_ack_message(payload_of(doc));
  EXPECT_EQ(ack.ack.code, AckCode::kAR);
  ASSERT_EQ(ack.ack.details.size(), 1u);
  EXPECT_EQ(ack.ack.details[0].code, "FOREIGN_FACILITY_DOMAIN");
  EXPECT_EQ(ack.ack.details[0].code_system, "1.2.392.200284.0.100");
  EXPECT_NE(ack.ack.details[0].text.find("its own patient id domain"), std::string::npos);
  // Nothing was registered under clinic B's domain: B-999 is unknown (AE 204).
  PixQuery q;
  q.header.id = {"1.2.392.200284.99", "q-spoof", ""};
  q.header.creation_time = "20261124000000";
  q.header.sender = {"1.2.392.200284.33.9.2", ""};
  q.header.receiver = {"1.2.392.200284.0.1", ""};
  q.query_id = {"1.2.392.200284.99.1", "q-spoof", ""};
  q.patient_id = {kClinicB, "B-999", ""};
  xml::Writer qw;
  write_pix_query(qw, q);
  EXPECT_EQ(parse_pix_response(
                payload_of(post(qw.finish(), "PRPA_IN201309UV02", clients_.at(kClinicB).get())))
                .ack.code,
            AckCode::kAE);
}

// Issue #15 leak 2 (the 2024 Osaka pattern): a node learns only what its role needs.
class NodeScopeOverHttps : public PixOverHttps {
 protected:
  // ITI-47 by family name (kana prefix allowed) as `via`: "authority^id" of each match, sorted,
  // one string per patient ("a|b" for a patient listed with two ids).
  std::vector<std::string> pdq(const std::string& family, http::BlockingHttpClient* via) {
    std::string q = testing::read_file(testing::ihe_dir() +
                                       "/samples/pdqv3/PDQ_connectathon2011_namespaces_issue.xml");
    q.replace(q.find("<ns1:given>CHIP</ns1:given>"), 27, "");
    q.replace(q.find("MOORE"), 5, family);
    auto res = via->request({.method = "POST",
                             .url = portal_->url("nodes", "/pdq/v3"),
                             .headers = {{"Content-Type", "application/soap+xml"}},
                             .body = soap(q, "urn:hl7-org:v3:PRPA_IN201305UV02")});
    EXPECT_EQ(res.status, 200) << res.body;
    const auto r = parse_pdq_response(payload_of(xml::parse(res.body)));
    std::vector<std::string> out;
    for (const auto& p : r.patients) {
      std::vector<std::string> ids;
      for (const auto& i : p.ids)
        ids.push_back(i.root + "^" + i.extension);
      std::sort(ids.begin(), ids.end());
      std::string joined;
      for (const auto& i : ids)
        joined += (joined.empty() ? "" : "|") + i;
      out.push_back(joined);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // "outcome|reason|detail" of the audit records of `actor`'s node queries, in order.
  std::vector<std::string> node_audit(const std::string& actor) {
    pg::Pool pool({.conninfo = db_, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) {
      std::vector<std::string> out;
      for (const auto& row :
           tx.raw().exec_params("SELECT outcome || '|' || reason || '|' || detail FROM audit_log "
                                "WHERE event_type = 'search' AND actor_user = $1 ORDER BY seq",
                                actor)) {
        out.push_back(row[0].as<std::string>());
      }
      return out;
    });
  }

  void SetUp() override {
    PixOverHttps::SetUp();
    // Aoki is hospital A's patient, and clinic B's; Abe only clinic B's and consented to
    // nobody; Arai only clinic C's, consented to every facility.
    feed(FeedKind::kAdd,
         person(kHospitalA, "A-10", "青木", "アオキ", "ハナコ", "19500101", "086-10"));
    feed(FeedKind::kAdd,
         person(kClinicB, "B-10", "青木", "アオキ", "ハナコ", "19500101", "086-10"));
    feed(FeedKind::kAdd, person(kClinicB, "B-20", "阿部", "アベ", "ハナコ", "19600101", "086-20"));
    feed(FeedKind::kAdd,
         person(kClinicC, "C-30", "新井", "アライ", "ハナコ", "19700101", "086-30"));
    consent(kClinicC, "C-30");
  }

  const std::string a10 = std::string(kHospitalA) + "^A-10";
  const std::string b10 = std::string(kClinicB) + "^B-10";
};

TEST_F(NodeScopeOverHttps, AGatewaySeesItsOwnPatientsAndTheCrossReferencesTheirConsentCovers) {
  http::BlockingHttpClient* gateway_a = clients_.at(kHospitalA).get();
  // A prefix sweep of the kana syllabary finds hospital A's own patient only, and without
  // clinic B's id while clinic B's consent does not cover hospital A.
  EXPECT_EQ(pdq("ア*", gateway_a), std::vector<std::string>{a10});
  EXPECT_EQ(query(kHospitalA, "A-10"), std::vector<std::string>{});
  EXPECT_EQ(last_query_ack_, AckCode::kAA);  // known, nothing to show: NF
  // Another facility's patients are unknown to it, consented or not (the same answer as an
  // id that does not exist).
  EXPECT_TRUE(query(kClinicB, "B-20", gateway_a).empty());
  EXPECT_EQ(last_query_ack_, AckCode::kAE);
  EXPECT_TRUE(query(kClinicC, "C-30", gateway_a).empty());
  EXPECT_EQ(last_query_ack_, AckCode::kAE);
  // Once clinic B's consent covers hospital A, the cross-reference is part of the answer.
  consent(kClinicB, "B-10", "1.2.392.200284.33.1310001");
  EXPECT_EQ(pdq("ア*", gateway_a), std::vector<std::string>{a10 + "|" + b10});
  EXPECT_EQ(query(kHospitalA, "A-10"), std::vector<std::string>{b10});
  // Clinic B sees its two patients, and hospital A's id of Aoki only with A's consent.
  EXPECT_EQ(pdq("ア*", clients_.at(kClinicB).get()),
            (std::vector<std::string>{b10, std::string(kClinicB) + "^B-20"}));
  // Every node query is in the audit, with what it disclosed.
  EXPECT_EQ(
      node_audit("gateway:1.2.392.200284.33.1310001"),
      (std::vector<std::string>{
          "success|node_query|ITI-47: 1 persons", "success|node_query|ITI-45: 0 cross-references",
          "success|node_query|ITI-45: 0 cross-references",
          "success|node_query|ITI-45: 0 cross-references", "success|node_query|ITI-47: 1 persons",
          "success|node_query|ITI-45: 1 cross-references"}));
}

TEST_F(NodeScopeOverHttps, ACertificateOfNoFacilitySeesNobody) {
  // The portal's own certificate is a network certificate but no facility's gateway.
  http::ClientSettings cs;
  cs.tls = {.ca_file = dev_pki().ca(),
            .cert_file = dev_pki().cert("portal"),
            .key_file = dev_pki().key("portal")};
  http::BlockingHttpClient stranger(cs);
  EXPECT_TRUE(pdq("ア*", &stranger).empty());
  EXPECT_TRUE(query(kHospitalA, "A-10", &stranger).empty());
  EXPECT_EQ(last_query_ack_, AckCode::kAE);
  EXPECT_EQ(node_audit("unregistered").size(), 2u);
}

// The configured exception: a registry tool may see everyone, and each query says so.
class RegistryWideNodeOverHttps : public NodeScopeOverHttps {
 protected:
  void configure(json& cfg) override {
    cfg["pix"] = {{"registry_wide_nodes",
                   json::array({{{"name", "mpi-review"},
                                 {"sha256", testing::cert_fingerprint(dev_pki().cert("portal"))},
                                 {"reason", "secretariat decision 2026-12 (duplicate review)"}}})}};
  }
};

TEST_F(RegistryWideNodeOverHttps, SeesTheWholeRegistryAndIsAuditedAsAnException) {
  http::ClientSettings cs;
  cs.tls = {.ca_file = dev_pki().ca(),
            .cert_file = dev_pki().cert("portal"),
            .key_file = dev_pki().key("portal")};
  http::BlockingHttpClient tool(cs);
  EXPECT_EQ(pdq("ア*", &tool).size(), 3u);
  EXPECT_EQ(
      node_audit("node:mpi-review"),
      std::vector<std::string>{"success|registry_wide_exception|ITI-47: 3 persons "
                               "(exception: secretariat decision 2026-12 (duplicate review))"});
}

TEST_F(PixOverHttps, MalformedEnvelopeIsASoapFault) {
  auto res = client_->request({.method = "POST",
                               .url = portal_->url("nodes", "/pix/v3"),
                               .headers = {{"Content-Type", "application/soap+xml"}},
                               .body = "<not-soap/>"});
  EXPECT_GE(res.status, 400);
  EXPECT_NE(res.body.find("Fault"), std::string::npos) << res.body;
}

// ITI-46 against a consumer that shares no code with the portal (tests/integration/
// soap_receiver.cpp: raw OpenSSL, hand-written acknowledgements).
class PixUpdateNotification : public PixOverHttps {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::SoapReceiver>(dev_pki().cert("gateway-b"),
                                                        dev_pki().key("gateway-b"), dev_pki().ca());
    registry_->answer_with("AE");  // refuses the first delivery
    PixOverHttps::SetUp();
  }
  void configure(json& cfg) override {
    cfg["client_tls"] = {{"ca_file", dev_pki().ca()},
                         {"cert_file", dev_pki().cert("portal")},
                         {"key_file", dev_pki().key("portal")}};
    cfg["pix"] = {{"consumers",
                   json::array({{{"name", "registry"},
                                 {"url", "https://127.0.0.1:" + std::to_string(registry_->port()) +
                                             "/pix/v3"}}})},
                  {"notify_interval_ms", 100}};
  }

  // The registry's outbox row as "status|last_error" ("" before there is one).
  std::string outbox_status() {
    pg::Pool pool({.conninfo = db_, .size = 1});
    return pg::transact(pool, [](pg::Tx& tx) {
      auto rows = tx.raw().exec(
          "SELECT status || '|' || last_error FROM pix_notification_outbox "
          "WHERE consumer = 'registry'");
      return rows.empty() ? std::string() : rows[0][0].as<std::string>();
    });
  }

  template <typename F>
  static bool eventually(F done, std::chrono::seconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      if (done())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  std::unique_ptr<testing::SoapReceiver> registry_;
};

TEST_F(PixUpdateNotification, ALinkIsNotifiedUntilTheConsumerAcknowledges) {
  ASSERT_EQ(feed(FeedKind::kAdd, person(kHospitalA, "0001000052", "晴山", "ハレヤマ", "ユウコ",
                                        "19480302", "086-000-1234")),
            AckCode::kAA);
  ASSERT_EQ(feed(FeedKind::kAdd, person(kClinicB, "12-345", "晴山", "ハレヤマ", "ユーコ",
                                        "19480302", "086-000-1234")),
            AckCode::kAA);
  // The automatic link reaches the consumer as a PRPA_IN201302UV02 with both ids.
  ASSERT_TRUE(eventually([&] { return !registry_->bodies().empty(); }, std::chrono::seconds(30)));
  const std::string first = registry_->bodies().front();
  EXPECT_NE(registry_->content_types().front().find("application/soap+xml"), std::string::npos);
  auto errors = testing::validate_hl7_text(first);
  EXPECT_TRUE(errors.empty()) << errors.front();
  auto doc = xml::parse(first);
  EXPECT_EQ(doc.root()
                .child("http://www.w3.org/2003/05/soap-envelope", "Header")
                .child("http://www.w3.org/2005/08/addressing", "Action")
                .text(),
            "urn:hl7-org:v3:PRPA_IN201302UV02");
  const PatientFeed notice = parse_feed(payload_of(doc));
  std::vector<std::string> ids;
  for (const Ii& id : notice.patient.ids)
    ids.push_back(id.root + "^" + id.extension);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{std::string(kHospitalA) + "^0001000052",
                                           std::string(kClinicB) + "^12-345"}));
  // AE is not a delivery: the row stays pending with the reason, and is sent again.
  ASSERT_TRUE(eventually(
      [&] { return outbox_status().rfind("pending|consumer answered 200 without AA/CA", 0) == 0; },
      std::chrono::seconds(30)))
      << outbox_status();
  registry_->answer_with("AA");
  ASSERT_TRUE(eventually([&] { return outbox_status().rfind("delivered|", 0) == 0; },
                         std::chrono::seconds(60)))
      << outbox_status();
  EXPECT_GE(registry_->bodies().size(), 2u);
  EXPECT_EQ(parse_feed(payload_of(xml::parse(registry_->bodies().back()))).patient.ids.size(), 2u);
}

// Issue #16: this network as an IHE XCPD responding community. The peer's gateway holds a
// certificate of another CA (its own network's), trusted in the node listener's CA bundle and
// pinned by fingerprint; the peer's homeCommunityId is the one of IPF's published sample, so
// the sample is sent unmodified.
class XcpdOverHttps : public NodeScopeOverHttps {
 protected:
  static constexpr const char* kHome = "1.2.392.200284.9001";
  static constexpr const char* kPeer = "1.2.3.928.955";

  void configure(json& cfg) override {
    const std::string bundle = dev_pki().dir + "/network-and-peer-ca.pem";
    std::ofstream(bundle) << testing::read_file(dev_pki().ca())
                          << testing::read_file(dev_pki().other_dir + "/ca.pem");
    cfg["listeners"]["nodes"]["client_ca_file"] = bundle;
    cfg["xcpd"] = {
        {"home_community_id", kHome},
        {"peers", json::array({{{"name", "hm-net"},
                                {"home_community_id", kPeer},
                                {"sha256", testing::cert_fingerprint(dev_pki().other_dir +
                                                                     "/stranger.pem")}}})}};
  }

  void SetUp() override {
    NodeScopeOverHttps::SetUp();
    http::ClientSettings cs;
    cs.tls = {.ca_file = dev_pki().ca(),
              .cert_file = dev_pki().other_dir + "/stranger.pem",
              .key_file = dev_pki().other_dir + "/stranger.key"};
    peer_ = std::make_unique<http::BlockingHttpClient>(cs);
  }

  // A consent of `local_id` at the facility of `authority` for the peer community.
  void community_consent(const std::string& authority, const std::string& local_id,
                         std::optional<std::set<consent::Category>> scope = std::nullopt) {
    pg::Pool pool({.conninfo = db_, .size = 1});
    consent::PgConsentStore store(pool);
    consent::NewConsent c;
    c.patient = {authority, local_id};
    c.source_facility = authority.substr(0, authority.size() - 2);
    c.viewer_community = kPeer;
    c.scope = std::move(scope);
    c.starts_at = std::chrono::system_clock::now() - std::chrono::hours(1);
    c.registered_by = "test";
    c.document_ref = "paper-xcpd";
    store.give(c, std::chrono::system_clock::now());
  }

  static std::string sample() {
    return testing::read_file(testing::ihe_dir() + "/samples/xcpd/iti55-sample-request.xml");
  }

  // The sample with this network's patient in place of Jimmy Jones (kana, as Japanese
  // networks send them); sex "" leaves the gender out.
  static std::string query_for(const std::string& family, const std::string& given,
                               const std::string& birth, const std::string& sex) {
    std::string q = sample();
    auto put = [&q](const std::string& from, const std::string& to) {
      q.replace(q.find(from), from.size(), to);
    };
    put("<given>Jimmy</given>", "<given>" + given + "</given>");
    put("<family>Jones</family>", "<family>" + family + "</family>");
    put("19630805", birth);
    if (sex.empty()) {
      const auto from = q.find("<livingSubjectAdministrativeGender>");
      const std::string end = "</livingSubjectAdministrativeGender>";
      q.erase(from, q.find(end) + end.size() - from);
    } else {
      put("<value code=\"M\"/>", "<value code=\"" + sex + "\"/>");
    }
    return q;
  }

  http::ClientResponse xcpd(const std::string& payload, http::BlockingHttpClient* via = nullptr) {
    const std::string action = "urn:hl7-org:v3:PRPA_IN201305UV02:CrossGatewayPatientDiscovery";
    return (via ? via : peer_.get())
        ->request({.method = "POST",
                   .url = portal_->url("nodes", "/xcpd/v3"),
                   .headers = {{"Content-Type", soap_content_type(action)}},
                   .body = soap(payload, action)});
  }

  // The parsed answer, after checking it is a valid PRPA_IN201306UV02 with the XCPD action.
  ParsedPdqResponse answer(const std::string& payload) {
    const auto res = xcpd(payload);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_NE(res.body.find("PRPA_IN201306UV02:CrossGatewayPatientDiscovery"), std::string::npos);
    EXPECT_EQ(testing::validate_hl7_text(res.body), std::vector<std::string>{}) << res.body;
    last_body_ = res.body;
    return parse_pdq_response(payload_of(xml::parse(res.body)));
  }

  std::unique_ptr<http::BlockingHttpClient> peer_;
  std::string last_body_;
};

TEST_F(XcpdOverHttps, ThePublishedSampleIsAcceptedUnmodifiedAndAnswersNoMatch) {
  const auto r = answer(sample());
  EXPECT_EQ(r.ack.code, AckCode::kAA);
  EXPECT_EQ(r.query_response_code, "NF");
  EXPECT_TRUE(r.patients.empty());
  // The peer's own ids (its SSN-like domains) are ignored, not refused.
  EXPECT_EQ(r.header.sender.organization_id, kHome);
}

TEST_F(XcpdOverHttps, OnlyAPatientWhoseConsentNamesThePeerIsDiscovered) {
  // Aoki has not consented to the peer network: no match, as if unknown. Arai consented to
  // every participating facility, which does not reach across the border.
  EXPECT_TRUE(answer(query_for("アオキ", "ハナコ", "19500101", "F")).patients.empty());
  EXPECT_TRUE(answer(query_for("アライ", "ハナコ", "19700101", "F")).patients.empty());
  // A consent for the peer that leaves out demographics does not make her discoverable.
  community_consent(kClinicB, "B-10",
                    std::set<consent::Category>{consent::Category::kPrescriptions});
  EXPECT_TRUE(answer(query_for("アオキ", "ハナコ", "19500101", "F")).patients.empty());
  // With clinic B's consent for the peer, she is found once, under this community's
  // patient id (one id: her PIX person), with this community as custodian; hospital A's
  // identity (not consented) is not in it.
  community_consent(kClinicB, "B-10");
  const auto r = answer(query_for("アオキ", "ハナコ", "19500101", "F"));
  EXPECT_EQ(r.query_response_code, "OK");
  ASSERT_EQ(r.patients.size(), 1u);
  ASSERT_EQ(r.patients[0].ids.size(), 1u);
  EXPECT_EQ(r.patients[0].ids[0].root, std::string(kHome) + ".1");
  EXPECT_EQ(r.custodians, std::vector<std::string>{kHome});
  EXPECT_EQ(last_body_.find("A-10"), std::string::npos);
  EXPECT_EQ(last_body_.find("B-10"), std::string::npos);
  EXPECT_NE(last_body_.find("NotHealthDataLocator"), std::string::npos);
  // The community patient id alone finds her again (what an XCA query will carry).
  std::string by_id = sample();
  by_id.replace(
      by_id.find("root=\"1.2.840.114350.1.13.99997.2.3412\" extension=\"1234\""),
      std::string("root=\"1.2.840.114350.1.13.99997.2.3412\" extension=\"1234\"").size(),
      "root=\"" + std::string(kHome) + ".1\" extension=\"" + r.patients[0].ids[0].extension + "\"");
  by_id.replace(by_id.find("<given>Jimmy</given>"), 20, "<given>ハナコ</given>");
  by_id.replace(by_id.find("<family>Jones</family>"), 22, "<family>アオキ</family>");
  by_id.replace(by_id.find("19630805"), 8, "19500101");
  by_id.replace(by_id.find("<value code=\"M\"/>"), 17, "<value code=\"F\"/>");
  EXPECT_EQ(answer(by_id).patients.size(), 1u);
  // Every answer is audited on this side, with what it disclosed.
  const auto audit = node_audit("community:hm-net (1.2.3.928.955)");
  ASSERT_EQ(audit.size(), 5u);
  EXPECT_EQ(audit[0], "success|cross_community_query|ITI-55: 0 persons");
  EXPECT_EQ(audit[3], "success|cross_community_query|ITI-55: 1 persons");
}

TEST_F(XcpdOverHttps, AnAmbiguousMatchAsksForMoreAttributesInsteadOfGuessing) {
  // Two different people with the same kana name and birth date, both consented to the peer.
  Patient man = person(kClinicC, "C-40", "青木", "アオキ", "ハナコ", "19500101", "086-40");
  man.sex = Sex::kMale;
  man.names[0].given = "花男";
  feed(FeedKind::kAdd, man);
  community_consent(kClinicB, "B-10");
  community_consent(kClinicC, "C-40");
  const auto r = answer(query_for("アオキ", "ハナコ", "19500101", ""));
  EXPECT_EQ(r.ack.code, AckCode::kAA);
  EXPECT_EQ(r.query_response_code, "NF");
  EXPECT_TRUE(r.patients.empty());
  EXPECT_EQ(r.requested_attributes,
            (std::vector<std::string>{"LivingSubjectAdministrativeGenderRequested",
                                      "PatientTelecomRequested"}));
  // With the gender, one of them is certain.
  EXPECT_EQ(answer(query_for("アオキ", "ハナコ", "19500101", "F")).patients.size(), 1u);
}

TEST_F(XcpdOverHttps, WhoAsksAndHowIsChecked) {
  community_consent(kClinicB, "B-10");
  // A gateway of this network is not a peer community, nor is an unconfigured certificate.
  const auto by_gateway =
      xcpd(query_for("アオキ", "ハナコ", "19500101", "F"), clients_.at(kHospitalA).get());
  EXPECT_EQ(by_gateway.status, 403);
  EXPECT_NE(by_gateway.body.find("not a configured peer community"), std::string::npos);
  // The peer's certificate with another community's id in the message.
  std::string spoofed = query_for("アオキ", "ハナコ", "19500101", "F");
  const std::string sender = "<id root=\"" + std::string(kPeer) + "\"/>";
  spoofed.replace(spoofed.find(sender), sender.size(), "<id root=\"1.2.3.4.5\"/>");
  auto r = answer(spoofed);
  EXPECT_EQ(r.ack.code, AckCode::kAE);
  EXPECT_TRUE(r.patients.empty());
  // A wildcard or a partial birth date is not a cross-community query.
  r = answer(query_for("アオ*", "ハナコ", "19500101", "F"));
  EXPECT_EQ(r.ack.code, AckCode::kAE);
  EXPECT_EQ(r.query_response_code, "QE");
  r = answer(query_for("アオキ", "ハナコ", "1950", "F"));
  EXPECT_EQ(r.query_response_code, "QE");
  // The PDQ action on the XCPD endpoint is a SOAP fault.
  const auto wrong = peer_->request({.method = "POST",
                                     .url = portal_->url("nodes", "/xcpd/v3"),
                                     .headers = {{"Content-Type", "application/soap+xml"}},
                                     .body = soap(sample(), "urn:hl7-org:v3:PRPA_IN201305UV02")});
  EXPECT_NE(wrong.status, 200);
  EXPECT_NE(wrong.body.find("ActionNotSupported"), std::string::npos);
}

}  // namespace
}  // namespace hareyaka
