// Preservation keeps only consented patients (issue #20): the gateway asks the portal
// (GET /api/gw/v1/consented-patients, the facility named by its certificate) and preserves
// the minimum data set of those alone; a patient who consents later is preserved within the
// refresh, and one whose consent is withdrawn is purged from every node. Real portal (the trust
// network: PostgreSQL, bootstrap), gateway and node.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "consent/pg_consent_store.hpp"
#include "tests/integration/preservation_network.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::net;

// The disclosing hospital and its gateway certificate, registered once through the admin API.
void register_hospital() {
  static const bool done = [] {
    auto r = net().admin->call("POST", "/api/v1/admin/facilities",
                               {{"oid", testing::kHospitalOid},
                                {"name", "晴れやか総合病院"},
                                {"kind", "hospital"},
                                {"discloses", true},
                                {"views", false},
                                {"gateway_url", net().gateway->url("nodes", "")},
                                {"gateway_cert_sha256", net().gateway_sha256}});
    if (r.status != 201)
      throw std::runtime_error("hospital: " + r.body);
    return true;
  }();
  (void)done;
}

std::int64_t give_consent(const std::string& local_id) {
  register_hospital();
  consent::PgConsentStore store(*net().pool);
  consent::NewConsent c;
  c.patient = {testing::kHospitalDomain, local_id};
  c.source_facility = testing::kHospitalOid;
  c.starts_at = std::chrono::system_clock::now() - std::chrono::hours(1);
  c.registered_by = "test";
  c.document_ref = "paper-preserve";
  return store.give(c, std::chrono::system_clock::now()).id;
}

std::set<std::string> consented_at_portal() {
  http::ClientSettings cs;
  cs.tls = {.ca_file = testing::dev_pki().ca(),
            .cert_file = testing::dev_pki().cert("gateway-a"),
            .key_file = testing::dev_pki().key("gateway-a")};
  http::BlockingHttpClient client(cs);
  auto r = client.request({.url = net().portal->url("nodes", "/api/gw/v1/consented-patients")});
  EXPECT_EQ(r.status, 200) << r.body;
  const json page = json::parse(r.body);
  return page["items"].get<std::set<std::string>>();
}

std::set<std::string> patients_in(const std::string& root) {
  std::set<std::string> ids;
  for (const auto& a : fs::directory_iterator(root))
    for (const auto& b : fs::directory_iterator(a.path()))
      for (const auto& c : fs::directory_iterator(b.path()))
        ids.insert(c.path().filename().string());
  return ids;
}

TEST(PreservationConsent, OnlyConsentedPatientsArePreservedAndANewConsentIsPickedUp) {
  testing::PreservationNetwork pn(6, net().portal->url("nodes", ""));
  const auto ids = patients_in(pn.storage);
  ASSERT_EQ(ids.size(), 6u);
  // Two of this storage's patients consented (others may have from the trust network's
  // own set-up; the portal's answer is the truth).
  give_consent(*ids.begin());
  give_consent(*std::next(ids.begin()));
  std::set<std::string> expected;
  for (const auto& id : consented_at_portal())
    if (ids.contains(id))
      expected.insert(id);
  ASSERT_GE(expected.size(), 2u);
  ASSERT_LT(expected.size(), ids.size()) << "the test needs a patient without consent";

  pn.start_gateway();
  ASSERT_TRUE(testing::poll_until(
      [&] { return pn.generations_per_patient("east").size() == expected.size(); },
      std::chrono::seconds(60)))
      << pn.preserve_status().dump() << pn.gateway->log();
  ASSERT_TRUE(pn.wait_preserved(std::chrono::seconds(60)));
  auto restored = pn.restore("east", pn.tmp.path() + "/restored");
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_EQ(patients_in(pn.tmp.path() + "/restored"), expected);

  // A patient consents later: preserved at the next refresh, nobody else.
  std::string later;
  for (const auto& id : ids)
    if (!expected.contains(id))
      later = id;
  const std::int64_t later_consent = give_consent(later);
  expected.insert(later);
  ASSERT_TRUE(testing::poll_until(
      [&] { return pn.generations_per_patient("west").size() == expected.size(); },
      std::chrono::seconds(60)))
      << pn.preserve_status().dump();
  ASSERT_TRUE(pn.wait_preserved(std::chrono::seconds(60)));
  auto again = pn.restore("west", pn.tmp.path() + "/again");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(patients_in(pn.tmp.path() + "/again"), expected);
  EXPECT_EQ(pn.preserve_status()["consented_patients"].get<std::size_t>(),
            consented_at_portal().size());

  // That consent is withdrawn: at the next refresh both nodes drop the patient's generations
  // and objects; the others stay.
  consent::PgConsentStore(*net().pool)
      .withdraw(later_consent, "test", "撤回", std::chrono::system_clock::now());
  expected.erase(later);
  for (const char* node : {"east", "west"}) {
    ASSERT_TRUE(testing::poll_until(
        [&] { return pn.generations_per_patient(node).size() == expected.size(); },
        std::chrono::seconds(60)))
        << node << " " << pn.preserve_status().dump() << pn.gateway->log();
  }
  ASSERT_TRUE(pn.wait_preserved(std::chrono::seconds(60)));
  const json status = pn.preserve_status();
  for (const auto& n : status["nodes"])
    EXPECT_EQ(n["purged"].get<int>(), 1) << status.dump();
  auto after = pn.restore("east", pn.tmp.path() + "/after");
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(patients_in(pn.tmp.path() + "/after"), expected);
}

TEST(PreservationConsent, TheConsentListAnswersOnlyARegisteredGateway) {
  register_hospital();
  for (const std::string node : {"client", "portal"}) {
    http::ClientSettings cs;
    cs.tls = {.ca_file = testing::dev_pki().ca(),
              .cert_file = testing::dev_pki().cert(node),
              .key_file = testing::dev_pki().key(node)};
    http::BlockingHttpClient client(cs);
    auto r = client.request({.url = net().portal->url("nodes", "/api/gw/v1/consented-patients")});
    EXPECT_EQ(r.status, 403) << node << " " << r.body;
  }
}

}  // namespace
}  // namespace hareyaka
