// Configuration: one JSON file per daemon (comments allowed), read once at start into typed
// structs by the composition root. ConfigNode walks the document and remembers which keys
// were read; finish() then rejects any key nobody asked for, so a typo stops the start with
// a message naming the key instead of being silently ignored.
//
// Secrets (database passwords, keys) may be written as {"env": "NAME"} or
// {"file": "/path"}; they are never taken from the command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/tls.hpp"

namespace hareyaka::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a file (comments allowed). Throws ConfigError naming the file and the problem.
nlohmann::json load_file(const std::string& path);

class ConfigNode {
 public:
  // `path` is how the node is named in messages ("" for the root).
  ConfigNode(const nlohmann::json& j, std::string path);
  ~ConfigNode();
  ConfigNode(ConfigNode&&) noexcept;
  ConfigNode(const ConfigNode&) = delete;

  bool has(const std::string& key) const;
  std::string string(const std::string& key) const;
  std::string string_or(const std::string& key, std::string fallback) const;
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max) const;
  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) const;
  bool boolean_or(const std::string& key, bool fallback) const;
  std::chrono::milliseconds millis_or(const std::string& key,
                                      std::chrono::milliseconds fallback) const;
  // One of `allowed`.
  std::string choice_or(const std::string& key, std::string fallback,
                        const std::vector<std::string>& allowed) const;
  // Certificate fingerprints: lower-case hex SHA-256 of the DER (64 digits), as every
  // allowlist of node certificates names them.
  std::string fingerprint(const std::string& key) const;
  std::vector<std::string> fingerprints_or(const std::string& key,
                                           std::vector<std::string> fallback = {}) const;
  std::vector<std::string> strings_or(const std::string& key,
                                      std::vector<std::string> fallback) const;
  // A secret: a string, {"env": NAME} or {"file": PATH} (file content, trailing newline cut).
  std::string secret(const std::string& key) const;
  std::string secret_or(const std::string& key, std::string fallback) const;

  ConfigNode child(const std::string& key) const;
  std::optional<ConfigNode> optional_child(const std::string& key) const;
  std::vector<ConfigNode> array(const std::string& key) const;
  std::vector<ConfigNode> array_or_empty(const std::string& key) const;

  // Throws ConfigError for the first key of this node that was never read. Every reader
  // calls it on each node it reads, children included.
  void finish() const;
  const std::string& path() const { return path_; }

 private:
  const nlohmann::json& at(const std::string& key) const;
  [[noreturn]] void bad(const std::string& key, const std::string& what) const;
  std::string name(const std::string& key) const;

  const nlohmann::json* j_;
  std::string path_;
  mutable std::set<std::string> used_;
};

// Shared pieces every daemon's config has.
log::Settings read_log(const ConfigNode& node);
http::ListenerSettings read_listener(const ConfigNode& node, const std::string& name);
tls::ClientSettings read_tls_client(const ConfigNode& node);

}  // namespace hareyaka::config
