// The gateway's configuration: the optional "dicom" section read into typed settings, and
// bad keys or values stopping the start with a message that names them.
#include "gateway/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway {
namespace {

using nlohmann::json;

json base() {
  return {{"facility_oid", "1.2.392.200284.33.1310001"},
          {"assertion_public_key", "/k.pub"},
          {"listener",
           {{"port", 0},
            {"cert_file", "/c.pem"},
            {"key_file", "/c.key"},
            {"client_auth", "require"},
            {"client_ca_file", "/ca.pem"}}},
          {"storage", {{"ssmix2_root", "/s"}, {"state_dir", "/st"}}}};
}

GatewayConfig load(const json& j) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/gateway.json";
  std::ofstream(path) << j.dump();
  return load_gateway_config(path);
}

std::string error_of(const json& j) {
  try {
    load(j);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

// deploy/config/gateway.example.json is what operators copy: it must load as it is.
TEST(GatewayConfig, TheShippedExampleLoads) {
  const GatewayConfig c =
      load_gateway_config(testing::source_dir() + "/deploy/config/gateway.example.json");
  EXPECT_EQ(c.facility_oid, "1.2.392.200284.33.1310001");
  EXPECT_EQ(c.assertion_public_key, "/etc/hareyaka/assertion.pub");
  ASSERT_TRUE(c.dicom);
  EXPECT_TRUE(c.dicom->pacs);
}

TEST(GatewayConfig, AssertionLimitsAndNodeReaders) {
  const auto defaults = load(base());
  EXPECT_EQ(defaults.assertions.max_lifetime_s, 300);
  EXPECT_EQ(defaults.assertions.skew_s, 30);
  EXPECT_TRUE(defaults.node_readers.empty());  // nobody reads the node endpoints
  json j = base();
  const std::string fp(64, 'c');
  j["assertions"] = {{"max_lifetime_s", 120}, {"clock_skew_s", 5}, {"replay_cache_entries", 5000}};
  j["node_readers"] = {fp};
  const auto c = load(j);
  EXPECT_EQ(c.assertions.max_lifetime_s, 120);
  EXPECT_EQ(c.assertions.skew_s, 5);
  EXPECT_EQ(c.assertions.replay_cache_entries, 5000u);
  EXPECT_EQ(c.node_readers, std::vector<std::string>{fp});
  j["assertions"]["max_lifetime_s"] = 1'000'000'000;
  EXPECT_NE(error_of(j).find("assertions.max_lifetime_s"), std::string::npos) << error_of(j);
  j = base();
  j["node_readers"] = {"CN=portal"};
  EXPECT_NE(error_of(j).find("node_readers"), std::string::npos);
}

TEST(GatewayConfig, DicomIsOptional) {
  EXPECT_FALSE(load(base()).dicom.has_value());
}

TEST(GatewayConfig, ReadsTheDicomSectionWithPacs) {
  json j = base();
  j["dicom"] = {
      {"storage_dir", "/d"},
      {"ae_title", "HAREYAKA_A"},
      {"port", 0},
      {"allowed_calling_aes", {"CT01", "PACS"}},
      {"max_associations", 4},
      {"import_dir", "/import"},
      {"pacs", {{"called_ae", "PACS"}, {"host", "10.0.0.5"}, {"port", 11112}, {"mode", "cget"}}}};
  const auto c = load(j);
  ASSERT_TRUE(c.dicom);
  EXPECT_EQ(c.dicom->storage_dir, "/d");
  EXPECT_EQ(c.dicom->ae_title, "HAREYAKA_A");
  EXPECT_EQ(c.dicom->port, 0);
  EXPECT_EQ(c.dicom->allowed_calling_aes, (std::vector<std::string>{"CT01", "PACS"}));
  EXPECT_EQ(c.dicom->max_associations, 4);
  EXPECT_EQ(c.dicom->import_dir, "/import");
  ASSERT_TRUE(c.dicom->pacs);
  EXPECT_EQ(c.dicom->pacs->called_ae, "PACS");
  EXPECT_EQ(c.dicom->pacs->port, 11112);
  EXPECT_TRUE(c.dicom->pacs->use_cget);
  EXPECT_EQ(c.dicom->pacs->move_destination_ae, "HAREYAKA_A");  // defaults to our title
}

TEST(GatewayConfig, RefusesBadDicomKeysAndValuesNamingThem) {
  json j = base();
  j["dicom"] = {{"storage_dir", "/d"}, {"aetitle", "X"}};
  EXPECT_NE(error_of(j).find("aetitle"), std::string::npos) << error_of(j);
  j["dicom"] = {{"storage_dir", "/d"}, {"ae_title", "A TITLE THAT IS TOO LONG"}};
  EXPECT_NE(error_of(j).find("dicom.ae_title"), std::string::npos) << error_of(j);
  j["dicom"] = {{"storage_dir", "/d"}, {"port", 70000}};
  EXPECT_NE(error_of(j).find("port"), std::string::npos) << error_of(j);
  j["dicom"] = {{"storage_dir", "/d"},
                {"pacs", {{"called_ae", "PACS"}, {"host", "h"}, {"port", 104}, {"mode", "cfind"}}}};
  EXPECT_NE(error_of(j).find("mode"), std::string::npos) << error_of(j);
  j["dicom"] = {{"ae_title", "X"}};
  EXPECT_NE(error_of(j).find("storage_dir"), std::string::npos) << error_of(j);
}

json preservation() {
  return {{"keys", {{{"id", "2026"}, {"key", std::string(43, 'A') + "="}}}},
          {"patients", "all"},
          {"signing_key_file", "/sign.key"},
          {"nodes",
           {{{"name", "east"},
             {"url", "https://east:9443"},
             {"tls", {{"ca_file", "/ca.pem"}, {"cert_file", "/c.pem"}, {"key_file", "/c.key"}}}}}}};
}

TEST(GatewayConfig, ReadsThePreservationSection) {
  EXPECT_FALSE(load(base()).preservation.has_value());
  json j = base();
  j["preservation"] = preservation();
  const auto c = load(j);
  ASSERT_TRUE(c.preservation);
  EXPECT_EQ(c.preservation->keys.at(0).id, "2026");
  EXPECT_EQ(c.preservation->keys.at(0).key.size(), 32u);
  EXPECT_EQ(c.preservation->sender.nodes.at(0).name, "east");
  EXPECT_EQ(c.preservation->sender.facility_oid, "1.2.392.200284.33.1310001");
  EXPECT_EQ(c.preservation->sender.data_types, preserve::minimum_data_set());
  j["preservation"]["data_types"] = {"ADT-00", "OML-11"};
  EXPECT_EQ(load(j).preservation->sender.data_types.size(), 2u);
}

TEST(GatewayConfig, RefusesBadPreservationKeysAndValuesNamingThem) {
  json j = base();
  j["preservation"] = preservation();
  j["preservation"]["data_types"] = {"XYZ-99"};
  EXPECT_NE(error_of(j).find("XYZ-99"), std::string::npos) << error_of(j);
  j["preservation"] = preservation();
  j["preservation"]["keys"][0]["key"] = "c2hvcnQ=";
  EXPECT_NE(error_of(j).find("preservation.keys"), std::string::npos) << error_of(j);
  j["preservation"] = preservation();
  j["preservation"]["nodes"][0]["name"] = "East Node";
  EXPECT_NE(error_of(j).find("name"), std::string::npos) << error_of(j);
  j["preservation"] = preservation();
  j["preservation"]["nodes"].push_back(j["preservation"]["nodes"][0]);
  EXPECT_NE(error_of(j).find("twice"), std::string::npos) << error_of(j);
  j["preservation"] = preservation();
  j["preservation"]["nodes"] = json::array();
  EXPECT_NE(error_of(j).find("at least one node"), std::string::npos) << error_of(j);
  j["preservation"] = preservation();
  j["preservation"].erase("patients");  // "consented" needs a portal to ask
  EXPECT_NE(error_of(j).find("'preservation.patients' is 'consented'"), std::string::npos)
      << error_of(j);
  j["preservation"] = preservation();
  j["preservation"].erase("signing_key_file");
  EXPECT_NE(error_of(j).find("signing_key_file"), std::string::npos) << error_of(j);
}

}  // namespace
}  // namespace hareyaka::gateway
