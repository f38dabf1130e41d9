#include "common/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/process.hpp"

namespace hareyaka::config {
namespace {

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

nlohmann::json parse(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, true, true);
}

TEST(Config, CommentsAreAllowed) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/c.json";
  std::ofstream(path) << "{\n  // the port\n  \"port\": 8443 /* inline */\n}\n";
  auto j = load_file(path);
  ConfigNode n(j, "");
  EXPECT_EQ(n.integer("port", 0, 65535), 8443);
  n.finish();
}

TEST(Config, MissingFileNamesThePath) {
  auto m = message_of([] { load_file("/nonexistent/hareyaka.json"); });
  EXPECT_NE(m.find("cannot open configuration file '/nonexistent/hareyaka.json'"),
            std::string::npos);
}

TEST(Config, InvalidJsonNamesTheFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.json";
  std::ofstream(path) << "{\"a\": }";
  auto m = message_of([&] { load_file(path); });
  EXPECT_NE(m.find("bad.json' is not valid JSON"), std::string::npos) << m;
}

TEST(Config, UnknownKeyIsNamedWithItsPath) {
  auto j = parse(R"({"listener": {"port": 1, "cert_file": "a", "key_file": "b", "prot": 2}})");
  ConfigNode root(j, "");
  auto m = message_of([&] { read_listener(root.child("listener"), "web"); });
  EXPECT_EQ(m, "unknown configuration key 'listener.prot'");
}

TEST(Config, UnknownTopLevelKey) {
  auto j = parse(R"({"log": {}, "databse": {}})");
  ConfigNode root(j, "");
  read_log(root.child("log"));
  EXPECT_EQ(message_of([&] { root.finish(); }), "unknown configuration key 'databse'");
}

TEST(Config, WrongTypeAndRangeAreNamed) {
  auto j = parse(R"({"a": "x", "b": 70000, "c": "maybe", "d": [1]})");
  ConfigNode n(j, "svc");
  EXPECT_EQ(message_of([&] { n.integer("a", 0, 10); }),
            "configuration key 'svc.a' must be an integer");
  EXPECT_EQ(message_of([&] { n.integer("b", 0, 65535); }),
            "configuration key 'svc.b' must be between 0 and 65535 (got 70000)");
  EXPECT_EQ(message_of([&] {
              n.choice_or("c", "text", {"text", "json"});
            }),
            "configuration key 'svc.c' must be one of text, json (got 'maybe')");
  EXPECT_EQ(message_of([&] { n.strings_or("d", {}); }),
            "configuration key 'svc.d' must be an array of strings");
  EXPECT_EQ(message_of([&] { n.string("missing"); }), "configuration key 'svc.missing' is missing");
}

TEST(Config, SecretsFromEnvironmentAndFile) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/pw") << "s3cret\n";
  setenv("HAREYAKA_TEST_SECRET", "from-env", 1);
  auto j = parse(R"({"a": {"env": "HAREYAKA_TEST_SECRET"}, "b": {"file": ")" + dir.path() +
                 R"(/pw"}, "c": {"env": "HAREYAKA_TEST_UNSET_VAR"}, "d": {"other": 1}})");
  ConfigNode n(j, "db");
  EXPECT_EQ(n.secret("a"), "from-env");
  EXPECT_EQ(n.secret("b"), "s3cret");
  EXPECT_EQ(message_of([&] { n.secret("c"); }),
            "configuration key 'db.c' names environment variable 'HAREYAKA_TEST_UNSET_VAR', which "
            "is not set");
  EXPECT_NE(message_of([&] { n.secret("d"); }).find("must be a string, {\"env\""),
            std::string::npos);
}

TEST(Config, ListenerNeedsCaForClientAuth) {
  auto j = parse(R"({"port": 1, "cert_file": "a", "key_file": "b", "client_auth": "require"})");
  ConfigNode n(j, "listeners.nodes");
  EXPECT_EQ(message_of([&] { read_listener(n, "nodes"); }),
            "configuration key 'listeners.nodes.client_ca_file' is required when client_auth is "
            "'require'");
}

}  // namespace
}  // namespace hareyaka::config
