// Disaster-time preservation (issue #20) with the real daemons: a gateway sends the minimum
// data set of its storage to two preservation nodes; `hareyaka-gateway restore` rebuilds a
// storage identical by hash; the nodes hold nothing readable, refuse other certificates, keep
// generations, and a tampered object is found. kill -9 of a node and of the gateway during the
// transfer lose and duplicate nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/digest.hpp"
#include "tests/integration/preservation_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::kPreservedFacility;
using testing::PreservationNetwork;

constexpr auto kWait = std::chrono::seconds(120);

json report_of(const testing::RunResult& r) {
  const auto start = r.output.find('{');
  return start == std::string::npos ? json() : json::parse(r.output.substr(start), nullptr, false);
}

TEST(Preservation, BothNodesHoldTheMinimumDataSetAndARestoreIsIdenticalByHash) {
  PreservationNetwork net(15);
  net.start_gateway();
  ASSERT_TRUE(net.wait_preserved(kWait)) << net.preserve_status().dump() << net.gateway->log();
  const auto expected = net.preserved_files(net.storage);
  ASSERT_GT(expected.size(), 100u);
  for (const std::string node : {"east", "west"}) {
    const std::string into = net.tmp.path() + "/restored-" + node;
    auto r = net.restore(node, into);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto report = report_of(r);
    EXPECT_EQ(report["patients"], 15) << r.output;
    EXPECT_EQ(report["files"], expected.size());
    EXPECT_TRUE(report["problems"].empty());
    EXPECT_EQ(net.all_files(into), expected) << node;
  }
  // What the nodes keep is sealed: no patient id, no HL7 segment in any stored file.
  const std::string some_patient = expected.begin()->first.substr(8, 7);
  for (const auto& e : fs::recursive_directory_iterator(net.tmp.path() + "/node-east")) {
    if (!e.is_regular_file())
      continue;
    const std::string bytes = testing::read_file(e.path().string());
    ASSERT_EQ(bytes.find("MSH|"), std::string::npos) << e.path();
    ASSERT_EQ(bytes.find(some_patient), std::string::npos) << e.path();
    ASSERT_EQ(e.path().string().find(some_patient), std::string::npos) << e.path();
  }
}

TEST(Preservation, OnlyTheFacilitysCertificatesWriteAndRead) {
  PreservationNetwork net(2);
  const std::string base = std::string("/pv/v1/facilities/") + kPreservedFacility;
  const std::string blob = "sealed";
  http::ClientRequest put{
      .method = "PUT", .url = base + "/objects/" + sha256_hex(blob), .body = blob};
  // The standby may read, never write; the portal is not listed at all.
  EXPECT_EQ(net.node_request("east", "gateway-b", put).status, 403);
  EXPECT_EQ(net.node_get("east", "portal", base + "/patients").status, 403);
  EXPECT_EQ(net.node_get("east", "gateway-b", base + "/patients").status, 200);
  EXPECT_EQ(
      net.node_get("east", "gateway-a", "/pv/v1/facilities/1.2.392.200284.33.9/patients").status,
      403)
      << "another facility";
  EXPECT_EQ(net.node_request("east", "gateway-a", put).status, 201);
  EXPECT_EQ(net.node_request("east", "gateway-a", put).status, 200) << "a resend";
  put.url = base + "/objects/" + sha256_hex("other");
  EXPECT_EQ(net.node_request("east", "gateway-a", put).status, 400) << "digest mismatch";
  EXPECT_EQ(net.node_request("east", "gateway-a",
                             {.method = "PUT",
                              .url = base + "/patients/" + std::string(64, 'a') +
                                     "/generations/1765000000000-0123abcd",
                              .body = "{\"format\": \"x\"}"})
                .status,
            400);
  EXPECT_THROW(net.node_get("east", "stranger", base + "/patients"), std::exception)
      << "a certificate of another CA does not get through TLS";
}

TEST(Preservation, ChangesBecomeNewGenerationsAndAnOlderOneCanBeRestored) {
  PreservationNetwork net(3);
  net.start_gateway();
  ASSERT_TRUE(net.wait_preserved(kWait)) << net.gateway->log();
  const auto before = net.preserved_files(net.storage);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto as_of = std::chrono::system_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  // A new lab result file for one patient (a copy of one of its own under a newer name).
  std::string source;
  for (const auto& [path, sha] : before) {
    if (path.find("/OML-11/") != std::string::npos)
      source = path;
  }
  ASSERT_FALSE(source.empty());
  std::string name = fs::path(source).filename().string();
  const auto ts = name.find('_', name.find("OML-11_") + 7) + 1;  // the timestamp part
  name.replace(ts, 17, "20991231235959000");
  const std::string added = fs::path(source).parent_path().string() + "/" + name;
  // Counted before the copy: the new generation can be at the node within milliseconds.
  const auto ref_gens_before = net.generations_per_patient("east");
  fs::copy_file(net.storage + "/" + source, net.storage + "/" + added);
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto now = net.generations_per_patient("east");
        std::size_t total = 0, was = 0;
        for (const auto& [r, n] : now)
          total += n;
        for (const auto& [r, n] : ref_gens_before)
          was += n;
        return total == was + 1;
      },
      kWait))
      << net.gateway->log();
  ASSERT_TRUE(net.wait_preserved(kWait));
  auto latest = net.restore("east", net.tmp.path() + "/latest");
  ASSERT_EQ(latest.exit_code, 0) << latest.output;
  EXPECT_TRUE(net.all_files(net.tmp.path() + "/latest").contains(added));
  EXPECT_EQ(net.all_files(net.tmp.path() + "/latest"), net.preserved_files(net.storage));
  // As of before the change: the set as it was.
  const std::time_t t = std::chrono::system_clock::to_time_t(as_of);
  char iso[32];
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  auto older = net.restore("east", net.tmp.path() + "/older", {"--as-of", iso});
  ASSERT_EQ(older.exit_code, 0) << older.output;
  EXPECT_EQ(net.all_files(net.tmp.path() + "/older"), before);
}

TEST(Preservation, ATamperedObjectIsFoundAndNotWrittenWhileTheOtherNodeRestoresWhole) {
  PreservationNetwork net(3);
  net.start_gateway();
  ASSERT_TRUE(net.wait_preserved(kWait)) << net.gateway->log();
  // An attacker (or a failing disk) at the east node alters one stored object.
  std::string victim;
  for (const auto& e : fs::recursive_directory_iterator(net.tmp.path() + "/node-east")) {
    if (e.is_regular_file() && e.path().string().find("/objects/") != std::string::npos)
      victim = e.path().string();
  }
  ASSERT_FALSE(victim.empty());
  fs::permissions(victim, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('#');
  }
  const auto expected = net.preserved_files(net.storage);
  auto east = net.restore("east", net.tmp.path() + "/from-east");
  EXPECT_EQ(east.exit_code, 1) << east.output;
  auto report = report_of(east);
  ASSERT_EQ(report["problems"].size(), 1u) << east.output;
  EXPECT_EQ(report["problems"][0]["reason"],
            "object altered at the node (digest or authentication)");
  EXPECT_EQ(report["files"], expected.size() - 1);
  for (const auto& [path, sha] : net.all_files(net.tmp.path() + "/from-east"))
    EXPECT_EQ(expected.at(path), sha) << "nothing altered is written";
  auto west = net.restore("west", net.tmp.path() + "/from-west");
  EXPECT_EQ(west.exit_code, 0) << west.output;
  EXPECT_EQ(net.all_files(net.tmp.path() + "/from-west"), expected);
  // A manifest altered at the node fails its signature; the restore says so.
  std::string manifest;
  for (const auto& e : fs::recursive_directory_iterator(net.tmp.path() + "/node-west")) {
    if (e.is_regular_file() && e.path().extension() == ".json")
      manifest = e.path().string();
  }
  fs::permissions(manifest, fs::perms::owner_write, fs::perm_options::add);
  auto text = testing::read_file(manifest);
  auto j = json::parse(text);
  j["created"] = "2000-01-01T00:00:00.000Z";
  std::ofstream(manifest, std::ios::trunc) << j.dump();
  auto forged = net.restore("west", "", {"--verify-only"});
  EXPECT_EQ(forged.exit_code, 1);
  EXPECT_NE(forged.output.find("manifest signature does not verify"), std::string::npos)
      << forged.output;
}

TEST(Preservation, KillNineOfANodeAndOfTheGatewayLosesAndDuplicatesNothing) {
  PreservationNetwork net(60);
  net.start_gateway();
  // The east node dies in the middle of the first transfer: some patients acknowledged,
  // others still queued.
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto s = net.preserve_status();
        return s.contains("nodes") && s["nodes"][0]["acknowledged"] > 0 &&
               s["nodes"][0]["pending"] > 0;
      },
      kWait));
  net.nodes["east"]->child().kill9();
  // And the gateway, while west is still receiving.
  net.gateway->child().kill9();
  net.nodes["east"]->restart();
  net.gateway->restart();
  ASSERT_TRUE(net.wait_preserved(kWait)) << net.preserve_status().dump();
  const auto expected = net.preserved_files(net.storage);
  for (const std::string node : {"east", "west"}) {
    auto gens = net.generations_per_patient(node);
    EXPECT_EQ(gens.size(), 60u) << node;
    for (const auto& [ref, n] : gens)
      EXPECT_EQ(n, 1u) << node << ": one generation per patient, not a duplicate";
    auto r = net.restore(node, net.tmp.path() + "/after-" + node);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(net.all_files(net.tmp.path() + "/after-" + node), expected) << node;
  }
}

}  // namespace
}  // namespace hareyaka
