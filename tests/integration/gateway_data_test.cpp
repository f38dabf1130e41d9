// The gateway daemon as the portal sees it: the NHO SS-MIX2 sample served over mutual TLS,
// every request checked against a signed access assertion and written to the local audit,
// and changes to the storage followed while it runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/assertion.hpp"
#include "common/error.hpp"
#include "common/http_client.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/data.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::dev_pki;

constexpr const char* kFacility = "1.2.392.200284.33.1310001";
constexpr const char* kAuthority = "1.2.392.200284.33.1310001.1";

class GatewayData : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = tmp_.path() + "/ssmix2";
    fs::copy(testing::test_data_dir() + "/ssmix2-nho/sampleData", storage_,
             fs::copy_options::recursive);
    json cfg{{"facility_oid", kFacility},
             {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
             // The portal, and an operator's monitoring ("client").
             {"node_readers",
              {testing::cert_fingerprint(dev_pki().cert("portal")),
               testing::cert_fingerprint(dev_pki().cert("client"))}},
             {"listener",
              {{"port", 0},
               {"cert_file", dev_pki().cert("gateway-a")},
               {"key_file", dev_pki().key("gateway-a")},
               {"client_auth", "require"},
               {"client_ca_file", dev_pki().ca()}}},
             {"storage",
              {{"ssmix2_root", storage_},
               {"state_dir", tmp_.path() + "/state"},
               {"reconcile_interval_ms", 500}}}};
    gw_ = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway", cfg, "gateway");
    http::ClientSettings cs;
    cs.tls = {.ca_file = dev_pki().ca(),
              .cert_file = dev_pki().cert("portal"),
              .key_file = dev_pki().key("portal")};
    client_ = std::make_unique<http::BlockingHttpClient>(cs);
    ASSERT_TRUE(testing::poll_until([&] { return get("/readyz", "").status == 200; },
                                    std::chrono::seconds(60)))
        << gw_->log();
  }

  std::string assertion(const std::string& local_id, const std::string& category,
                        std::int64_t expires_in = 60) {
    static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                  testing::cert_fingerprint(dev_pki().cert("portal")));
    const auto now = unix_now();
    return signer.sign({.user = "dr-test",
                        .profession = "doctor",
                        .facility_oid = "1.2.392.200284.33.2000001",
                        .audience = kFacility,
                        .authority = kAuthority,
                        .local_id = local_id,
                        .category = category,
                        .request_id = "it-1",
                        // An expired one was issued a minute before it expired (an assertion
                        // that expires before it is issued is malformed, not expired).
                        .issued_at = std::min(now - 1, now + expires_in - 60),
                        .expires_at = now + expires_in});
  }

  http::ClientResponse get(const std::string& path, const std::string& token) {
    http::ClientRequest r{.url = gw_->url("nodes", path)};
    if (!token.empty())
      r.headers[kAssertionHeader] = token;
    return client_->request(r);
  }

  // The same request over another node's TLS client certificate (dev PKI node name).
  http::ClientResponse get_as(const std::string& node, const std::string& path,
                              const std::string& token) {
    http::ClientSettings cs;
    cs.tls = {.ca_file = dev_pki().ca(),
              .cert_file = dev_pki().cert(node),
              .key_file = dev_pki().key(node)};
    http::BlockingHttpClient client(cs);
    http::ClientRequest r{.url = gw_->url("nodes", path)};
    if (!token.empty())
      r.headers[kAssertionHeader] = token;
    return client.request(r);
  }

  testing::TempDir tmp_;
  std::string storage_;
  std::unique_ptr<testing::Daemon> gw_;
  std::unique_ptr<http::BlockingHttpClient> client_;
};

TEST_F(GatewayData, ServesTheSampleRecordWithConcreteValues) {
  auto demo = get("/gw/v1/patients/9999013", assertion("9999013", "demographics"));
  ASSERT_EQ(demo.status, 200) << demo.body;
  auto p = json::parse(demo.body)["patient"];
  EXPECT_EQ(p["name_kanji"]["family"], "患者");
  EXPECT_EQ(p["name_kanji"]["given"], "太郎");
  EXPECT_EQ(p["name_kana"]["family"], "カンジャ");
  EXPECT_EQ(p["birth_date"], "1948-04-05");

  auto dx =
      json::parse(get("/gw/v1/patients/9999013/diagnoses", assertion("9999013", "diagnoses")).body);
  bool gastritis = false;
  for (const auto& d : dx["items"]) {
    if (d["name"]["display"] == "胃炎") {
      gastritis = true;
      EXPECT_EQ(d["icd10"]["code"], "K297");
      EXPECT_EQ(d["name"]["system"], "MDCDX2");
    }
  }
  EXPECT_TRUE(gastritis) << dx.dump();

  auto rx = json::parse(
      get("/gw/v1/patients/9999013/prescriptions", assertion("9999013", "prescriptions")).body);
  bool darzen = false;
  for (const auto& r : rx["items"]) {
    if (r["drug"]["code"] == "108665201") {
      darzen = true;
      EXPECT_EQ(r["drug"]["system"], "HOT9");
      EXPECT_EQ(r["dose"]["value"], "1");
      EXPECT_EQ(r["days"], "5");
    }
  }
  EXPECT_TRUE(darzen) << rx.dump();

  auto lab = json::parse(
      get("/gw/v1/patients/9999013/lab_results", assertion("9999013", "lab_results")).body);
  bool ag = false;
  for (const auto& result : lab["items"]) {
    for (const auto& item : result["items"]) {
      if (item["code"]["code"] == "3A016000002327102") {
        ag = true;
        EXPECT_EQ(item["value"], "1.7");
        EXPECT_EQ(item["range"], "1.2-2.0");
        EXPECT_EQ(item["code"]["system"], "JC10");
      }
    }
  }
  EXPECT_TRUE(ag) << lab.dump();
}

TEST_F(GatewayData, RefusesMissingExpiredForgedAndMisdirectedAssertions) {
  EXPECT_EQ(get("/gw/v1/patients/9999013", "").status, 401);
  EXPECT_EQ(get("/gw/v1/patients/9999013", assertion("9999013", "demographics", -120)).status, 401);
  // Signed by someone else.
  testing::TempDir keys;
  testing::run_checked({"openssl", "genpkey", "-algorithm", "ed25519", "-out", keys.path() + "/k"});
  AssertionSigner forger(keys.path() + "/k");
  const auto now = unix_now();
  auto forged = forger.sign({.user = "x",
                             .profession = "doctor",
                             .facility_oid = "1.2.3",
                             .audience = kFacility,
                             .authority = kAuthority,
                             .local_id = "9999013",
                             .category = "demographics",
                             .issued_at = now,
                             .expires_at = now + 60});
  EXPECT_EQ(get("/gw/v1/patients/9999013", forged).status, 401);
  // For another patient, or another category.
  EXPECT_EQ(get("/gw/v1/patients/9999013", assertion("0000001", "demographics")).status, 403);
  EXPECT_EQ(get("/gw/v1/patients/9999013/lab_results", assertion("9999013", "diagnoses")).status,
            403);
  // Every attempt is in the local audit, refused ones with the reason.
  std::string text = testing::read_file(tmp_.path() + "/state/audit.jsonl");
  EXPECT_NE(text.find("access assertion expired"), std::string::npos);
  EXPECT_NE(text.find("access assertion signature invalid"), std::string::npos);
  EXPECT_NE(text.find("access assertion is for another patient"), std::string::npos);
  EXPECT_NE(text.find("no access assertion"), std::string::npos);
}

// Issue #15 leak 7: an assertion is good once, for the node it names, for a short time.
TEST_F(GatewayData, RefusesAReplayedAssertion) {
  const std::string token = assertion("9999013", "demographics");
  ASSERT_EQ(get("/gw/v1/patients/9999013", token).status, 200);
  auto again = get("/gw/v1/patients/9999013", token);
  EXPECT_EQ(again.status, 401) << again.body;
  EXPECT_EQ(json::parse(again.body)["message"], "access assertion already used");
  // A fresh one for the same request is fine: the cache holds ids, not requests.
  EXPECT_EQ(get("/gw/v1/patients/9999013", assertion("9999013", "demographics")).status, 200);
  const std::string text = testing::read_file(tmp_.path() + "/state/audit.jsonl");
  EXPECT_NE(text.find("access assertion already used"), std::string::npos) << text;
}

TEST_F(GatewayData, RefusesAnAssertionPresentedByAnotherNode) {
  // Signed by the portal's key for the portal's certificate, presented by gateway-b's.
  auto stolen =
      get_as("gateway-b", "/gw/v1/patients/9999013", assertion("9999013", "demographics"));
  EXPECT_EQ(stolen.status, 403) << stolen.body;
  EXPECT_EQ(json::parse(stolen.body)["message"], "access assertion was issued to another node");
  // The node named presents it: served.
  EXPECT_EQ(get("/gw/v1/patients/9999013", assertion("9999013", "demographics")).status, 200);
  const std::string text = testing::read_file(tmp_.path() + "/state/audit.jsonl");
  EXPECT_NE(text.find("access assertion was issued to another node"), std::string::npos);
}

TEST_F(GatewayData, RefusesAnAssertionLivingTooLongOrIssuedInTheFuture) {
  auto forever =
      get("/gw/v1/patients/9999013", assertion("9999013", "demographics", 1'000'000'000));
  EXPECT_EQ(forever.status, 401) << forever.body;
  EXPECT_EQ(json::parse(forever.body)["message"],
            "access assertion lifetime is longer than this gateway accepts");
  // Ten minutes ahead is beyond the clock skew: not yet valid, however short its life.
  static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                testing::cert_fingerprint(dev_pki().cert("portal")));
  const auto later = unix_now() + 600;
  auto future = signer.sign({.user = "dr-test",
                             .profession = "doctor",
                             .facility_oid = "1.2.392.200284.33.2000001",
                             .audience = kFacility,
                             .authority = kAuthority,
                             .local_id = "9999013",
                             .category = "demographics",
                             .issued_at = later,
                             .expires_at = later + 60});
  EXPECT_EQ(get("/gw/v1/patients/9999013", future).status, 401);
}

TEST_F(GatewayData, NodeEndpointsAnswerOnlyThePortalAndOperators) {
  for (const char* path : {"/gw/v1/stats", "/gw/v1/problems", "/metrics"}) {
    EXPECT_EQ(get(path, "").status, 200) << path;               // the portal
    EXPECT_EQ(get_as("client", path, "").status, 200) << path;  // an operator
    auto other = get_as("gateway-b", path, "");                 // another network node
    EXPECT_EQ(other.status, 403) << path << " " << other.body;
  }
}

TEST_F(GatewayData, ReportsBrokenFilesAndKeepsServing) {
  auto problems = json::parse(get("/gw/v1/problems", "").body);
  std::string all = problems.dump();
  EXPECT_NE(all.find("000/000/0000001"), std::string::npos) << all;
  EXPECT_GE(problems["items"].size(), 2u);
  for (const auto& p : problems["items"])
    EXPECT_FALSE(p["reason"].get<std::string>().empty());
}

TEST_F(GatewayData, FollowsUpdatesAndDeletesWhileRunning) {
  const std::string dir = storage_ + "/999/901/9999013/20111013/OMD";
  std::string current;
  for (const auto& e : fs::directory_iterator(dir))
    current = e.path().filename().string();
  ASSERT_FALSE(current.empty());
  auto meals = [&] {
    auto r = get("/gw/v1/patients/9999013/meals", assertion("9999013", "meals"));
    return json::parse(r.body)["items"];
  };
  ASSERT_EQ(meals().size(), 1u);
  // File name: patient_date_type_order_timestamp_department_flag.
  auto with = [](std::string name, const std::string& timestamp, char flag) {
    std::vector<std::string> parts;
    std::size_t pos = 0, next;
    while ((next = name.find('_', pos)) != std::string::npos) {
      parts.push_back(name.substr(pos, next - pos));
      pos = next + 1;
    }
    parts.push_back(name.substr(pos));
    parts[4] = timestamp;
    parts[6] = std::string(1, flag);
    std::string out;
    for (const auto& p : parts)
      out += (out.empty() ? "" : "_") + p;
    return out;
  };
  const std::string content = testing::read_file(dir + "/" + current);
  // The EMR supersedes the order: the old file becomes _2 and a new _1 appears.
  fs::rename(dir + "/" + current, dir + "/" + current.substr(0, current.size() - 1) + "2");
  std::ofstream(dir + "/" + with(current, "20111015000000000", '1'), std::ios::binary) << content;
  EXPECT_TRUE(testing::poll_until(
      [&] {
        auto items = meals();
        return items.size() == 1 &&
               items[0]["source"]["timestamp"].get<std::string>() == "20111015000000000";
      },
      std::chrono::seconds(20)));
  // Then deletes it: a flag-0 file hides the current one.
  std::ofstream(dir + "/" + with(current, "20111016000000000", '0'), std::ios::binary) << content;
  EXPECT_TRUE(testing::poll_until([&] { return meals().empty(); }, std::chrono::seconds(20)));
}

}  // namespace
}  // namespace hareyaka
