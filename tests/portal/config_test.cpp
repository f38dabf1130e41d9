// The portal configuration's auth.totp_encryption_keys: keys from files, checked at start
// with messages that name the key entry and never quote key material.
#include "portal/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::portal {
namespace {

using nlohmann::json;

class PortalConfigTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name, const std::string& content) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  std::string write(const json& auth) {
    json listener{{"port", 0}, {"cert_file", "c.pem"}, {"key_file", "k.pem"}};
    json nodes = listener;
    nodes["client_auth"] = "require";
    nodes["client_ca_file"] = "ca.pem";
    return file("portal.json", json{{"database", {{"conninfo", "dbname=x"}}},
                                    {"assertion_signing_key", "a.key"},
                                    {"listeners", {{"web", listener}, {"nodes", nodes}}},
                                    {"auth", auth}}
                                   .dump());
  }
  std::string error_of(const json& auth) {
    try {
      load_portal_config(write(auth));
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  }
  testing::TempDir dir_;
  // base64 of 32 bytes 0x01 and of 16 bytes 0x02
  const std::string key32_ = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
  const std::string key16_ = "AgICAgICAgICAgICAgICAg==";
};

// deploy/config/portal.example.json is what operators copy: with its secret files in place
// (here under a temporary folder instead of /etc/hareyaka) it must load as it is.
TEST_F(PortalConfigTest, TheShippedExampleLoads) {
  std::ifstream in(testing::source_dir() + "/deploy/config/portal.example.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  const std::string etc = dir_.path() + "/etc/";
  for (std::size_t at; (at = text.find("/etc/hareyaka/")) != std::string::npos;)
    text.replace(at, 14, etc);
  std::filesystem::create_directories(etc);
  file("etc/db-conninfo", "host=/run/postgresql dbname=hareyaka");
  file("etc/totp-key-2026-1", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n");
  const PortalConfig c = load_portal_config(file("portal.example.json", text));
  EXPECT_EQ(c.assertion_signing_key, etc + "assertion.key");
  EXPECT_EQ(c.network_root_oid, "1.2.392.200284");
}

TEST_F(PortalConfigTest, NoKeysMeansNoEncryption) {
  EXPECT_FALSE(load_portal_config(write(json::object())).auth.totp_box.has_keys());
}

TEST_F(PortalConfigTest, KeysFromFilesFirstIsCurrent) {
  const auto k1 = file("k1", key32_ + "\n");
  const auto k2 = file("k2", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n");
  auto c = load_portal_config(write(
      {{"totp_encryption_keys",
        {{{"id", "new"}, {"key", {{"file", k2}}}}, {{"id", "old"}, {"key", {{"file", k1}}}}}}}));
  ASSERT_TRUE(c.auth.totp_box.has_keys());
  EXPECT_EQ(c.auth.totp_box.current_key_id(), "new");
  EXPECT_TRUE(c.auth.totp_box.holds("old"));
  EXPECT_TRUE(c.auth.totp_box.seal("S", "ad").starts_with("v1:new:"));
}

TEST_F(PortalConfigTest, BadKeysStopTheStartNamingTheEntryNotTheKey) {
  auto short_key =
      error_of({{"totp_encryption_keys", {{{"id", "k"}, {"key", {{"file", file("s", key16_)}}}}}}});
  EXPECT_NE(short_key.find("auth.totp_encryption_keys[0]"), std::string::npos) << short_key;
  EXPECT_NE(short_key.find("32 bytes"), std::string::npos) << short_key;
  EXPECT_EQ(short_key.find(key16_), std::string::npos) << short_key;

  auto not_b64 =
      error_of({{"totp_encryption_keys", {{{"id", "k"}, {"key", "not base64 at all"}}}}});
  EXPECT_NE(not_b64.find("not base64"), std::string::npos) << not_b64;
  EXPECT_EQ(not_b64.find("at all"), std::string::npos) << not_b64;

  auto bad_id = error_of({{"totp_encryption_keys", {{{"id", "a:b"}, {"key", key32_}}}}});
  EXPECT_NE(bad_id.find("key id"), std::string::npos) << bad_id;

  auto twice = error_of(
      {{"totp_encryption_keys", {{{"id", "k"}, {"key", key32_}}, {{"id", "k"}, {"key", key32_}}}}});
  EXPECT_NE(twice.find("'k' is listed twice"), std::string::npos) << twice;

  auto unknown =
      error_of({{"totp_encryption_keys", {{{"id", "k"}, {"key", key32_}, {"algorithm", "aes"}}}}});
  EXPECT_NE(unknown.find("algorithm"), std::string::npos) << unknown;

  auto missing = error_of({{"totp_encryption_keys", {{{"id", "k"}}}}});
  EXPECT_NE(missing.find("key"), std::string::npos) << missing;
  EXPECT_NE(missing, "(no error)");
}

// xcpd: this network as a community and the peers that may ask it (docs/xcpd.md).
TEST_F(PortalConfigTest, XcpdPeersAreCheckedAtStart) {
  auto load = [&](const json& xcpd) {
    json listener{{"port", 0}, {"cert_file", "c.pem"}, {"key_file", "k.pem"}};
    json nodes = listener;
    nodes["client_auth"] = "require";
    nodes["client_ca_file"] = "ca.pem";
    return load_portal_config(
        file("xcpd.json", json{{"database", {{"conninfo", "dbname=x"}}},
                               {"assertion_signing_key", "a.key"},
                               {"listeners", {{"web", listener}, {"nodes", nodes}}},
                               {"xcpd", xcpd}}
                              .dump()));
  };
  const std::string pin(64, 'a');
  const PortalConfig c = load({{"home_community_id", "1.2.392.200284.9001"},
                               {"peers", json::array({{{"name", "hm-net"},
                                                       {"home_community_id", "1.2.392.200300.1"},
                                                       {"sha256", pin}}})}});
  EXPECT_EQ(c.xcpd.patient_id_authority, "1.2.392.200284.9001.1");
  EXPECT_EQ(c.xcpd.minimum_degree, 90);
  ASSERT_EQ(c.xcpd.peers.size(), 1u);
  EXPECT_EQ(c.xcpd.peers[0].sha256, pin);
  EXPECT_TRUE(load_portal_config(write(json::object())).xcpd.home_community_id.empty());
  auto error = [&](const json& xcpd) -> std::string {
    try {
      load(xcpd);
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error({{"home_community_id", "urn:oid:1.2"}}).find("xcpd.home_community_id"),
            std::string::npos);
  EXPECT_NE(
      error({{"home_community_id", "1.2.3"},
             {"peers",
              json::array({{{"name", "x"}, {"home_community_id", "1.2.4"}, {"sha256", "AB"}}})}})
          .find("xcpd.peers[].sha256"),
      std::string::npos);
  EXPECT_NE(
      error(
          {{"home_community_id", "1.2.3"},
           {"peers",
            json::array({{{"name", "x"}, {"home_community_id", "not an oid"}, {"sha256", pin}}})}})
          .find("xcpd.peers[].home_community_id"),
      std::string::npos);
  // XCA: the agreement's categories are data categories; the endpoint is https.
  const PortalConfig x =
      load({{"home_community_id", "1.2.3"},
            {"peers", json::array({{{"name", "x"},
                                    {"home_community_id", "1.2.4"},
                                    {"sha256", pin},
                                    {"categories", {"diagnoses", "lab_results"}},
                                    {"xca_url", "https://peer.example:8443/xca/v3"}}})}});
  EXPECT_EQ(x.xcpd.peers[0].categories, (std::vector<std::string>{"diagnoses", "lab_results"}));
  EXPECT_TRUE(c.xcpd.peers[0].categories.empty());  // no agreement: nothing over XCA
  EXPECT_NE(error({{"home_community_id", "1.2.3"},
                   {"peers", json::array({{{"name", "x"},
                                           {"home_community_id", "1.2.4"},
                                           {"sha256", pin},
                                           {"categories", {"demographics"}}}})}})
                .find("xcpd.peers[].categories"),
            std::string::npos);
  EXPECT_NE(error({{"home_community_id", "1.2.3"},
                   {"peers", json::array({{{"name", "x"},
                                           {"home_community_id", "1.2.4"},
                                           {"sha256", pin},
                                           {"xca_url", "http://peer/xca/v3"}}})}})
                .find("xcpd.peers[].xca_url"),
            std::string::npos);
}

}  // namespace
}  // namespace hareyaka::portal
